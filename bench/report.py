"""Time and size of the PDF country report of a full assessment (targets: under 5 s, under 1.5 MB).

Usage: python bench/report.py [--country NG] [--year 2026] [--languages en fr pt ar] [--repeat 3]
Builds a development instance with demo data in a temporary folder, signs in as the donor and
downloads the report of a fully answered, released assessment in each language, charts drawn
(Kaleido's Chromium, BROWSER_PATH or chromium on PATH). For each language it prints the time of a
report made from nothing (charts drawn again), the best of `--repeat` runs, and the time of a
download served from the report cache. The first line is the process's first report: it also
starts Chromium.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    """Build the instance, generate the reports, print times and sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--country", default="NG")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--languages", nargs="+", default=["en", "fr", "pt", "ar"])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="cyberready-bench-")
    os.environ["CYBERREADY_ENV"] = "development"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")

    import sqlalchemy as sa

    from survey import create_app
    from survey.assessments.models import Assessment, Cycle
    from survey.countries.models import Country
    from survey.extensions import db

    app = create_app(CHART_IMAGES="sync")
    with app.app_context():
        assessment_id = db.session.scalars(
            sa.select(Assessment.id)
            .join(Country)
            .join(Cycle)
            .where(Country.alpha2 == options.country, Cycle.year == options.year)
        ).one()
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"csrf_token": token, "username": "donor", "password": "demo"})
    address = f"/assessments/{assessment_id}/report.pdf"

    def download(language: str) -> tuple[float, float, int]:
        """Wall time, this process's CPU time, and size of one download."""
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(f"{address}?lang={language}")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert response.status_code == 200 and response.mimetype == "application/pdf", response.status_code
        return elapsed, cpu, len(response.data)

    first, _cpu, size = download(options.languages[0])
    print(f"first report of the process ({options.languages[0]}, starts Chromium): {first:.2f} s, {size / 1e6:.2f} MB")
    # CPU: this process only (layout, PDF writing), not Chromium drawing the charts: a busy machine
    # stretches the wall time, not this.
    print(f"{'language':<10}{'generated, best':>17}{'median':>9}{'CPU':>8}{'cached':>9}{'size':>10}")
    for language in options.languages:
        runs = []
        for _ in range(options.repeat):
            app.extensions.pop("report_pdfs", None)  # made from nothing, charts drawn again
            runs.append(download(language))
        cached, _cpu, size = download(language)
        wall = [run[0] for run in runs]
        print(
            f"{language:<10}{min(wall):>15.2f} s{statistics.median(wall):>7.2f} s{min(r[1] for r in runs):>6.2f} s"
            f"{cached * 1000:>6.0f} ms{size / 1e6:>7.2f} MB"
        )


if __name__ == "__main__":
    main()
