"""In headless Chromium: nothing typed on a questionnaire is lost, online or offline.

The five ways answers used to vanish (a discussion message, a save of another pillar, a time zone
west of UTC, "Save and go to the next pillar", a save without a connection), saving offline and
sending later, and the conflict page when a colleague saved meanwhile.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from survey import create_app
from tests.test_browser import sign_in

ROOT = Path(__file__).resolve().parent.parent
SUBSTANTIVE = "legal__substantive_offences"
RESTORE_OFFER = "Answers typed on this device but not saved were found."


# --- Without a browser -------------------------------------------------------------------------


def bundle_stamp() -> str:
    """The fingerprint tools/offline/build.sh writes into the bundles: its sources and lockfile."""
    sources = sorted((ROOT / "tools/offline/src").glob("*.js"), key=lambda p: p.name.encode())
    data = b"".join(p.read_bytes() for p in [*sources, ROOT / "tools/offline/package-lock.json"])
    return hashlib.sha256(data).hexdigest()[:16]


@pytest.mark.parametrize("bundle", ["static/sw.js", "static/js/offline.js"])
def test_committed_bundles_are_built_from_the_current_sources(bundle):
    first_line = (ROOT / bundle).read_text(encoding="utf-8").splitlines()[0]
    assert f"sources {bundle_stamp()}" in first_line, "run: bash tools/offline/build.sh"


def test_service_worker_is_served_from_the_root_under_the_strict_policy(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert b"eval(" not in response.data and b"new Function" not in response.data


def test_offline_page_says_what_is_kept(client):
    page = client.get("/offline").get_data(as_text=True)
    assert "You are offline" in page and "data-offline-page" in page


def test_a_save_redirect_names_the_pillar_the_server_holds(client, auth, demo):
    auth.login("gh-coordinator")
    assessment = client.post("/assessments/start").location.rsplit("/", 1)[1]
    response = client.post(
        f"/assessments/{assessment}/pillars/legal", data={f"{SUBSTANTIVE}-state": "3", "save_next": "1"}
    )
    assert response.location.endswith("/pillars/strategy?saved=legal")  # the next pillar's draft stays


def test_the_worker_fetching_its_offline_page_leaves_messages_for_the_users_next_page(client, auth, demo):
    auth.login("gh-coordinator")
    assessment = client.post("/assessments/start").location.rsplit("/", 1)[1]
    client.post(f"/assessments/{assessment}/pillars/legal", data={f"{SUBSTANTIVE}-state": "3", "save": "1"})
    client.get("/offline")  # in the background, as the service worker does
    assert "are saved" in client.get(f"/assessments/{assessment}/pillars/legal").get_data(as_text=True)


# --- In the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_database(sqlite_files) -> Path:
    """A development database with the demo data, built once a session; each test works on a copy."""
    return sqlite_files.path("development")


class LiveServer:
    """The app served from a thread on a fixed loopback port; it can go away and come back."""

    def __init__(self, app):
        self.app, self.port, self.http, self.thread = app, 0, None, None
        self.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.http = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.http.server_port
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Refuse connections, like a server behind a connection that carries nothing."""
        self.http.shutdown()
        self.http.server_close()
        self.thread.join()


@pytest.fixture
def server(demo_database, tmp_path, monkeypatch) -> Iterator[LiveServer]:
    """The development app on a copy of the demo database."""
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(demo_database, instance / "cyberready.sqlite")
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    live = LiveServer(create_app(None, AUTO_MIGRATE=False))
    yield live
    live.stop()


class Browsing:
    """Opens browser contexts (one per person or device) and checks none hit a script or CSP error."""

    def __init__(self, chromium, base_url: str):
        self.chromium, self.base_url, self.errors, self.contexts = chromium, base_url, [], []

    def page(self, **options):
        context = self.chromium.new_context(base_url=self.base_url, locale="en-GB", **options)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and self.errors.append(message.text)
        )
        return page


@pytest.fixture
def browsing(browser, server) -> Iterator[Browsing]:
    browsing = Browsing(browser, server.url)
    yield browsing
    for context in browsing.contexts:
        context.close()
    assert browsing.errors == [], browsing.errors


def start_assessment(page) -> str:
    """Ghana's coordinator starts the 2026 assessment; the address of its first pillar."""
    sign_in(page, "gh-coordinator")
    page.click("text=Start the 2026 assessment")
    page.click("text=Answer the questions")
    page.wait_for_url(re.compile(r"/pillars/legal$"))
    return page.url


