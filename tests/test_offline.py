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
from tests.test_browser import CHROMIUM_FLAGS, require_chromium, sign_in

ROOT = Path(__file__).resolve().parent.parent
SUBSTANTIVE = "legal__substantive_offences"
PROCEDURAL = "legal__procedural_powers"
STRATEGY_FIRST = None  # filled from the page: the first maturity indicator of the strategy pillar


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
    response = client.post(f"/assessments/{assessment}/pillars/legal",
                           data={f"{SUBSTANTIVE}-state": "3", "save_next": "1"})
    assert response.location.endswith("/pillars/strategy?saved=legal")  # the next pillar's draft stays


# --- In the browser ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_database(tmp_path_factory) -> Path:
    """A development database with the demo data, built once; each test works on a copy."""
    folder = tmp_path_factory.mktemp("demo-instance")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INSTANCE_PATH", str(folder))
        patch.delenv("DATABASE_URL", raising=False)
        create_app()
    return folder / "cyberready.sqlite"


@pytest.fixture
def server(demo_database, tmp_path, monkeypatch) -> Iterator[str]:
    """The development app on a copy of the demo database, served on a free loopback port."""
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(demo_database, instance / "cyberready.sqlite")
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app(None, AUTO_MIGRATE=False)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def chromium():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Browsing:
    """Opens browser contexts (one per person or device) and checks none hit a script or CSP error."""

    def __init__(self, chromium, base_url: str):
        self.chromium, self.base_url, self.errors, self.contexts = chromium, base_url, [], []

    def page(self, **options):
        context = self.chromium.new_context(base_url=self.base_url, locale="en-GB", **options)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: "Content Security Policy" in message.text
                and self.errors.append(message.text))
        return page


@pytest.fixture
def browsing(chromium, server) -> Iterator[Browsing]:
    browsing = Browsing(chromium, server)
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


def test_save_made_offline_is_kept_and_sent_when_the_connection_returns(browsing):
    page = browsing.page()
    pillar = start_assessment(page)
    wait_for_worker(page)
    page.reload()
    go_offline(page)
    level(page, SUBSTANTIVE, "4").check()
    page.click("button[name=save]")
    status = page.locator("#offline-status")
    status.wait_for()
    assert status.inner_text() == "You are offline: your answers are kept on this device; 1 save waiting."
    assert page.url == pillar  # still the questionnaire, not the browser's "No internet" page
    assert level(page, SUBSTANTIVE, "4").is_checked()

    page.context.set_offline(False)
    expect(status).to_have_text("Back online: the answers saved on this device are now saved on the server.")
    page.goto(pillar)
    assert level(page, SUBSTANTIVE, "4").is_checked()
    assert page.locator(".draft-restore").is_hidden()
