"""Served by a real server thread: what a request saves is committed for every other connection."""

from __future__ import annotations

import http.cookiejar
import threading
import urllib.parse
import urllib.request

import sqlalchemy as sa
from werkzeug.serving import make_server

from survey.assessments.models import Assessment
from survey.countries.models import Country
from survey.extensions import db


def test_an_assessment_started_through_the_server_is_stored_for_everyone(committed_app, demo):
    server = make_server("127.0.0.1", 0, committed_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        form = urllib.parse.urlencode({"username": "gh-coordinator", "password": "demo"}).encode()
        assert browser.open(base + "/login", data=form, timeout=30).url.endswith("/assessments/")
        started = browser.open(base + "/assessments/start", data=b"", timeout=30)
        assert started.status == 200 and "/assessments/" in started.url
    finally:
        server.shutdown()
        thread.join()
    ghana = sa.select(Assessment).join(Country).where(Country.alpha2 == "GH", Assessment.cycle.has(year=2026))
    with db.engine.connect() as other:  # a connection of its own, as another worker's would be
        assert other.execute(ghana).first() is not None
