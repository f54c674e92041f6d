"""The page shell (header, menus, footer) is kept per language and role set, never per person."""

from __future__ import annotations

import re

from survey.accounts.models import Role
from survey.extensions import db
from tests import factories


def test_a_new_role_shows_its_menu_on_the_next_page(client, auth, demo):
    auth.login("sn-contributor")
    before = client.get("/assessments/").get_data(as_text=True)
    assert 'href="/team/"' not in before
    factories.user("sn-contributor").set_roles([Role.COORDINATOR])
    db.session.commit()
    after = client.get("/assessments/").get_data(as_text=True)
    assert 'href="/team/"' in after


def test_readers_with_the_same_roles_see_their_own_name_and_country(client, auth, demo):
    auth.login("sn-coordinator")
    senegal = client.get("/assessments/").get_data(as_text=True)
    auth.logout()
    auth.login("gh-coordinator")
    ghana = client.get("/assessments/").get_data(as_text=True)
    assert re.search(r'class="who"[^>]*>sn-coordinator · Senegal<', senegal)
    assert re.search(r'class="who"[^>]*>gh-coordinator · Ghana<', ghana)
    assert "sn-coordinator" not in ghana


def test_the_shell_follows_the_reader_language(client, auth, demo):
    auth.login("sn-coordinator")
    english = client.get("/assessments/?lang=en").get_data(as_text=True)
    client.post("/language", data={"lang": "fr", "next": "/assessments/"})
    french = client.get("/assessments/").get_data(as_text=True)
    assert ">Sign out<" in english and ">Sign out<" not in french
    assert 'lang="fr" aria-current="true"' in french and 'lang="en" aria-current="true"' in english
