"""Charts before Plotly: server-drawn images of each figure, pages and files served compressed once."""

from __future__ import annotations

import gzip
import re
import threading
import time
from collections.abc import Iterator
from html import unescape

import brotli
import pytest
from werkzeug.serving import make_server

from survey import create_app
from survey.dashboards.cache import pages
from survey.extensions import db
from survey.pages.assets import compress_folder
from tests.conftest import count_queries
from tests.test_browser import sign_in

IMAGE = re.compile(r"/dashboards/images/([0-9a-f]{32})\.svg")


@pytest.fixture
def drawn(app, tmp_path, monkeypatch):
    """Chart images drawn while the page waits (as only tests do), into a folder of this test."""
    monkeypatch.setitem(app.config, "CHART_IMAGES", "sync")
    monkeypatch.setitem(app.config, "CHART_IMAGE_DIR", str(tmp_path / "images"))
    monkeypatch.delitem(app.extensions, "chart_images", raising=False)
    return app


def xtick_positions(svg: str) -> dict[str, float]:
    """Horizontal position of each x-axis tick label of a Plotly SVG."""
    ticks = re.findall(r'<g class="xtick"><text[^>]*?translate\(([-\d.]+),[^>]*>([^<]+)</text>', svg)
    return {label: float(x) for x, label in ticks}


def test_chart_image_is_the_figure_drawn_with_its_translated_title(client, auth, demo, drawn):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026?lang=fr").get_data(as_text=True)
    keys = IMAGE.findall(page)
    assert len(set(keys)) == 16  # eight charts, each for narrow and wide screens
    images = [client.get(f"/dashboards/images/{key}.svg") for key in keys]
    assert {r.status_code for r in images} == {200} and {r.mimetype for r in images} == {"image/svg+xml"}
    svgs = [r.get_data(as_text=True) for r in images]
    assert all(svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg for svg in svgs)
    titles = {unescape(t) for svg in svgs for t in re.findall(r'class="gtitle"[^>]*>([^<]+)<', svg)}
    assert "Classement selon le score global" in titles, titles
    assert any("Bénin" in svg for svg in svgs)  # country names in the reader's language


def test_arabic_chart_images_run_right_to_left(client, auth, demo, drawn):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026?lang=ar").get_data(as_text=True)
    ranking = re.search(r'id="panel-ranking".*?</section>', page, re.S).group(0)
    wide = IMAGE.findall(ranking)[-1]  # the <img>; the <source> before it is for phones
    svg = client.get(f"/dashboards/images/{wide}.svg").get_data(as_text=True)
    assert "ترتيب البلدان حسب الدرجة الإجمالية" in svg
    ticks = xtick_positions(svg)
    assert ticks["100"] < ticks["0"]  # scores grow from right to left


def test_page_shows_the_image_before_any_plotly_and_works_without_javascript(client, auth, demo, drawn):
    auth.login("gh-coordinator")
    listing = client.get("/assessments/").get_data(as_text=True)
    results = re.search(r'href="(/assessments/\d+/results)"', listing).group(1)
    page = client.get(results).get_data(as_text=True)
    image = page.index("/dashboards/images/")
    assert image < page.index("plotly-custom.min.js")
    assert "plotly" not in page[:image].lower()
    # Without JavaScript: the image, its text alternative, and the table with the same data.
    assert re.search(r'<img src="/dashboards/images/[0-9a-f]{32}\.svg" width="880" height="\d+" alt="Radar chart', page)
    assert 'id="pillar-table"' in page
    assert '<p class="explore" hidden>' in page  # the Explore button appears only with JavaScript


def test_image_names_reveal_nothing_and_unknown_ones_are_404(client, auth, demo, drawn):
    assert client.get("/dashboards/images/" + "0" * 32 + ".svg").status_code == 404
    assert client.get("/dashboards/images/..%2F..%2Fsecret.svg").status_code == 404
    assert client.get("/dashboards/images/ABC.svg").status_code == 404


