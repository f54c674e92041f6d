"""Throughput of the regional dashboard and exports under gunicorn, as a ratio to /healthz.

Usage: python bench/dashboard.py [--seconds 5] [--clients 4] [--workers 2] [--countries 200] [--cycles 10]
Starts gunicorn on loopback with a fresh demo database plus `flask demo synthetic` data
(every country, N cycles), signs in as the donor, and measures requests per second of
/healthz, then of dashboards and exports of a small (EAC) and a large (African Union) region.
Also prints the compressed weight of the dashboard page.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import ROOT, free_port, fresh_instance, measure, request, sign_in, start_gunicorn  # noqa: E402

PAGES = (
    ("trivial /healthz", "/healthz"),
    ("dashboard EAC 2026", "/dashboards/eac/2026"),
    ("dashboard AU 2026", "/dashboards/au/2026"),
    ("dashboard Commonwealth", "/dashboards/commonwealth/2026?country=GH&country=KE"),
    ("needs AU 2026", "/dashboards/au/2026/needs"),
    ("export AU CSV", "/dashboards/au/2026/export.csv"),
    ("export AU XLSX", "/dashboards/au/2026/export.xlsx"),
    ("API AU 2026", "/api/v1/regions/au/2026"),
)


def main() -> None:
    """Seed synthetic data, start gunicorn, measure and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=10)
    options = parser.parse_args()
    port, env = free_port(), fresh_instance()
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run(
        [
            *flask,
            "demo",
            "synthetic",
            "--countries",
            str(options.countries),
            "--cycles",
            str(options.cycles),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    server = start_gunicorn(env, port, options.workers)
    try:
        cookie = sign_in(port, "donor")
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", port)
        page = request(conn, "GET", PAGES[2][1], headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
        print(f"dashboard AU 2026 HTML: {len(page.data):,} B ({page.getheader('Content-Encoding')})")
        rates = {name: measure(port, path, cookie, options.seconds, options.clients) for name, path in PAGES}
        base = rates["trivial /healthz"]
        print(
            f"gunicorn {options.workers} workers, {options.clients} client processes, {options.seconds:g} s each, "
            f"{os.cpu_count()} CPUs; {options.countries} countries x {options.cycles} cycles of synthetic data"
        )
        for name, rate in rates.items():
            print(f"{name:24} {rate:8.0f} req/s  {rate / base:6.1%} of trivial")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
