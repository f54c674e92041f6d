"""Officials saving pillar forms at once under gunicorn: acknowledged, lost and failed saves, and latency.

Usage: python bench/saves.py [--database sqlite|postgresql://...] [--officials 50] [--saves 8] [--workers 4]
Starts gunicorn on loopback with a fresh demo database: SQLite in a temporary folder, or the
PostgreSQL database named by the URL, WHICH IS EMPTIED FIRST. Ghana's coordinator starts the 2026
assessment; then every official (a browser session of its own, signed in as the Ghana coordinator
or contributor) loads a pillar form, changes one indicator and posts the whole form back, as a
browser does, --saves times; a 409 (a colleague saved meanwhile) means load again and retry.
Half the officials share one indicator, the others spread over the seven indicators of another pillar.

Afterwards the database is read. An acknowledged save (302) is lost when the next change of that
answer was made from a form that never showed it, when the answer does not end with the last one,
or when the audit trail does not hold it. Lost saves must be 0; errors are 5xx and failed requests.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
import sqlalchemy as sa

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from throughput import found, free_port, fresh_instance, prepare_database, start_gunicorn  # noqa: E402

from tests.browsing import pillar_form_fields  # noqa: E402 - what a browser posts, as the suite reads it

SAME = ("justice", ["justice.cybercrime_unit"])
SPREAD = (
    "legal",
    [
        "legal.substantive_offences",
        "legal.procedural_powers",
        "legal.electronic_evidence",
        "legal.data_protection",
        "legal.child_protection_offences",
        "legal.treaty_status",
        "legal.human_rights_safeguards",
    ],
)
ACCOUNTS = ("gh-coordinator", "gh-contributor")  # both answer the legal and justice pillars in the demo
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Save:
    """One posted pillar form and the server's answer."""

    code: str
    seen: int  # the version of the answer the form showed
    comment: str
    status: int  # 0: the request failed
    seconds: float


