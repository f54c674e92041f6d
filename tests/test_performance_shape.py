"""Query counts of the pillar page and a save stay constant whatever the number of indicators."""

from survey.extensions import db
from tests.conftest import count_queries


def pillar_queries(client, assessment_id: int, pillar: str, data: dict) -> tuple[int, int]:
    db.session.expire_all()
    with count_queries() as page:
        assert client.get(f"/assessments/{assessment_id}/pillars/{pillar}").status_code == 200
    with count_queries() as save:
        assert client.post(f"/assessments/{assessment_id}/pillars/{pillar}", data=data).status_code == 302
    return len(page), len(save)


def every_answer(app, pillar_code: str) -> dict:
    from survey.frameworks.models import FrameworkVersion

    version = db.session.scalars(db.select(FrameworkVersion)).first()
    pillar = version.definition.pillar(pillar_code)
    return {f"{i.code.replace('.', '__')}-state": "3" for i in pillar.maturity_indicators}


def test_pillar_page_and_save_use_few_queries_independent_of_indicator_count(app, client, auth, demo):
    auth.login("gh-coordinator")
    assessment_id = int(client.post("/assessments/start").location.rsplit("/", 1)[1])
    small = pillar_queries(client, assessment_id, "strategy", every_answer(app, "strategy"))  # 5 indicators
    large = pillar_queries(client, assessment_id, "justice", every_answer(app, "justice"))  # 11 indicators
    assert small == large
    assert max(small) <= 10


def test_pillar_page_loads_no_plotly(client, auth, demo):
    auth.login("gh-contributor")
    assessment_id = int(client.post("/assessments/start").location.rsplit("/", 1)[1])
    page = client.get(f"/assessments/{assessment_id}/pillars/legal").get_data(as_text=True)
    assert "plotly" not in page.lower()
