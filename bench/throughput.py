"""Throughput of the pillar and results pages under gunicorn, as a ratio to a trivial route.

Usage: python bench/throughput.py [--seconds 5] [--clients 4] [--workers 2]
Starts gunicorn on loopback with a fresh demo database, signs in as gh-contributor, and measures
requests per second of /healthz, a pillar page and a results page, one after another, with
keep-alive clients in separate processes. Also reports the compressed weight of a pillar page.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    """A response read whole: its status, headers and body."""

    status: int
    headers: http.client.HTTPMessage
    data: bytes

    def getheader(self, name: str) -> str | None:
        """A header's value, or None."""
        return self.headers.get(name)

    def cookie(self) -> str:
        """The cookie the response sets (name=value), which the benchmark needs to go on."""
        value = self.getheader("Set-Cookie")
        if value is None:
            raise SystemExit(f"expected a cookie from the server (HTTP {self.status})")
        return value.split(";")[0]


def request(
    conn: http.client.HTTPConnection, method: str, path: str, body: str | None = None, headers: dict | None = None
) -> Reply:
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return Reply(response.status, response.headers, response.read())


def found(pattern: str, text: str, group: int = 1) -> str:
    """The part of a page the benchmark needs to go on (a link, a token); stop with a message if it is missing."""
    match = re.search(pattern, text)
    if match is None:
        raise SystemExit(f"not found in the page: {pattern}")
    return match.group(group)


def sign_in(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    page = request(conn, "GET", "/login")
    cookie = page.cookie()
    token = found(r'name="csrf_token" type="hidden" value="([^"]+)"', page.data.decode())
    body = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": "demo"})
    response = request(
        conn, "POST", "/login", body, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    )
    return response.cookie()


def hammer(args: tuple[int, str, str, float]) -> int:
    port, path, cookie, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        response = request(conn, "GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
        assert response.status == 200, (path, response.status)
        done += 1
    return done


def measure(port: int, path: str, cookie: str, seconds: float, clients: int) -> float:
    with multiprocessing.Pool(clients) as pool:
        counts = pool.map(hammer, [(port, path, cookie, seconds)] * clients)
    return sum(counts) / seconds


def fresh_instance() -> dict[str, str]:
    """Environment for a server on a new SQLite database in a temporary instance folder."""
    env = {**os.environ, "INSTANCE_PATH": tempfile.mkdtemp(prefix="cyberready-bench-"), "CYBERREADY_ENV": "development"}
    env.pop("DATABASE_URL", None)
    return env


def prepare_database(env: dict[str, str]) -> None:
    """Migrate and load the demo data once, before workers start (they would race on an empty database)."""
    command = [sys.executable, "-c", "from survey import create_app; create_app()"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    """Start gunicorn on loopback and return once it accepts connections."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app:app",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    port, env = free_port(), fresh_instance()
    prepare_database(env)
    server = start_gunicorn(env, port, options.workers)
    try:
        cookie = sign_in(port, "gh-coordinator")
        conn = http.client.HTTPConnection("127.0.0.1", port)
        listing = request(conn, "GET", "/assessments/", headers={"Cookie": cookie}).data.decode()
        results_id = found(r"/assessments/(\d+)/results", listing)
        pillar = f"/assessments/{results_id}/pillars/justice"
        results = f"/assessments/{results_id}/results"
        page = request(conn, "GET", pillar, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
        css = (ROOT / "static/css/app.css").read_bytes()
        script = (ROOT / "static/js/offline.js").read_bytes()
        weight = len(page.data) + len(gzip.compress(css)) + len(gzip.compress(script))
        print(
            f"pillar page (justice, 11 indicators): HTML {len(page.data):,} B "
            f"({page.getheader('Content-Encoding')}), with CSS and JS {weight:,} B transferred"
        )
        rates = {
            name: measure(port, path, cookie, options.seconds, options.clients)
            for name, path in (("trivial /healthz", "/healthz"), ("pillar page", pillar), ("results page", results))
        }
        base = rates["trivial /healthz"]
        print(
            f"gunicorn {options.workers} workers, {options.clients} client processes, "
            f"{options.seconds:g} s each, {os.cpu_count()} CPUs"
        )
        for name, rate in rates.items():
            print(f"{name:18} {rate:8.0f} req/s  {rate / base:6.1%} of trivial")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