def level(page, key: str, value: str):
    return page.locator(f"input[name='{key}-state'][value='{value}']")


def wait_for_worker(page) -> None:
    """The service worker controls the page (it installs on the first visit)."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def go_offline(page) -> None:
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")


def first_level(page, value: str):
    """A level of the first maturity question on the page."""
    return page.locator("fieldset.indicator:has(.levels)").first.locator(f"input[type=radio][value='{value}']")


def open_pillar_tab(page, number: int) -> None:
    page.click(f"nav.pillar-tabs a:text-matches('^{number}\\.')")
    page.wait_for_selector("form.pillar-form")


def no_draft_offered(page) -> None:
    """The page compared its local draft with the server's answers and had nothing to offer."""
    expect(page.locator("form.pillar-form")).to_have_attribute("data-draft", "none")
    expect(page.locator(".draft-restore")).to_be_hidden()


def restore_offered_draft(page) -> None:
    offer = page.locator(".draft-restore")
    expect(offer).to_be_visible()
    assert RESTORE_OFFER in offer.inner_text()
    offer.locator("button", has_text="Restore them").click()


@pytest.mark.browser
def test_posting_a_message_keeps_the_answers_typed_and_does_not_send_them(browsing):
    page = browsing.page()
    pillar = start_assessment(page)
    assert page.locator("form form").count() == 0  # no form inside another
    level(page, SUBSTANTIVE, "4").check()
    thread = page.locator(f"#thread-{SUBSTANTIVE}")
    thread.locator("summary").click()
    thread.locator("textarea[name=body]").fill("Is the 2020 Act in force yet?")
    thread.locator("button", has_text="Post message").click()
    posted = page.locator(f"#thread-{SUBSTANTIVE}")
    expect(posted.locator(".comments li")).to_contain_text("Is the 2020 Act in force yet?")
    expect(posted.locator(".flash-success")).to_have_text("Your message is posted.")
    assert page.url == pillar and level(page, SUBSTANTIVE, "4").is_checked()  # still on screen

    # The questionnaire was not sent; the answer typed is still kept on this device.
    again = page.context.new_page()
    again.goto(pillar)
    expect(level(again, SUBSTANTIVE, "4")).not_to_be_checked()
    expect(again.locator(f"#thread-{SUBSTANTIVE} .comments li")).to_have_count(1)
    restore_offered_draft(again)
    expect(level(again, SUBSTANTIVE, "4")).to_be_checked()


@pytest.mark.browser
def test_without_javascript_a_message_posts_alone(browsing):
    page = browsing.page(java_script_enabled=False)
    pillar = start_assessment(page)
    level(page, SUBSTANTIVE, "4").check()
    thread = page.locator(f"#thread-{SUBSTANTIVE}")
    thread.locator("summary").click()
    thread.locator("textarea[name=body]").fill("Posted without JavaScript")
    thread.locator("button", has_text="Post message").click()
    expect(page.locator(".flash-success")).to_have_text("Your message is posted.")
    assert page.url.startswith(pillar)
    expect(page.locator(f"#thread-{SUBSTANTIVE} .comments li")).to_contain_text("Posted without JavaScript")
    expect(level(page, SUBSTANTIVE, "4")).not_to_be_checked()  # the questionnaire was not submitted


@pytest.mark.browser
def test_draft_is_offered_back_after_another_pillar_is_saved(browsing):
    page = browsing.page()
    pillar = start_assessment(page)
    level(page, SUBSTANTIVE, "4").check()
    open_pillar_tab(page, 2)
    first_level(page, "3").check()
    page.click("button[name=save]")
    expect(page.locator(".flash-success")).to_be_visible()
    open_pillar_tab(page, 1)
    restore_offered_draft(page)
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()
    page.click("button[name=save]")
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto(pillar)
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()
    no_draft_offered(page)  # saved: nothing left to offer


@pytest.mark.browser
def test_a_save_whose_answer_page_never_arrives_leaves_no_draft_to_offer(browsing):
    # A browser without service workers (one would take the save's request out of the test's reach).
    page = browsing.page(service_workers="block")
    page.add_init_script("delete Navigator.prototype.serviceWorker")
    pillar = start_assessment(page)
    level(page, SUBSTANTIVE, "4").check()
    # The server stores the save, then the connection drops before its answer arrives.
    delivered = []

    def drop_the_answer(route) -> None:
        delivered.append(route.fetch(max_redirects=0).status)
        route.abort("connectionreset")

    page.route(pillar, drop_the_answer)
    with page.expect_event("requestfailed"):
        page.click("button[name=save]")
    assert delivered == [302]
    page.unroute(pillar)
    page.goto(pillar)
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()  # what the server holds
    no_draft_offered(page)  # the draft kept on the device holds nothing more


