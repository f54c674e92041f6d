"""End to end in headless Chromium: fill, save, reload, submit, see the radar chart."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import openpyxl
import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from survey.workbooks import layout

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(make_app) -> Iterator[str]:
    """The development app with demo data, served on a free loopback port."""
    app = make_app(config=None, restart=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The strict CSP (no inline script or style) must hold for every page, charts included.
    page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))
    yield page
    context.close()
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
    expect(page.locator(".flash-success")).to_be_visible()  # the answer page arrived: saved
    page.reload()
    assert page.locator("input[name='legal__substantive_offences-state'][value='4']").is_checked()
    assert page.input_value("textarea[name='legal__substantive_offences-comment']") == "Cybersecurity Act in force"

    # The coordinator answers every remaining indicator pillar by pillar.
    url = page.url.rsplit("/pillars/", 1)[0]
    page.click("form[action='/logout'] button")
    sign_in(page, "gh-coordinator")
    page.goto(url + "/pillars/legal")
    while True:
        for group in page.locator("fieldset.indicator:has(.levels)").all():
            if not group.locator("input[type=radio]:checked").count():
                group.locator("input[type=radio][value='3']").check()
        if page.locator("button[name=save_next]").count():
            page.click("button[name=save_next]")
            page.wait_for_load_state("load")  # the next pillar whole, before its questions are counted
        else:
            page.click("button[name=save]")
            page.wait_for_load_state("load")
            break
    page.goto(url + "/review")
    assert "Unanswered indicators (0)" in page.content()
    page.click("text=Submit the assessment")
    page.wait_for_selector(".chart.drawn .main-svg", timeout=20000)
    assert page.locator(".chart.drawn .scatterlayer .trace").count() >= 1
    assert "Overall score" in page.content()
    page.screenshot(path=str(tmp_path / "results.png"), full_page=True)


def text_edges(page, selector: str) -> tuple[float, float]:
    """Left and right edges of an element's text (not of its box, which spans the line)."""
    return tuple(
        page.locator(selector).first.evaluate(
            "el => { const r = document.createRange(); r.selectNodeContents(el);"
            " const b = r.getBoundingClientRect(); return [b.left, b.right]; }"
        )
    )


def content_edges(page, selector: str) -> tuple[float, float]:
    """Left and right edges of an element's content box (inside its padding)."""
    return tuple(
        page.locator(selector).first.evaluate(
            "el => { const b = el.getBoundingClientRect(), s = getComputedStyle(el);"
            " return [b.left + parseFloat(s.paddingLeft), b.right - parseFloat(s.paddingRight)]; }"
        )
    )