def sign_in(base: str, username: str) -> requests.Session:
    """A browser session signed in as this demo user."""
    http = requests.Session()
    token = found(CSRF.pattern, http.get(f"{base}/login", timeout=60).text)
    response = http.post(
        f"{base}/login",
        data={"csrf_token": token, "username": username, "password": "demo"},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, (username, response.status_code)
    return http


def official(
    base: str,
    http: requests.Session,
    assessment_id: int,
    n: int,
    pillar: str,
    code: str,
    saves: int,
    start: threading.Barrier,
    out: list[Save],
) -> None:
    """Load the pillar, change this official's indicator, post the whole form; `saves` times."""
    url, key = f"{base}/assessments/{assessment_id}/pillars/{pillar}", code.replace(".", "__")
    start.wait()
    for attempt in range(saves):
        comment = f"official {n}, attempt {attempt}"
        try:
            page = http.get(url, timeout=120)
            if page.status_code != 200:  # counted as an error, like a failed save
                out.append(Save(code, -1, comment, page.status_code, 0.0))
                continue
            fields = dict(pillar_form_fields(page.text))
            seen = int(fields.get(f"{key}-version") or 0)
            fields |= {f"{key}-state": str((n + attempt) % 5 + 1), f"{key}-comment": comment}
            began = time.perf_counter()
            status = http.post(url, data=fields, allow_redirects=False, timeout=120).status_code
        except requests.RequestException:
            seen, status, began = -1, 0, time.perf_counter()
        out.append(Save(code, seen, comment, status, time.perf_counter() - began))


def prepare(database: str) -> dict[str, str]:
    """The server's environment, on an empty database that the app then migrates and fills with the demo."""
    env = fresh_instance()
    if database != "sqlite":
        env["DATABASE_URL"] = database
        engine = sa.create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
        tables = sa.MetaData()
        tables.reflect(engine)
        tables.drop_all(engine)
        engine.dispose()
    prepare_database(env)
    return env


def database_url(env: dict[str, str]) -> str:
    """Where the server keeps its data, for the checks afterwards."""
    if "DATABASE_URL" in env:
        return env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{Path(env['INSTANCE_PATH']) / 'cyberready.sqlite'}"


def lost_saves(url: str, assessment_id: int, saves: list[Save]) -> tuple[int, int]:
    """(lost, unaudited) acknowledged saves, read from the database."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        final = {
            code: (version, comment)
            for code, version, comment in conn.execute(
                sa.text(
                    "SELECT i.code, a.version, a.comment FROM answer a JOIN indicator i ON i.id = a.indicator_id "
                    "WHERE a.assessment_id = :id"
                ),
                {"id": assessment_id},
            )
        }
        audited = set()
        for code, value in conn.execute(
            sa.text(
                "SELECT indicator_code, new_value FROM audit_event WHERE action = 'answer.update' "
                "AND outcome = 'ok' AND assessment_id = :id"
            ),
            {"id": assessment_id},
        ):
            value = json.loads(value) if isinstance(value, str) else value
            audited.add((code, (value or {}).get("comment", "")))
    engine.dispose()
    acknowledged = [s for s in saves if s.status == 302]
    lost = 0
    for code in {s.code for s in acknowledged}:
        chain = sorted((s.seen, s.comment) for s in acknowledged if s.code == code)
        version, comment = final.get(code, (0, ""))
        for (seen, _), following in zip(chain, [*chain[1:], None], strict=True):
            if following is None:  # the last change must be what is stored, one version on
                lost += (seen + 1, chain[-1][1]) != (version, comment)
            else:  # the next change must have been made from a form showing this one
                lost += following[0] != seen + 1
    unaudited = sum((s.code, s.comment) not in audited for s in acknowledged)
    return lost, unaudited


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (0 when there are none)."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def main() -> None:
    """Seed, start gunicorn, let the officials save, check the database and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL (emptied first)")
    parser.add_argument("--officials", type=int, default=50)
    parser.add_argument("--saves", type=int, default=8, help="save attempts per official")
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()
    port, env = free_port(), prepare(options.database)
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port, options.workers)
    try:
        coordinator = sign_in(base, "gh-coordinator")
        token = found(CSRF.pattern, coordinator.get(f"{base}/assessments/", timeout=60).text)
        started = coordinator.post(
            f"{base}/assessments/start", data={"csrf_token": token}, allow_redirects=False, timeout=60
        )
        assessment_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        sessions = [sign_in(base, ACCOUNTS[n % len(ACCOUNTS)]) for n in range(options.officials)]
        start = threading.Barrier(options.officials)
        saves: list[Save] = []
        threads = []
        for n, http in enumerate(sessions):
            pillar, codes = SAME if n < options.officials // 2 else SPREAD
            threads.append(
                threading.Thread(
                    target=official,
                    args=(base, http, assessment_id, n, pillar, codes[n % len(codes)], options.saves, start, saves),
                )
            )
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        for http in [coordinator, *sessions]:
            http.close()
    finally:
        server.terminate()
        server.wait()
    lost, unaudited = lost_saves(database_url(env), assessment_id, saves)
    statuses = [s.status for s in saves]
    errors = sum(status not in (302, 409) for status in statuses)
    latencies = sorted(s.seconds * 1000 for s in saves if s.status)
    backend = "SQLite" if options.database == "sqlite" else "PostgreSQL"
    print(
        f"{backend}, gunicorn {options.workers} workers, {options.officials} officials x {options.saves} "
        f"save attempts in {elapsed:.1f} s (half on one indicator, half over {len(SPREAD[1])})"
    )
    print(
        f"posted {len(saves)}: acknowledged {statuses.count(302)}, conflicts (409) {statuses.count(409)}, "
        f"errors {errors}"
    )
    print(f"lost acknowledged saves {lost}, acknowledged saves missing from the audit trail {unaudited}")
    print(f"save latency p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms")
    if lost or unaudited or errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