@pytest.mark.browser
def test_draft_is_offered_back_west_of_utc(browsing):
    page = browsing.page(timezone_id="America/Jamaica")
    pillar = start_assessment(page)
    level(page, SUBSTANTIVE, "2").check()
    page.click("button[name=save]")
    expect(page.locator(".flash-success")).to_be_visible()
    level(page, SUBSTANTIVE, "4").check()
    page.goto(pillar)
    expect(level(page, SUBSTANTIVE, "2")).to_be_checked()
    restore_offered_draft(page)
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()


@pytest.mark.browser
def test_save_and_next_keeps_the_next_pillars_draft(browsing):
    page = browsing.page()
    start_assessment(page)
    open_pillar_tab(page, 2)
    first_level(page, "2").check()  # typed on the next pillar, not saved
    open_pillar_tab(page, 1)
    level(page, SUBSTANTIVE, "3").check()
    page.click("button[name=save_next]")
    page.wait_for_url(re.compile(r"/pillars/strategy$"))  # the ?saved= marker is read and removed
    expect(page.locator(".flash-success")).to_be_visible()
    restore_offered_draft(page)
    expect(first_level(page, "2")).to_be_checked()
    open_pillar_tab(page, 1)
    expect(level(page, SUBSTANTIVE, "3")).to_be_checked()
    no_draft_offered(page)  # the saved pillar's draft went


@pytest.mark.browser
def test_save_made_offline_is_kept_and_sent_when_the_connection_returns(browsing, server, tmp_path):
    page = browsing.page()
    pillar = start_assessment(page)
    wait_for_worker(page)
    level(page, SUBSTANTIVE, "2").check()
    page.click("button[name=save]")  # the page after the save is kept for offline use
    expect(page.locator(".flash-success")).to_be_visible()
    go_offline(page)
    level(page, SUBSTANTIVE, "4").check()
    page.click("button[name=save]")
    status = page.locator("#offline-status")
    expect(status).to_have_text("You are offline: your answers are kept on this device; 1 save waiting.")
    assert page.url == pillar  # still the questionnaire, not the browser's "No internet" page
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()
    page.locator(".save-bar").screenshot(path=str(tmp_path / "offline-en.png"))

    # Offline, a page never opened says so; the pillar opened before shows the save waiting.
    page.click("nav.pillar-tabs a:text-matches('^2\\.')")
    expect(page.locator("h1")).to_have_text("You are offline")
    assert page.url.startswith(server.url)
    page.goto(pillar)
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()
    expect(status).to_have_text("You are offline: your answers are kept on this device; 1 save waiting.")
    expect(page.locator(".flash-success")).to_have_count(0)  # the kept copy repeats no old message
    thread = page.locator(f"#thread-{SUBSTANTIVE}")
    thread.locator("summary").click()
    thread.locator("textarea[name=body]").fill("Sent without a connection")
    thread.locator("button", has_text="Post message").click()
    expect(thread.locator(".flash-error")).to_have_text(
        "You are offline: your message was not posted. Post it again when the connection returns."
    )
    expect(thread.locator("textarea[name=body]")).to_have_value("Sent without a connection")

    page.context.set_offline(False)
    expect(status).to_have_text("The answers kept on this device are now saved on the server.")
    page.goto(pillar)
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()
    no_draft_offered(page)


@pytest.mark.browser
def test_colleagues_change_meanwhile_gives_the_conflict_page_after_sending(browsing):
    page = browsing.page()
    pillar = start_assessment(page)
    wait_for_worker(page)
    page.reload()
    go_offline(page)
    level(page, SUBSTANTIVE, "4").check()
    page.click("button[name=save]")
    expect(page.locator("#offline-status")).to_contain_text("1 save waiting")

    colleague = browsing.page()
    sign_in(colleague, "gh-contributor")
    colleague.goto(pillar)
    level(colleague, SUBSTANTIVE, "2").check()
    colleague.click("button[name=save]")
    expect(colleague.locator(".flash-success")).to_be_visible()

    page.context.set_offline(False)
    conflict = page.locator(".conflict")
    expect(conflict).to_contain_text("Saved meanwhile by")
    expect(conflict).to_contain_text("2. ")  # the colleague's level, shown next to ours
    expect(page.locator(".flash-error")).to_contain_text("Someone saved some of these answers")
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()  # ours, kept in the field
    page.click("button[name=save]")  # keep ours, knowingly
    expect(page.locator(".flash-success")).to_be_visible()
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()