def screenshot_right_to_left(page, path: str, folder, name: str, text: str = "main h1"):
    """Open a page in Arabic, check it reads right to left, and keep a screenshot of it.

    One line per page, e.g. for a dashboard: `screenshot_right_to_left(page, "/dashboards/", tmp_path, "dashboard")`.
    """
    page.goto(path + ("&" if "?" in path else "?") + "lang=ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    left, right = text_edges(page, text)
    start, end = content_edges(page, "main")
    assert abs(end - right) < 4, f"{text} should start at the right edge of the page"
    assert left - start > end - right, f"{text} should be closer to the right than to the left"
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > page.viewport_size["width"] / 2  # the header is mirrored too
    shot = folder / f"{name}-ar.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    return shot


def test_pillar_page_in_arabic_reads_right_to_left(page, tmp_path):
    sign_in(page, "sn-coordinator")
    overview = page.locator("table.list a").first.get_attribute("href")
    screenshot_right_to_left(page, overview + "/pillars/legal", tmp_path, "pillar")
    left, right = text_edges(page, "fieldset.indicator legend")
    start, end = content_edges(page, "fieldset.indicator")
    assert end - right < left - start  # question titles start on the right as well
    assert page.locator("textarea[dir=ltr]").count()  # web addresses stay left to right


def test_results_chart_in_arabic_reads_right_to_left(page, tmp_path):
    sign_in(page, "donor")
    results = page.locator("a[href$='/results']").first.get_attribute("href")
    page.goto(results + "?lang=ar")
    page.wait_for_selector(".chart.drawn .main-svg", timeout=20000)
    screenshot_right_to_left(page, results, tmp_path, "results")
    page.wait_for_selector(".chart.drawn .main-svg", timeout=20000)
    # In every chart label (title, pillars, stages), the first Arabic letter is drawn to the
    # right of the last one, also in labels mixing scripts such as "فرق CERT/CSIRT ...".
    edges = page.evaluate(
        "() => Array.from(document.querySelectorAll('.chart svg text'))"
        ".filter(t => /[\\u0600-\\u06ff].*[\\u0600-\\u06ff]/.test(t.textContent)).map(t => {"
        " const s = t.textContent, arabic = /[\\u0600-\\u06ff]/;"
        " const first = [...s].findIndex(c => arabic.test(c));"
        " let last = s.length - 1; while (!arabic.test(s[last])) last--;"
        " return [s, t.getStartPositionOfChar(first).x, t.getStartPositionOfChar(last).x]; })"
    )
    assert len(edges) > 8 and any("CERT" in text for text, _, _ in edges)
    assert [text for text, first, last in edges if first <= last] == []


def test_donor_sees_every_dashboard_chart_drawn_from_local_assets(page, live_server, tmp_path):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, "donor")
    page.goto("/dashboards/ecowas/2026?country=NG&country=CI")
    page.locator(".chart.drawn .main-svg").nth(5).wait_for(timeout=30000)  # Plotly loads by itself on a fast link
    page.wait_for_selector("#panel-map .choroplethlocation", timeout=20000)  # the topojson arrived
    assert page.locator("#panel-heatmap .heatmaplayer image, #panel-heatmap .hm").count() >= 1
    assert page.locator("#panel-ranking .bars .point").count() == 7
    assert page.locator("#panel-radar .scatterlayer .trace").count() == 3
    assert page.locator("#panel-distribution .boxlayer .trace").count() == 8
    assert page.locator("#panel-map .scattergeo .point, #panel-map .scattergeo path.point").count() >= 1
    foreign = [url for url in requested if not url.startswith(live_server)]
    assert foreign == []
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_arabic_dashboard_is_drawn_right_to_left(page, tmp_path):
    sign_in(page, "donor")
    page.goto("/dashboards/ecowas/2026?lang=ar")
    page.locator(".chart.drawn .main-svg").nth(5).wait_for(timeout=30000)  # Plotly loads by itself on a fast link
    screenshot_right_to_left(page, "/dashboards/ecowas/2026", tmp_path, "dashboard")
    page.locator(".chart.drawn .main-svg").nth(5).wait_for(timeout=30000)  # Plotly loads by itself on a fast link
    # The ranking's country names sit on the right of their bars, as an Arabic reader expects.
    assert page.locator("#panel-ranking .yaxislayer-above text").count() >= 1


def test_coordinator_uploads_a_filled_workbook_and_applies_the_preview(page, tmp_path):
    sign_in(page, "sn-coordinator")
    page.locator("table.list a:has-text('Continue')").first.click()
    page.click("text=Workbook (offline)")
    with page.expect_download() as download:
        page.click("text=Download the workbook")
    path = tmp_path / "workbook.xlsx"
    download.value.save_as(path)

    # Fill one unanswered level as a colleague would offline, and save the file.
    book = openpyxl.load_workbook(path)
    sheet, row = next(
        (sheet, cells[0].row)
        for sheet in book.worksheets
        for cells in sheet.iter_rows(min_row=layout.HEADER_ROWS + 1)
        if len(cells) >= layout.VALUE
        and cells[layout.LEVEL_COLUMNS[0] - 1].value
        and cells[layout.VALUE - 1].value is None
    )
    code = sheet.cell(row, layout.CODE).value
    sheet.cell(row, layout.VALUE, "4. Strategic")
    sheet.cell(row, layout.COMMENT, "Filled in offline")
    book.save(path)

    page.set_input_files("input[name=workbook]", str(path))
    page.click("button:has-text('Upload and preview')")
    assert page.locator(f"input[name=keep][value='{code}']").is_checked()
    assert "Filled in offline" in page.content()
    page.click("button:has-text('Apply the changes kept')")
    assert "1 answer from the workbook was applied." in page.locator(".flash-success").inner_text()

    page.goto(page.url.rstrip("/") + f"/pillars/{code.split('.')[0]}")
    key = code.replace(".", "__")
    assert page.locator(f"input[name='{key}-state'][value='4']").is_checked()
    assert page.input_value(f"textarea[name='{key}-comment']") == "Filled in offline"