def test_chart_image_is_cached_by_name_and_never_drawn_again(client, auth, demo, drawn, monkeypatch):
    import survey.images.service as service

    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    pages().clear()
    monkeypatch.setattr(service, "figure_to_svg", lambda *a: pytest.fail("drew an image it had"))
    assert IMAGE.findall(client.get("/dashboards/ecowas/2026").get_data(as_text=True)) == IMAGE.findall(page)
    key = IMAGE.findall(page)[0]
    first = client.get(f"/dashboards/images/{key}.svg", headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br"
    assert first.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert "Cookie" not in first.headers.get("Vary", "")
    assert brotli.decompress(first.data).startswith(b"<svg")
    again = client.get(f"/dashboards/images/{key}.svg", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_without_an_image_the_page_opens_the_tables_and_draws_in_the_background(
    client, auth, demo, app, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "CHART_IMAGES", "background")
    monkeypatch.setitem(app.config, "CHART_IMAGE_DIR", str(tmp_path / "images"))
    monkeypatch.delitem(app.extensions, "chart_images", raising=False)
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    assert not IMAGE.search(page) and page.count("<details open>") == 8
    deadline = time.monotonic() + 120
    while len(set(IMAGE.findall(page))) < 16 and time.monotonic() < deadline:
        time.sleep(1)
        page = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    assert len(set(IMAGE.findall(page))) == 16  # drawn for the next reader
    assert page.count("<details>") == 8


class CountingCompressor:
    """Counts calls to brotli and gzip compression, wherever they come from."""

    def __init__(self, monkeypatch):
        self.calls = 0
        for module in (brotli, gzip):
            monkeypatch.setattr(module, "compress", self.counting(module.compress))

    def counting(self, compress):
        def counted(*args, **kwargs):
            self.calls += 1
            return compress(*args, **kwargs)

        return counted


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_cached_dashboard_is_sent_compressed_without_compressing_again(client, auth, demo, monkeypatch, encoding):
    auth.login("donor")
    compressor = CountingCompressor(monkeypatch)
    first = client.get("/dashboards/ecowas/2026", headers={"Accept-Encoding": encoding})
    assert first.headers["Content-Encoding"] == encoding and compressor.calls >= 1
    compressor.calls = 0
    for path in ("/dashboards/ecowas/2026", "/dashboards/ecowas/2026/needs", "/dashboards/countries/GH"):
        client.get(path, headers={"Accept-Encoding": encoding})
        compressor.calls = 0
        again = client.get(path, headers={"Accept-Encoding": encoding})
        assert again.headers["Content-Encoding"] == encoding, path
        assert compressor.calls == 0, path
    body = brotli.decompress(again.data) if encoding == "br" else gzip.decompress(again.data)
    assert "Country profile: Ghana" in body.decode()


def test_cached_page_still_shows_each_reader_their_own_header(client, auth, demo):
    auth.login("donor")
    assert "donor" in client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    auth.logout()
    anonymous = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    assert ">donor<" not in anonymous and "Sign in" in anonymous
    auth.login("admin")
    assert "admin" in client.get("/dashboards/ecowas/2026").get_data(as_text=True)


def test_exports_are_cached_until_the_data_changes(client, auth, demo, monkeypatch):
    auth.login("donor")
    first = client.get("/dashboards/ecowas/2026/export.csv", headers={"Accept-Encoding": "gzip"})
    compressor = CountingCompressor(monkeypatch)
    with count_queries() as statements:
        again = client.get("/dashboards/ecowas/2026/export.csv", headers={"Accept-Encoding": "gzip"})
    assert again.data == first.data and again.headers["Content-Encoding"] == "gzip"
    assert compressor.calls == 0 and len(statements) <= 3  # the user and the data stamp


def test_static_files_do_not_vary_on_the_cookie(client, auth, demo):
    auth.login("donor")
    page = client.get("/dashboards/ecowas/2026").get_data(as_text=True)
    assets = re.findall(r'"(/static/[^"]+\?v=[0-9a-f]+)"', page)
    assert len(assets) >= 4
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Cookie" not in response.headers.get("Vary", ""), url
        assert "immutable" in response.headers["Cache-Control"], url
        response.close()


def test_precompressed_static_files_are_sent_as_they_are(app, client, tmp_path, monkeypatch):
    folder = tmp_path / "static"
    (folder / "vendor").mkdir(parents=True)
    script = b"var plotly = 'a large bundle';\n" * 400
    (folder / "vendor" / "bundle.js").write_bytes(script)
    monkeypatch.setattr(app, "static_folder", str(folder))
    assert len(compress_folder(folder)) == 2 and compress_folder(folder) == []  # only what is stale
    compressor = CountingCompressor(monkeypatch)
    response = client.get("/static/vendor/bundle.js?v=1", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br" and compressor.calls == 0
    assert brotli.decompress(response.data) == script
    assert response.data == (folder / "vendor" / "bundle.js.br").read_bytes()
    assert "Accept-Encoding" in response.headers["Vary"] and "Cookie" not in response.headers["Vary"]
    response.close()
    plain = client.get("/static/vendor/bundle.js?v=1", headers={"Accept-Encoding": "identity"})
    assert plain.headers.get("Content-Encoding") is None and plain.data == script
    plain.close()


def test_profile_runs_the_same_number_of_queries_for_2_and_10_cycles(app, client, auth, demo):
    from survey.dashboards.synthetic import generate

    auth.login("donor")

    def queries() -> int:
        db.session.expire_all()
        pages().clear()  # the work of building the profile, not a cache hit
        with count_queries() as statements:
            page = client.get("/dashboards/countries/BJ")
            assert page.status_code == 200
        return len(statements)

    generate(countries=60, cycles=2, server_database_ok=True)
    db.session.commit()
    two = queries()
    generate(countries=60, cycles=10, server_database_ok=True)
    db.session.commit()
    assert queries() == two
    assert "2017" in client.get("/dashboards/countries/BJ").get_data(as_text=True)


@pytest.fixture
def server_with_images(tmp_path, monkeypatch, sqlite_files) -> Iterator[str]:
    """The development app with demo data and chart images drawn as pages ask, on a loopback port."""
    sqlite_files.copy("development", tmp_path / "cyberready.sqlite")  # as its first start leaves it
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app(CHART_IMAGES="sync")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.mark.browser
def test_slow_connection_sees_images_and_explores_one_chart(server_with_images, browser):
    context = browser.new_context(base_url=server_with_images, viewport={"width": 360, "height": 740})
    # A 3G phone: Plotly must wait for the reader.
    context.add_init_script(
        "Object.defineProperty(navigator, 'connection', {value: {effectiveType: '3g', saveData: false}})"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: "Content Security Policy" in m.text and errors.append(m.text))
    scripts: list[str] = []
    page.on("request", lambda r: r.resource_type == "script" and scripts.append(r.url))
    sign_in(page, "donor")
    page.goto("/dashboards/ecowas/2026")
    page.wait_for_load_state("load")
    images = page.locator("#panel-ranking .chart-image img")
    assert images.evaluate("img => img.complete && img.naturalWidth > 0")
    assert images.evaluate("img => img.currentSrc").endswith(".svg")
    assert not [url for url in scripts if "plotly" in url]
    page.click("#panel-ranking .explore button")
    page.locator("#panel-ranking .chart.drawn .main-svg").first.wait_for(timeout=30000)
    assert page.locator("#panel-ranking .chart-image").is_hidden()
    assert page.locator("#panel-heatmap .chart-image img").is_visible()  # the others stay images
    context.close()
    assert errors == [], errors


@pytest.mark.browser
def test_phone_on_a_fast_connection_keeps_the_images_until_the_reader_explores(server_with_images, browser):
    context = browser.new_context(
        base_url=server_with_images, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    # A fast link, but a phone's processor: seconds of Plotly would leave the page deaf to taps.
    context.add_init_script(
        "Object.defineProperty(navigator, 'connection', {value: {effectiveType: '4g', saveData: false}})"
    )
    page = context.new_page()
    scripts: list[str] = []
    page.on("request", lambda r: r.resource_type == "script" and scripts.append(r.url))
    sign_in(page, "donor")
    page.goto("/dashboards/ecowas/2026")
    page.wait_for_load_state("networkidle")
    assert page.locator("#panel-ranking .chart-image img").is_visible()
    assert not [url for url in scripts if "plotly" in url]
    page.click("#panel-ranking .explore button")
    page.locator("#panel-ranking .chart.drawn .main-svg").first.wait_for(timeout=30000)
    context.close()


def test_image_store_keeps_a_bounded_number_of_images_and_waiting_figures(tmp_path, monkeypatch):
    import os

    from survey.images import store as images
    from survey.images.store import ImageStore, Renderer, Spec

    shelf = ImageStore(tmp_path, "secret")
    specs = [Spec({"data": [], "layout": {"title": {"text": f"chart {n}"}}}, 360, 300) for n in range(5)]
    keys = [shelf.key(spec) for spec in specs]
    assert len(set(keys)) == 5 and ImageStore(tmp_path, "other secret").key(specs[0]) != keys[0]
    monkeypatch.setattr(images, "MAX_ASKED", 3)
    assert [shelf.ask(key, spec) for key, spec in zip(keys, specs, strict=True)] == [True, True, True, False, False]
    renderer = Renderer(shelf, lambda figure, width, height: f"<svg>{figure['layout']['title']['text']}</svg>".encode())
    assert renderer.draw_asked() == 3 and shelf.asked() == []
    assert shelf.read(keys[0]) == b"<svg>chart 0</svg>"
    assert brotli.decompress(shelf.read(keys[0], "br")) == b"<svg>chart 0</svg>"
    for age, key in enumerate(keys[:3]):  # the first drawn is the oldest
        os.utime(shelf.path(key), (1_000_000 + age, 1_000_000 + age))
    assert shelf.prune(keep=2) == 1
    assert not shelf.has(keys[0]) and shelf.read(keys[0], "gzip") is None and shelf.has(keys[1])
