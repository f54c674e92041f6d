"""Time to build and to parse the full answer workbook (every pillar, 62 indicators), in each language.

Usage: python bench/workbook.py [--repeat 5]
Uses a throw-away SQLite database with the demo data; prints the median of each step
(target: each under one second).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_babel import force_locale  # noqa: E402

from survey import create_app  # noqa: E402
from survey.assessments.models import Assessment  # noqa: E402
from survey.config import TestConfig  # noqa: E402
from survey.extensions import db  # noqa: E402
from survey.workbooks.read import read_workbook  # noqa: E402
from survey.workbooks.services import make_workbook  # noqa: E402

T = TypeVar("T")


def median_seconds(step: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The median time of `repeat` runs of `step`, and what its last run returned."""
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.sqlite")
        with app.app_context(), app.test_request_context():
            from survey.demo import load_demo
            from survey.frameworks.services import ensure_default_framework
            from survey.regions.services import ensure_regions

            db.create_all()
            ensure_default_framework()
            ensure_regions()
            load_demo()
            db.session.commit()
            assessment = db.session.scalar(sa.select(Assessment).order_by(Assessment.id))
            if assessment is None:
                raise SystemExit("the demo data holds no assessment")
            definition = assessment.framework_version.definition
            secret = app.config["SECRET_KEY"]
            print(f"{len(definition.all_indicators())} indicators, {len(definition.pillars)} pillars")
            for lang in ("en", "fr", "pt", "ar"):
                with force_locale(lang):
                    built, data = median_seconds(
                        partial(make_workbook, assessment, list(definition.pillars), lang, secret), args.repeat
                    )
                    parsed, read = median_seconds(
                        partial(read_workbook, data, "bench.xlsx", definition, secret), args.repeat
                    )
                print(
                    f"{lang}: build {built * 1000:6.0f} ms, parse {parsed * 1000:6.0f} ms, "
                    f"{len(data) // 1024} KB, {len(read.values)} answers read, {len(read.problems)} problems"
                )


if __name__ == "__main__":
    main()
