"""CPU time and throughput of every kind of page, as a ratio to a hello-world Flask app, in one interleaved run.

Usage: python bench/perf.py [--rounds 5] [--seconds 1.5] [--clients 4] [--workers 2] [--countries 60] [--cycles 10]
                            [--redis redis://127.0.0.1:6379/15 | --redis ""]
                            [--only pillar --only results]  (just those pages and hello-world: quicker)

The app runs as the README's production recipe runs several workers: with Redis (REDIS_URL, under
a key prefix of its own, removed at the end) for the page caches, the change counter and the
sign-in counters. `--redis ""` measures caches kept in each process instead.

Three gunicorn servers run side by side with the same settings: the app (caches on), the app with
its page caches off (the "fresh" rows: every request builds its page), and bench/hello.py. The
demo data gets `flask demo synthetic` data on top (countries x cycles) and precompressed static
files. Each round measures every page for a short burst, one after another, so a slower moment of
the machine weighs on all of them alike; a page's figures are summed over the rounds.

CPU ms per request: CPU time (user + system) of the serving gunicorn's processes during the
bursts, divided by the requests served. Both columns are also given as a ratio to hello-world
(CPU: how many times hello-world's; req/s: the share of hello-world's).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import ROOT, found, free_port, fresh_instance, request, sign_in  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A gunicorn server on loopback."""

    name: str
    port: int
    process: subprocess.Popen

    def cpu_seconds(self) -> float:
        """User + system CPU time of the master and its workers so far."""
        total = 0.0
        for pid in [self.process.pid, *children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
        return total


def children(pid: int) -> list[int]:
    """Direct child processes of a process (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
    return found


def start(name: str, app: str, env: dict[str, str], workers: int, cwd: Path = ROOT) -> Server:
    """Start gunicorn (sync workers, as in production's README) and wait until it answers."""
    port = free_port()
    process = subprocess.Popen(
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
            app,
        ],
        cwd=cwd,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            request(conn, "GET", "/")
            break
        except OSError:
            time.sleep(0.2)
    return Server(name, port, process)


@dataclass
class Page:
    """One measured page: where, as whom, and what the rounds added up."""

    name: str
    server: Server
    path: str
    cookie: str = ""
    requests: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    sizes: list[int] = field(default_factory=list)


def hammer(args: tuple[int, str, str, float]) -> int:
    port, path, cookie, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Cookie": cookie, "Accept-Encoding": "br, gzip"} if cookie else {"Accept-Encoding": "br, gzip"}
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        response = request(conn, "GET", path, headers=headers)
        assert response.status == 200, (path, response.status)
        done += 1
    return done


def burst(pool: multiprocessing.pool.Pool, page: Page, seconds: float, clients: int) -> None:
    """Measure one page for `seconds` with `clients` keep-alive clients; add to its totals."""
    cpu, began = page.server.cpu_seconds(), time.perf_counter()
    counts = pool.map(hammer, [(page.server.port, page.path, page.cookie, seconds)] * clients)
    page.seconds += time.perf_counter() - began
    page.cpu += page.server.cpu_seconds() - cpu
    page.requests += sum(counts)


def wait_for_images(port: int, path: str, cookie: str, timeout: float = 180) -> int:
    """Ask for a page until its chart images are drawn (the background renderer draws them once)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    deadline, found = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        body = request(conn, "GET", path, headers={"Cookie": cookie}).data.decode()
        found = len(re.findall(r"/dashboards/images/[0-9a-f]{32}\.svg", body))
        if found and "<details open>" not in body:
            return found
        time.sleep(1)
    return found


def anonymous_session(port: int) -> str:
    """The session cookie a visitor who has not signed in gets (it holds the language form's token)."""
    return request(http.client.HTTPConnection("127.0.0.1", port), "GET", "/").cookie()


def listing(port: int, cookie: str) -> str:
    """The assessments page of a signed-in official."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    return request(conn, "GET", "/assessments/", headers={"Cookie": cookie}).data.decode()


def redis_answers(url: str) -> bool:
    """Whether a Redis server answers at this address (else the run keeps its caches per process)."""
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception as error:  # noqa: BLE001 - any reason means: measure without Redis, and say so
        print(f"no Redis at {url} ({error}): caches kept per process", file=sys.stderr)
        return False


def forget_keys(url: str, prefix: str) -> None:
    """Remove this run's keys from Redis."""
    import redis

    store = redis.Redis.from_url(url)
    for key in store.scan_iter(f"{prefix}*"):
        store.delete(key)


def prepare(options: argparse.Namespace) -> dict[str, str]:
    """A fresh instance: demo data, synthetic data, precompressed static files; Redis if given."""
    env = fresh_instance()
    env["CHART_IMAGES"] = "background"
    env.pop("REDIS_URL", None)
    if options.redis:
        env.update(REDIS_URL=options.redis, REDIS_KEY_PREFIX=f"cyberready-bench-{os.getpid()}")
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (
        ["demo", "synthetic", "--countries", str(options.countries), "--cycles", str(options.cycles)],
        ["assets", "compress"],
    ):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def main() -> None:
    """Start the three servers, sign in, warm up, measure in rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--countries", type=int, default=60)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15", help='shared store; "" for none')
    parser.add_argument(
        "--only", action="append", default=[], help="measure only the pages whose name holds this word (repeatable)"
    )
    options = parser.parse_args()
    options.redis = options.redis if options.redis and redis_answers(options.redis) else ""
    env = prepare(options)
    servers = [
        start("app", "app:app", env, options.workers),
        start("fresh", "survey:create_app(DASHBOARD_CACHE_SIZE=0)", env, options.workers),
        start("hello", "hello:app", {**os.environ}, options.workers, cwd=ROOT / "bench"),
    ]
    app, fresh, hello = servers
    try:
        official, drafter = sign_in(app.port, "gh-coordinator"), sign_in(app.port, "sn-coordinator")
        donor, anonymous = sign_in(app.port, "donor"), anonymous_session(app.port)
        results = found(r"/assessments/\d+/results", listing(app.port, official), group=0)
        draft = found(r'href="(/assessments/\d+)"', listing(app.port, drafter))  # Senegal's draft
        pages = [
            Page("hello-world Flask", hello, "/"),
            Page("pillar page (draft)", app, f"{draft}/pillars/justice", drafter),
            Page("results", app, results, official),
            Page("dashboard ECOWAS cached", app, "/dashboards/ecowas/2026", donor),
            Page("dashboard ECOWAS cached, anon.", app, "/dashboards/ecowas/2026", anonymous),
            Page("dashboard AU cached", app, "/dashboards/au/2026", donor),
            Page("dashboard ECOWAS fresh", fresh, "/dashboards/ecowas/2026", donor),
            Page("dashboard AU fresh", fresh, "/dashboards/au/2026", donor),
            Page("needs AU cached", app, "/dashboards/au/2026/needs", donor),
            Page("needs AU fresh", fresh, "/dashboards/au/2026/needs", donor),
            Page("profile GH cached", app, "/dashboards/countries/GH", donor),
            Page("profile GH fresh", fresh, "/dashboards/countries/GH", donor),
            Page("export AU CSV cached", app, "/dashboards/au/2026/export.csv", donor),
            Page("export AU XLSX cached", app, "/dashboards/au/2026/export.xlsx", donor),
            Page("export AU CSV fresh", fresh, "/dashboards/au/2026/export.csv", donor),
            Page("API AU 2026", app, "/api/v1/regions/au/2026", donor),
        ]
        if options.only:
            pages = [pages[0], *(p for p in pages[1:] if any(word in p.name for word in options.only))]
        for page in pages:  # draw the chart images and fill the caches before measuring
            if "dashboard" in page.name or "results" in page.name or "profile" in page.name:
                wait_for_images(page.server.port, page.path, page.cookie)
        for page in pages * 2:
            conn = http.client.HTTPConnection("127.0.0.1", page.server.port)
            response = request(conn, "GET", page.path, headers={"Cookie": page.cookie, "Accept-Encoding": "br"})
            assert response.status == 200, (page.path, response.status)
            page.sizes.append(len(response.data))
            if updated := response.getheader("Set-Cookie"):  # as a browser keeps its session's form token
                for other in pages:
                    if other.cookie == page.cookie:
                        other.cookie = updated.split(";")[0]
        with multiprocessing.Pool(options.clients) as pool:
            for _round in range(options.rounds):
                for page in pages:
                    burst(pool, page, options.seconds, options.clients)
        report(pages, options)
    finally:
        for server in servers:
            server.process.terminate()
            server.process.wait()
        if options.redis:
            forget_keys(options.redis, env["REDIS_KEY_PREFIX"])


def report(pages: list[Page], options: argparse.Namespace) -> None:
    """Print one line per page: CPU ms per request and req/s, each also against hello-world."""
    base = pages[0]
    base_cpu, base_rate = base.cpu / base.requests * 1000, base.requests / base.seconds
    print(
        f"gunicorn {options.workers} sync workers, {options.clients} keep-alive clients, "
        f"{options.rounds} rounds x {options.seconds:g} s per page, {os.cpu_count()} CPUs; "
        f"demo + {options.countries} countries x {options.cycles} cycles of synthetic data; "
        f"caches {'in Redis (' + options.redis + ')' if options.redis else 'per process (no Redis)'}"
    )
    print(f"{'page':31} {'CPU ms/req':>10} {'x hello':>8} {'req/s':>8} {'% hello':>8} {'br bytes':>9}")
    for page in pages:
        cpu, rate = page.cpu / page.requests * 1000, page.requests / page.seconds
        print(
            f"{page.name:31} {cpu:10.2f} {cpu / base_cpu:8.1f} {rate:8.0f} {rate / base_rate:8.1%} {page.sizes[0]:9,}"
        )


if __name__ == "__main__":
    main()
