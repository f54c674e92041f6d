"""End to end in headless Chromium: fill, save, reload, submit, see the radar chart."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from survey import create_app

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_chromium() -> str:
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser tests: install Debian's chromium (see .ci/run)")
    pytest.skip("browser tests need Chromium (Debian package 'chromium')")


@pytest.fixture
def live_server(tmp_path, monkeypatch) -> Iterator[str]:
    """The development app with demo data, served on a free loopback port."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(live_server):
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        context = browser.new_context(base_url=live_server, locale="en-GB")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        browser.close()
        assert errors == [], errors


def sign_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("form.card button[type=submit]")


def test_contributor_fills_saves_reloads_and_coordinator_submits(page, tmp_path):
    sign_in(page, "gh-contributor")
    page.click("text=Start the 2026 assessment")
    page.click("text=Answer the questions")
    page.check("input[name='legal__substantive_offences-state'][value='4']")
    page.click("#q-legal__substantive_offences summary:has-text('Evidence and comment')")
    page.fill("textarea[name='legal__substantive_offences-comment']", "Cybersecurity Act in force")
    page.click("button[name=save]")
    assert page.locator(".flash-success").is_visible()
    page.reload()
    assert page.locator("input[name='legal__substantive_offences-state'][value='4']").is_checked()
    assert page.input_value("textarea[name='legal__substantive_offences-comment']") == "Cybersecurity Act in force"

    # Answer every remaining indicator pillar by pillar, as the officer would over several sittings.
    while True:
        for group in page.locator("fieldset.indicator:has(.levels)").all():
            if not group.locator("input[type=radio]:checked").count():
                group.locator("input[type=radio][value='3']").check()
        if page.locator("button[name=save_next]").count():
            page.click("button[name=save_next]")
        else:
            page.click("button[name=save]")
            break
    url = page.url.rsplit("/pillars/", 1)[0]
    page.click("form[action='/logout'] button")

    sign_in(page, "gh-coordinator")
    page.goto(url + "/review")
    assert "Unanswered indicators (0)" in page.content()
    page.click("text=Submit the assessment")
    page.wait_for_selector(".chart.drawn .main-svg", timeout=20000)
    assert page.locator(".chart.drawn .scatterlayer .trace").count() >= 1
    assert "Overall score" in page.content()
    page.screenshot(path=str(tmp_path / "results.png"), full_page=True)


def test_donor_sees_every_dashboard_chart_drawn_from_local_assets(page, live_server, tmp_path):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, "donor")
    page.goto("/dashboards/ecowas/2026?country=NG&country=CI")
    page.wait_for_function("document.querySelectorAll('.chart.drawn .main-svg').length >= 6", timeout=30000)
    page.wait_for_selector("#panel-map .choroplethlocation", timeout=20000)  # the topojson arrived
    assert page.locator("#panel-heatmap .heatmaplayer image, #panel-heatmap .hm").count() >= 1
    assert page.locator("#panel-ranking .bars .point").count() == 7
    assert page.locator("#panel-radar .scatterlayer .trace").count() == 3
    assert page.locator("#panel-distribution .boxlayer .trace").count() == 8
    assert page.locator("#panel-map .scattergeo .point, #panel-map .scattergeo path.point").count() >= 1
    assert all(url.startswith(live_server) for url in requested), [u for u in requested if not u.startswith(live_server)]
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_arabic_dashboard_is_drawn_right_to_left(page):
    sign_in(page, "donor")
    page.goto("/dashboards/ecowas/2026?lang=ar")
    page.wait_for_function("document.querySelectorAll('.chart.drawn .main-svg').length >= 6", timeout=30000)
    assert page.get_attribute("html", "dir") == "rtl"
