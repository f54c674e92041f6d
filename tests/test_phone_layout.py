"""On a 360 px phone, in every language: no page is wider than the screen, Arabic opens at its
start, and the sticky save bar never hides the field being filled in.

The pages are found by walking `app.url_map` for each demo role (as the pseudo-locale test does),
so a new page is covered without editing this file.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

import survey.images.service
from survey import create_app
from tests import factories

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 640}
LANGUAGES = ("en", "fr", "pt", "ar")
# One account per kind of user; between them they reach every page.
ROLES = {
    "anonymous": None,
    "contributor": "sn-contributor",
    "coordinator": "sn-coordinator",
    "validator": "gh-validator",
    "donor": "donor",
    "admin": "admin",
    "translator": "translator",
}
SAVE_DATA = "Object.defineProperty(navigator, 'connection', {value: {saveData: true, effectiveType: '4g'}})"
# Set PHONE_SHOTS to a folder to keep a screenshot of the first screen of every pillar, to look at.
SHOTS = os.environ.get("PHONE_SHOTS")

# Everything on the page that sticks out of the screen, except inside a box that scrolls (or
# clips) on its own, content made visually hidden on purpose (.sr-only, a 1 px box) and what
# sits above the page, where no one can scroll to (Plotly's measuring box).
OVERFLOW_SCRIPT = """screen => {
  const found = [], doc = document.documentElement;
  if (doc.scrollWidth > screen) found.push(`document is ${doc.scrollWidth}px wide`);
  if (window.innerWidth > screen) found.push(`the browser zoomed out to ${window.innerWidth}px`);
  const contained = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1 || box.bottom + window.scrollY <= 0) continue;
    if (box.right <= screen + 0.5 && box.left >= -0.5) continue;
    if (getComputedStyle(el).visibility === 'hidden' || contained(el)) continue;
    wide.push([el, box]);
  }
  // Name the culprits, not every ancestor they push out with them.
  for (const [el, box] of wide) {
    if (wide.some(([other]) => other !== el && el.contains(other))) continue;
    found.push(`${name(el)} spans ${Math.round(box.left)}..${Math.round(box.right)}px`
               + ` (${(el.textContent || '').trim().slice(0, 40)})`);
  }
  return found;
}"""


def blank_svg(figure: dict, width: int, height: int) -> bytes:
    """An image of the size the chart would be drawn at."""
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"/>'.encode()


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_files) -> Iterator[tuple[Flask, str]]:
    """The development app with demo data, served on a free loopback port for this module."""
    instance = tmp_path_factory.mktemp("phone")
    sqlite_files.copy("development", instance / "cyberready.sqlite")  # as its first start leaves it
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INSTANCE_PATH", str(instance))
        patch.delenv("DATABASE_URL", raising=False)
        # Every chart shows its image, as for every reader after the first: drawn while the page waits
        # (not in the background, which leaves the first visit without it), as an empty SVG of its
        # size, since only its size lays out the page (Kaleido, a second Chromium, is tested elsewhere).
        patch.setattr(survey.images.service, "figure_to_svg", blank_svg)
        app = create_app()
        app.config["CHART_IMAGES"] = "sync"
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield app, f"http://127.0.0.1:{server.server_port}"
        server.shutdown()
        thread.join()


def open_phone(browser, base_url: str, language: str):
    """A page on a phone-sized touch screen whose reader chose `language`."""
    context = browser.new_context(
        base_url=base_url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        # The offline worker caches what each page lists and proxies every request: work for nothing
        # here, as its status line stays empty (hidden) while no answer waits to be sent.
        service_workers="block",
    )
    choose_language(context, base_url, language)
    # A reader who saves data: the charts stay images until "Explore" (js/charts.js), as on any phone
    # whose connection is not fast, instead of 1.5 MB of Plotly parsed after each chart page.
    context.add_init_script(SAVE_DATA)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


def choose_language(context, base_url: str, language: str) -> None:
    """The language the reader chose (the cookie the language menu sets)."""
    context.add_cookies([{"name": "lang", "value": language, "url": base_url}])


def sign_in(page, username: str | None) -> None:
    """Sign in as a demo account (or stay anonymous)."""
    if username is None:
        return
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()


# Files, not pages: not fetched at all (a PDF report or a workbook costs seconds to build). A download
# missing here is still fetched and then left out by its content type, only more slowly.
DOWNLOADS = {
    "static",
    "pages.health",
    "pages.framework_workbook",
    "evidence.download",
    "workbooks.download",
    "dashboards.panel_csv",
    "dashboards.export",
    "dashboards.plan_export",
    "dashboards.needs_download",
    "dashboards.chart_image_file",
    "reports.report",
    "projects.export",
    "offline.service_worker",
}


def reachable_paths(app: Flask, page, sent: dict[str, str] | None = None) -> list[str]:
    """Every HTML page the signed-in user can open, with ids taken from what they can see.

    `sent`, if given, receives each page's HTML as the server sent it.
    """
    page.goto("/assessments/")
    ids = re.findall(r'href="/assessments/(\d+)"', page.content())
    with app.app_context():
        token = factories.recovery_token("gh-contributor")  # a working link: its page shows the form
    values = {
        "assessment_id": int(ids[0]) if ids else 1,
        "pillar_code": "legal",
        "code": "legal.substantive_offences",
        "user_id": 2,
        "version_id": 1,
        "region_code": "ecowas",
        "year": 2026,
        "panel": "ranking",
        "fmt": "csv",
        "alpha2": "NG",
        "file_id": 1,
        "action_id": 1,  # the first action of Ghana's demo plan
        "key": "0" * 32,
        "_rest": "no-such-thing",
        "project_id": 1,  # the first demo project, public
        "token": token,
    }
    adapter = app.url_map.bind("localhost")
    paths = ["/no-such-page", "/dashboards/ecowas/2026?country=NG&country=CI"]
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in DOWNLOADS and not rule.rule.startswith("/api/"):
            paths.append(adapter.build(rule.endpoint, {k: values[k] for k in rule.arguments}))
    pillar = adapter.build("assessments.pillar", {k: values[k] for k in ("assessment_id", "pillar_code")})
    if page.goto(pillar).ok:  # every pillar: their questions differ (money, counts, yes/no)
        paths += page.eval_on_selector_all(".pillar-tabs a", "links => links.map(a => a.pathname)")
    html = []
    reader = same_reader(app, page)
    for path in dict.fromkeys(paths):
        response = reader.get(path)
        if response.status_code < 300 or response.status_code == 404 and path == "/no-such-page":
            if response.mimetype == "text/html":
                html.append(path)
                if sent is not None:
                    sent[path] = response.get_data(as_text=True)
    return html


def same_reader(app: Flask, page) -> FlaskClient:
    """A test client holding the phone's cookies (session, language): the pages the phone would get.

    Asked in the test's own process, without going through Chromium's network stack and protocol,
    which cost the browser process as much CPU again as the pages' own layout.
    """
    client = app.test_client()
    for cookie in page.context.cookies():
        client.set_cookie(cookie["name"], cookie["value"])
    return client


def overflow(page) -> list[str]:
    """What sticks out of the phone's screen on the current page."""
    return page.evaluate(OVERFLOW_SCRIPT, PHONE["width"])


