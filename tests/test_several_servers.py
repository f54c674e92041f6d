"""Several servers: two gunicorn servers behind nginx sharing PostgreSQL and Redis, as in production; the refusal of
several workers on per-process counters; processes migrating one empty database together.

Two app servers (gunicorn, two workers each) behind nginx, sharing PostgreSQL and Redis:

nginx hands requests to the two in turn (round-robin) and names the one that answered in a header,
so each step below is known to go through one server and the next through the other. All four
workers start together on an empty database: the migration lock lets one migrate and load the demo
data while the others wait.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from survey import caching
from tests.browsing import pillar_form_fields
from tests.conftest import PG_URL, WORKER, Auth, free_port, recreate_schema

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS = "redis://127.0.0.1:6379"
TOGO_ON_THE_DASHBOARD = 'href="/dashboards/countries/TG"'
SIGN_OUT_BUTTON = 'action="/logout"'

pytestmark = pytest.mark.committed


def _why_not() -> str | None:
    """Why this machine cannot run the test, or None."""
    if not PG_URL or not PG_URL.startswith("postgresql"):
        return "several servers need a shared PostgreSQL database: set TEST_DATABASE_URL (.ci/run does)"
    if not Path(NGINX).exists():
        return "nginx is not installed (apt-get install nginx; .ci/run does)"
    return _no_redis()


def _no_redis() -> str | None:
    """Why there is no Redis to share, or None."""
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except Exception as error:  # noqa: BLE001 - any failure means no usable Redis
        return f"no Redis at {REDIS} ({error}); .ci/run installs and starts redis-server"
    return None


def skip_without_redis() -> None:
    """Skip (fail in CI, which starts Redis) when there is no Redis."""
    if reason := _no_redis():
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def nginx_config(folder: Path, port: int, upstreams: list[int]) -> Path:
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    config = folder / "nginx.conf"
    config.write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
master_process off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    upstream app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
            proxy_next_upstream off;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""
    )
    return config


def no_control_socket() -> list[str]:
    """Gunicorn 25+ opens a control socket in the user's home, one path for all: not for these servers."""
    from gunicorn.config import Config

    return ["--no-control-socket"] if "control_socket_disable" in Config().settings else []


def wait_until_up(url: str, processes: list[subprocess.Popen], seconds: float = 240) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, f"a server stopped (exit {process.returncode}); see its output above"
        try:
            if requests.get(url, timeout=30).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or its workers still starting
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.fixture
def proxy(tmp_path) -> Iterator[str]:
    """The address of nginx in front of two gunicorn servers; the schema is empty when they start."""
    if reason := _why_not():
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    schema = f"test_several_{WORKER}"
    recreate_schema(schema)
    prefix = f"cyberready-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "CYBERREADY_ENV": "development",  # migrations and demo data at start, by whichever worker is first
        "DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{schema}",
        "REDIS_URL": REDIS,
        "REDIS_KEY_PREFIX": prefix,
        "PROXY_FIX_HOPS": "1",
        "CHART_IMAGES": "off",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "MAIL_SEND_AFTER_RESPONSE": "0",
    }
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "240"]
            + no_control_socket()
            + ["--bind", f"127.0.0.1:{port}", "app:app"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for port in ports
    ]
    nginx_port = free_port()
    config = nginx_config(tmp_path, nginx_port, ports)
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(config), "-e", str(tmp_path / "error.log")])
    try:
        for port in ports:
            wait_until_up(f"http://127.0.0.1:{port}/login", [*servers, nginx])
        yield f"http://127.0.0.1:{nginx_port}"
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        import redis

        store = redis.Redis.from_url(REDIS)
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)
        recreate_schema(schema, drop_only=True)


def form_token(page: str) -> str:
    """The form token of a page (the sign-in form, or the sign-out button of the header)."""
    found = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, page[:2000]
    return found.group(1)


