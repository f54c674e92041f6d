"""The read-only API: public data without a token, donor-level with one, answers per its OpenAPI document."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from survey.extensions import db


@pytest.fixture
def token(app, demo) -> str:
    result = app.test_cli_runner().invoke(args=["api-tokens", "create", "donor"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def validate(document: dict, schema_name: str, body: dict) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)


def test_without_a_token_the_api_returns_public_releases_only(client, demo):
    body = client.get("/api/v1/regions/ecowas/2026").get_json()
    assert [c["country"] for c in body["countries"]] == ["CV"]
    assert {c["release_level"] for c in body["countries"]} == {"public"}


def test_a_donor_token_returns_donor_releases_but_never_private_ones(client, token):
    body = client.get("/api/v1/regions/ecowas/2026", headers=bearer(token)).get_json()
    countries = {c["country"] for c in body["countries"]}
    assert countries == {"BJ", "CI", "CV", "GM", "LR", "NG", "SL"}
    assert "TG" not in countries and "BF" not in countries and "BF" not in body["members"]


def test_a_signed_in_session_does_not_unlock_donor_data(client, auth, demo):
    auth.login("donor")
    body = client.get("/api/v1/regions/ecowas/2026").get_json()
    assert [c["country"] for c in body["countries"]] == ["CV"]


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer ", "Basic ZG9ub3I6ZGVtbw==", "token"])
def test_a_wrong_token_gets_a_json_401(client, demo, header):
    response = client.get("/api/v1/regions/ecowas/2026", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working(app, client, token):
    assert client.get("/api/v1/regions", headers=bearer(token)).status_code == 200
    assert app.test_cli_runner().invoke(args=["api-tokens", "revoke", "donor"]).exit_code == 0
    db.session.expire_all()
    assert client.get("/api/v1/regions", headers=bearer(token)).status_code == 401


def test_tokens_are_stored_hashed(app, token):
    from survey.accounts.tokens import ApiToken

    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored) == 1


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/regions/atlantis/2026", 404),
        ("/api/v1/regions/ecowas/2031", 404),
        ("/api/v1/regions/ecowas/2026?version=x", 400),
        ("/api/v1/countries/XX", 404),
        ("/api/v1/nothing", 404),
    ],
)
def test_bad_api_requests_get_json_errors(client, demo, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.get_json()["error"]["message"]


def test_real_responses_follow_the_openapi_document(client, token):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    Draft202012Validator.check_schema({"$defs": document["components"]["schemas"]})
    validate(document, "RegionList", client.get("/api/v1/regions").get_json())
    for headers in ({}, bearer(token)):
        validate(
            document,
            "RegionCycle",
            client.get("/api/v1/regions/ecowas/2026", headers=headers).get_json(),
        )
        validate(
            document,
            "RegionCycle",
            client.get("/api/v1/regions/pif/2026", headers=headers).get_json(),
        )
        validate(
            document,
            "CountryHistory",
            client.get("/api/v1/countries/NG", headers=headers).get_json(),
        )
    error = client.get("/api/v1/regions/ecowas/2026", headers=bearer("wrong"))
    validate(document, "Error", error.get_json())
    for path, item in document["paths"].items():
        assert set(item["get"]["responses"]) >= {"200", "401", "404"}, path