def show(page, path: str, html: str) -> None:
    """A page the server sent, written into the phone's tab at its own address; waits for its images.

    The same HTML, stylesheet and scripts laid out on the same screen as after following a link, at a
    third of the cost: a navigation costs Chromium some 60 ms of work of its own, whatever the page.
    """
    page.evaluate("path => history.replaceState(null, '', path)", path)  # links and scripts see the path
    page.set_content(html)  # replaces the whole document, then waits for "load"


@pytest.mark.parametrize("role", list(ROLES), ids=lambda role: f"as_{role}")
def test_no_page_is_wider_than_a_phone(site, browser, role):
    app, base_url = site
    # One sign-in and one walk of the site per role; the language is the cookie, changed between rounds.
    page = open_phone(browser, base_url, LANGUAGES[0])
    sign_in(page, ROLES[role])
    sent: dict[str, str] = {}
    paths = reachable_paths(app, page, sent)
    assert len(paths) >= 6, paths
    problems: dict[str, list[str]] = {}
    for language in LANGUAGES:
        if language != LANGUAGES[0]:
            choose_language(page.context, base_url, language)
            reader = same_reader(app, page)
        for path in paths:
            html = sent[path] if language == LANGUAGES[0] else reader.get(path).get_data(as_text=True)
            show(page, path, html)
            where = f"{language} {path}"
            assert (page.get_attribute("html", "lang") or "").split("-")[0] == language, where  # en-GB, pt-PT
            if found := overflow(page):
                problems[where] = found[:6]
            if language == "ar":  # the page opens at its start: the right edge, title in view
                if page.evaluate("window.scrollX") != 0:
                    problems.setdefault(where, []).append("opens scrolled sideways")
    page.context.close()
    assert page.errors == []
    assert not problems, "\n".join(f"{where}: {found}" for where, found in problems.items())