@pytest.mark.browser
def test_signing_out_forgets_the_pages_kept_for_offline_use(browsing):
    page = browsing.page()
    start_assessment(page)
    wait_for_worker(page)
    page.reload()
    assert page.evaluate("() => caches.has('cyberready-pages-v1')")
    page.click("form[action='/logout'] button")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator(".flash-info")).to_be_visible()
    assert not page.evaluate("() => caches.has('cyberready-pages-v1')")


@pytest.mark.browser
def test_offline_status_speaks_the_readers_language_with_its_plural_forms(browsing, tmp_path):
    page = browsing.page()
    pillar = start_assessment(page)
    wait_for_worker(page)
    page.goto(pillar + "?lang=ar")
    assert page.get_attribute("html", "dir") == "rtl"
    open_pillar_tab(page, 2)  # opened online: kept for offline use
    strategy = page.url
    page.goto(pillar)
    go_offline(page)
    level(page, SUBSTANTIVE, "4").check()
    page.click("button[name=save]")
    status = page.locator("#offline-status")
    expect(status).to_have_text("أنت غير متصل بالإنترنت: إجاباتك محفوظة على هذا الجهاز؛ 1 عملية حفظ في الانتظار.")
    page.goto(strategy)
    first_level(page, "2").check()
    page.click("button[name=save]")
    expect(status).to_have_text("أنت غير متصل بالإنترنت: إجاباتك محفوظة على هذا الجهاز؛ 2 عمليتا حفظ في الانتظار.")
    page.locator(".save-bar").screenshot(path=str(tmp_path / "offline-ar.png"))
    page.context.set_offline(False)
    expect(status).to_have_text("الإجابات المحفوظة على هذا الجهاز محفوظة الآن على الخادم.")
    expect(first_level(page, "2")).to_be_checked()
    page.goto(pillar)
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()


@pytest.mark.browser
def test_save_when_the_server_cannot_be_reached_is_kept_not_the_browsers_error_page(browsing, server):
    page = browsing.page()
    pillar = start_assessment(page)
    wait_for_worker(page)
    page.reload()
    server.stop()  # the browser still believes it is online
    level(page, SUBSTANTIVE, "4").check()
    page.click("button[name=save]")
    status = page.locator("#offline-status")
    expect(status).to_have_text("Sending 1 save made on this device…")
    assert page.url == pillar  # the page kept on the device, with the save waiting
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()

    server.start()
    page.reload()  # any page of the site sends what waits
    expect(status).to_have_text("The answers kept on this device are now saved on the server.")
    page.goto(pillar)
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()


@pytest.mark.browser
def test_refused_save_of_another_pillar_is_shown_on_request(browsing):
    page = browsing.page()
    pillar = start_assessment(page)
    wait_for_worker(page)
    open_pillar_tab(page, 2)  # opened online: kept for offline use
    strategy = page.url
    page.goto(pillar)
    go_offline(page)
    level(page, SUBSTANTIVE, "4").check()
    page.click("button[name=save]")
    expect(page.locator("#offline-status")).to_contain_text("1 save waiting")  # kept before leaving
    page.goto(strategy)
    expect(page.locator("#offline-status")).to_contain_text("1 save waiting")

    colleague = browsing.page()
    sign_in(colleague, "gh-contributor")
    colleague.goto(pillar)
    level(colleague, SUBSTANTIVE, "2").check()
    colleague.click("button[name=save]")
    expect(colleague.locator(".flash-success")).to_be_visible()

    page.context.set_offline(False)
    status = page.locator("#offline-status")
    expect(status).to_contain_text("were not accepted by the server")
    assert page.url == strategy  # nobody is taken away from the page they are on
    status.locator("button", has_text="See why").click()
    expect(page.locator(".conflict")).to_contain_text("Saved meanwhile by")
    assert page.url == pillar
    expect(level(page, SUBSTANTIVE, "4")).to_be_checked()