class Browser:
    """A requests session through nginx that notes which server answered each request."""

    def __init__(self, base: str):
        import requests

        self.base = base
        self.session = requests.Session()
        self.answered_by: list[str] = []
        self._token: str | None = None

    def request(self, method: str, path: str, **kwargs):
        response = self.session.request(method, self.base + path, allow_redirects=False, timeout=60, **kwargs)
        self.answered_by.append(response.headers["X-Upstream"])
        return response

    def token(self) -> str:
        """The session's form token, asked for once (it stays valid), so that posts alone take turns."""
        if self._token is None:
            page = self.request("GET", "/login").text
            self._token = form_token(page)
        return self._token

    def sign_in(self, username: str, password: str = "demo"):
        token = self.token()
        response = self.request(
            "POST", "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        if response.status_code == 302:
            self._token = None  # signing in starts a new session, with a new token
        return response

    def last_two_differ(self) -> bool:
        return self.answered_by[-1] != self.answered_by[-2]


def test_two_servers_behind_nginx_share_lock_outs_releases_and_sign_outs(proxy):
    # A lock-out earned through both servers holds on both (5 failures per account by default).
    attacker = Browser(proxy)
    attacker.token()
    for _attempt in range(5):
        assert attacker.sign_in("gh-validator", "wrong password, again").status_code == 401
    assert len(set(attacker.answered_by[-5:])) == 2  # the failures were spread over the two servers
    for _server in range(2):
        assert attacker.sign_in("gh-validator").status_code == 429  # the right password, locked out
    assert attacker.last_two_differ()

    # A release made through one server shows on the other's dashboard at the next request.
    reader = Browser(proxy)
    assert TOGO_ON_THE_DASHBOARD not in reader.request("GET", "/dashboards/ecowas/2026").text
    assert TOGO_ON_THE_DASHBOARD not in reader.request("GET", "/dashboards/ecowas/2026").text  # both cached it
    coordinator = Browser(proxy)
    assert coordinator.sign_in("tg-coordinator").status_code == 302
    listing = coordinator.request("GET", "/assessments/").text
    token = form_token(listing)
    (assessment_id,) = set(re.findall(r"/assessments/(\d+)", listing))
    released = coordinator.request(
        "POST", f"/assessments/{assessment_id}/release", data={"visibility": "public", "csrf_token": token}
    )
    assert released.status_code == 302
    released_by = coordinator.answered_by[-1]
    page = reader.request("GET", "/dashboards/ecowas/2026")
    if reader.answered_by[-1] == released_by:
        page = reader.request("GET", "/dashboards/ecowas/2026")
    assert reader.answered_by[-1] != released_by
    assert TOGO_ON_THE_DASHBOARD in page.text

    # Signing out through one server ends the session on both: a copy of the cookie no longer works.
    official = Browser(proxy)
    assert official.sign_in("gh-coordinator").status_code == 302
    assert official.request("GET", "/assessments/").status_code == 200
    copied = dict(official.session.cookies)
    token = form_token(official.request("GET", "/assessments/").text)
    assert official.request("POST", "/logout", data={"csrf_token": token}).status_code == 302
    thief = Browser(proxy)
    thief.session.cookies.update(copied)
    for _server in range(2):
        response = thief.request("GET", "/assessments/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert thief.last_two_differ()


def start_production(tmp_path: Path, arguments: list[str], **environment: str) -> subprocess.Popen:
    """Gunicorn serving the production configuration on an (unmigrated) SQLite file."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "WEB_CONCURRENCY")}
    env.update(
        CYBERREADY_ENV="production",
        SECRET_KEY="a-production-secret-of-40-characters-xx",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite'}",
        INSTANCE_PATH=str(tmp_path / "instance"),
        CHART_IMAGES="off",
        **environment,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *no_control_socket(), "--timeout", "120", *arguments, "app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.parametrize(
    ("arguments", "environment"),
    [(["--workers", "2"], {}), ([], {"WEB_CONCURRENCY": "3"})],
    ids=["command line", "WEB_CONCURRENCY"],
)
def test_production_refuses_several_workers_that_would_count_sign_ins_apart(tmp_path, arguments, environment):
    port = free_port()
    server = start_production(tmp_path, [*arguments, "--bind", f"127.0.0.1:{port}"], **environment)
    try:
        output, _ = server.communicate(timeout=120)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode != 0
    assert "sign-in failures are counted in memory, per worker" in output
    assert "REDIS_URL=redis://" in output and "--workers 1" in output


@pytest.mark.parametrize("shared", ["one worker", "Redis"])
def test_production_starts_with_one_worker_or_with_redis(tmp_path, shared):
    import requests

    if shared == "Redis":
        skip_without_redis()
    port = free_port()
    workers = ["--workers", "1"] if shared == "one worker" else ["--workers", "2"]
    environment = {"REDIS_URL": REDIS} if shared == "Redis" else {}
    server = start_production(tmp_path, [*workers, "--bind", f"127.0.0.1:{port}"], **environment)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, server.communicate()[0]
            try:
                if requests.get(f"http://127.0.0.1:{port}/static/favicon.svg", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            raise AssertionError("the server did not answer")
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.fixture
def two_apps(make_app) -> Iterator[tuple[Flask, Flask, str]]:
    """Two applications on one database and one Redis (under a key prefix of their own), and that prefix."""
    skip_without_redis()
    import redis

    prefix = f"cyberready-test-{uuid.uuid4().hex[:8]}"
    shared = {"REDIS_URL": REDIS, "REDIS_KEY_PREFIX": prefix}
    first = make_app(data="demo", **shared)
    second = make_app(SQLALCHEMY_DATABASE_URI=first.config["SQLALCHEMY_DATABASE_URI"], **shared)
    yield first, second, prefix
    store = redis.Redis.from_url(REDIS)
    for key in store.scan_iter(f"{prefix}*"):
        store.delete(key)


def test_two_apps_sharing_redis_show_a_release_at_the_next_request(two_apps):
    """The data stamp kept in Redis changes with the release: no server keeps showing the old page."""
    import redis

    first, second, prefix = two_apps
    reader = second.test_client()
    for _visit in range(3):  # the page is then given again as it was sent, without running the app
        assert TOGO_ON_THE_DASHBOARD not in reader.get("/dashboards/ecowas/2026").get_data(as_text=True)
    coordinator = first.test_client()
    Auth(coordinator).login("tg-coordinator")
    listing = coordinator.get("/assessments/").get_data(as_text=True)
    (assessment_id,) = set(re.findall(r"/assessments/(\d+)", listing))
    assert coordinator.post(f"/assessments/{assessment_id}/release", data={"visibility": "public"}).status_code == 302
    assert TOGO_ON_THE_DASHBOARD in reader.get("/dashboards/ecowas/2026").get_data(as_text=True)
    assert redis.Redis.from_url(REDIS).keys(f"{prefix}:pages:*")  # the pages were kept in Redis


def test_an_account_kept_by_another_server_follows_sign_out_role_changes_and_deactivation(two_apps):
    """Each server keeps the account of a session it served; a change made through another ends that at once."""
    first, second, _prefix = two_apps

    def signed_in_on_both(username: str) -> tuple:
        here, there = first.test_client(), second.test_client()
        assert Auth(here).login(username).status_code == 302
        there.set_cookie("session", here.get_cookie("session").value)
        for _visit in range(2):  # the second visit is served from the account the server kept
            assert there.get("/assessments/").status_code == 200
        return here, there

    def signed_out(client) -> bool:
        response = client.get("/assessments/")
        return response.status_code == 302 and "/login" in response.headers["Location"]

    here, there = signed_in_on_both("gh-coordinator")
    for _visit in range(3):  # a page given again as it was sent, without running the app
        assert SIGN_OUT_BUTTON in there.get("/dashboards/ecowas/2026").get_data(as_text=True)
    assert Auth(here).logout().status_code == 302
    assert SIGN_OUT_BUTTON not in there.get("/dashboards/ecowas/2026").get_data(as_text=True)
    assert signed_out(there)  # a copy of the cookie is signed out on the other server too

    here, there = signed_in_on_both("gh-coordinator")
    assert there.get("/admin/users").status_code == 403
    runner = first.test_cli_runner()
    result = runner.invoke(args=["users", "set-roles", "gh-coordinator", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert there.get("/admin/users").status_code == 200  # the other server sees the new role

    result = runner.invoke(args=["users", "deactivate", "gh-coordinator"])
    assert result.exit_code == 0, result.output
    assert signed_out(there)


def test_a_server_whose_redis_connection_was_closed_reads_the_change_counter_again(two_apps, caplog):
    """A server learns of changes from notes Redis pushes on one connection; with that connection gone, it asks."""
    import redis

    first, second, prefix = two_apps
    reader = second.test_client()
    for _visit in range(2):  # the second visit trusts the counter it read and the notes it got since
        assert TOGO_ON_THE_DASHBOARD not in reader.get("/dashboards/ecowas/2026").get_data(as_text=True)
    store = redis.Redis.from_url(REDIS)
    name = f"{prefix}:change-counter"
    tracked = [client for client in store.client_list() if client["name"] == name]
    assert len(tracked) == 1 and "t" in tracked[0]["flags"]  # one connection, tracking the counter
    store.client_kill_filter(_id=tracked[0]["id"])  # as a Redis restart or an idle timeout would

    coordinator = first.test_client()
    Auth(coordinator).login("tg-coordinator")
    (assessment_id,) = set(re.findall(r"/assessments/(\d+)", coordinator.get("/assessments/").get_data(as_text=True)))
    assert coordinator.post(f"/assessments/{assessment_id}/release", data={"visibility": "public"}).status_code == 302
    assert TOGO_ON_THE_DASHBOARD in reader.get("/dashboards/ecowas/2026").get_data(as_text=True)
    assert [client["name"] for client in store.client_list()].count(name) == 2  # the second server's again
    assert "Redis out of reach" not in caplog.text  # a new connection, not a fallback


def test_a_worker_forked_from_a_process_that_read_the_change_counter_reads_it_on_its_own_connection(two_apps):
    """gunicorn --preload forks workers from a process that may have read the counter: each needs its own notes."""
    import redis

    first, second, prefix = two_apps
    with first.app_context():
        counter = caching._counter()
        before = counter.read()
        child = os.fork()
        if child == 0:  # the worker: the counter as it is now, on a connection of its own, then a change
            try:
                counter.increment()
                os._exit(0 if counter.read() == before + 1 else 1)
            finally:
                os._exit(2)
        assert os.waitpid(child, 0)[1] == 0
        assert counter.read() == before + 1  # the parent's connection survived the child, and got its note
        names = [client["name"] for client in redis.Redis.from_url(REDIS).client_list()]
        assert names.count(f"{prefix}:change-counter") == 1  # the child's connection closed with it


def test_redis_out_of_reach_slows_pages_down_but_fails_none(make_app, caplog):
    """The caches and the change counter fall back to the database; a save still commits and says so."""
    nobody_listens = "redis://127.0.0.1:9"  # the discard port: refused at once on loopback
    app = make_app(data="demo", REDIS_URL=nobody_listens, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    assert Auth(client).login("sn-coordinator").status_code == 302
    for _visit in range(2):
        assert client.get("/dashboards/ecowas/2026").status_code == 200
        listing = client.get("/assessments/")
        assert listing.status_code == 200
    draft = re.search(r'href="(/assessments/\d+)"', listing.get_data(as_text=True)).group(1)
    form = dict(pillar_form_fields(client.get(f"{draft}/pillars/legal").get_data(as_text=True)))
    name = next(field for field in form if field.endswith("-version")).removesuffix("-version")
    saved = client.post(f"{draft}/pillars/legal", data=form | {f"{name}-state": "4"})
    assert saved.status_code == 302  # committed, and the answer says so, though the count was not written
    assert 'value="4" checked' in client.get(f"{draft}/pillars/legal").get_data(as_text=True)
    assert "Redis out of reach" in caplog.text

    # Sign-in counts failures in Redis and has no stand-in: it says so (503, try again), never a 500.
    counted_there = make_app(data="demo", REDIS_URL=nobody_listens)
    refused = Auth(counted_there.test_client()).login("sn-coordinator")
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "60"
    assert "not available on this server at the moment" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    "command",
    [
        ["-c", "from survey import create_app; create_app()"],  # a development start: migrations, setup, demo
        ["-m", "flask", "--app", "app", "db", "upgrade"],  # the production step, run by several machines at once
    ],
    ids=["start-up", "flask db upgrade"],
)
def test_several_processes_migrate_an_empty_postgresql_database_together(tmp_path, command):
    if not PG_URL or not PG_URL.startswith("postgresql"):
        pytest.skip("the migration lock is PostgreSQL's: set TEST_DATABASE_URL")
    schema = f"test_migrate_together_{WORKER}"
    recreate_schema(schema)
    env = {
        **os.environ,
        "CYBERREADY_ENV": "development",
        "DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{schema}",
        "INSTANCE_PATH": str(tmp_path),
        "CHART_IMAGES": "off",
    }
    try:
        processes = [
            subprocess.Popen(
                [sys.executable, *command],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _process in range(3)
        ]
        outputs = [process.communicate(timeout=300)[0] for process in processes]
        assert [process.returncode for process in processes] == [0, 0, 0], "\n".join(outputs)
        # Each migration ran once: the others found the database at its head.
        assert sum(output.count("Running upgrade  -> ") for output in outputs) == 1
    finally:
        recreate_schema(schema, drop_only=True)