def open_pillar(browser, base_url: str, language: str):
    """A coordinator's phone on the first pillar of their draft; returns the page and the pillar paths."""
    page = open_phone(browser, base_url, language)
    sign_in(page, "sn-coordinator")
    page.goto("/assessments/")
    page.click("table.list a[href^='/assessments/']")  # the draft's overview
    page.click(".actions a.primary")  # "Answer the questions"
    page.wait_for_selector(".pillar-tabs a")  # a click does not wait for the page it opens
    pillars = page.eval_on_selector_all(".pillar-tabs a", "links => links.map(a => a.pathname)")
    assert len(pillars) == 8, page.url
    return page, pillars


def save_bar_top(page) -> float:
    """Where the sticky save bar starts, in viewport pixels."""
    return page.locator(".save-bar").evaluate("bar => bar.getBoundingClientRect().top")


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda code: f"in_{code}")
def test_first_screen_of_every_pillar_shows_its_first_question(site, browser, language):
    _, base_url = site
    page, pillars = open_pillar(browser, base_url, language)
    hidden = {}
    for path in pillars:
        page.goto(path)
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"pillar-{path.rsplit('/', 1)[1]}-{language}.png"))
        question = page.locator("fieldset.indicator .question").first.bounding_box()
        if question["y"] < 0 or question["y"] + question["height"] > save_bar_top(page):
            hidden[path] = question
    page.context.close()
    assert not hidden, f"the first question is below the first screen: {hidden}"


# The focused element, the save bar's top and whether focus is inside the bar (or left the form).
FOCUS_SCRIPT = """() => {
  const el = document.activeElement, bar = document.querySelector('.save-bar');
  const box = el.getBoundingClientRect();
  return {name: el.name || el.tagName.toLowerCase() + ' ' + (el.textContent || '').trim().slice(0, 30),
          top: box.top, bottom: box.bottom, barTop: bar.getBoundingClientRect().top,
          inBar: bar.contains(el), inForm: !!el.closest('form.pillar-form')};
}"""


@pytest.mark.parametrize("pillar", ["legal", "resources"])
def test_tabbing_through_a_pillar_on_a_phone_never_hides_the_field_under_the_save_bar(site, browser, pillar):
    _, base_url = site
    page, pillars = open_pillar(browser, base_url, "en")
    page.goto(next(path for path in pillars if path.endswith("/" + pillar)))
    stops, hidden = 0, []
    for _ in range(400):  # from the top of the page: the header's links, then the questions
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_SCRIPT)
        if not focus["inForm"] and not stops:
            continue
        if focus["inBar"] or not focus["inForm"]:
            break
        stops += 1
        if focus["bottom"] > focus["barTop"] + 0.5 or focus["top"] < 0:
            hidden.append(focus)
    page.context.close()
    assert stops > 20  # the walk went through the questions, not straight to the buttons
    assert hidden == [], f"{len(hidden)} of {stops} focus stops are hidden: {hidden[:5]}"
