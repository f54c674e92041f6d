"""The wheel is self-contained: installed outside the checkout, the app serves pages, files and translations."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.wheel
ROOT = Path(__file__).resolve().parent.parent
# What a source checkout holds that a build must not need (or must not write into).
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    "instance",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".venv",
    "node_modules",
    "tests",
    "bench",
    "*.mo",
    "*.tmp",
    ".pytest_cache",
    ".ruff_cache",
)


def run(*command: str, **options) -> str:
    """Run a command; on failure show what it printed."""
    result = subprocess.run(command, capture_output=True, text=True, **options)  # noqa: S603
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment, outside the checkout, with the wheel built from a copy of the source."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)  # the build writes build/ and egg-info beside its source
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(folder / "dist"), str(source))
    shutil.rmtree(source)
    wheel = next((folder / "dist").glob("cyberready-*.whl"))
    venv = folder / "venv"
    # The dependencies come from this interpreter's site-packages: nothing is downloaded.
    # This interpreter's pip installs into it (`--python`): seeding the venv with a pip of its own costs seconds.
    run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--quiet", str(wheel))
    return venv


@pytest.fixture
def server(installed, tmp_path_factory) -> Iterator[str]:
    """The installed app, development configuration (migrations and demo data), on a temporary SQLite file."""
    folder = tmp_path_factory.mktemp("run")
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "TRANSLATIONS_DIR", "PYTHONPATH", "CYBERREADY_ENV")
    }
    environment["INSTANCE_PATH"] = str(folder / "instance")
    log = folder / "server.log"
    with (
        open(log, "w") as output,
        subprocess.Popen(  # noqa: S603
            [
                str(installed / "bin" / "python"),
                "-m",
                "flask",
                "--app",
                "survey:create_app",
                "run",
                "--port",
                str(port),
            ],
            cwd=folder,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        ) as process,
    ):
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, process, log)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the installed app did not start:\n" + log.read_text())
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5):  # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    pytest.fail("the installed app did not answer within two minutes")


def test_the_wheel_installed_outside_the_checkout_serves_pages_files_and_translations(installed, server):
    code = (
        "import pathlib, survey; package = pathlib.Path(survey.__file__).parent; print(package);"
        "print(sorted(p.relative_to(package).as_posix() for p in package.glob('translations/*/LC_MESSAGES/*.mo')))"
    )
    package, catalogs = run(str(installed / "bin" / "python"), "-c", code, cwd=installed).splitlines()
    assert Path(package).is_relative_to(installed)  # the installed copy, not the checkout
    assert (Path(package) / "templates" / "base.html").is_file()
    assert (Path(package) / "static" / "css" / "app.css").is_file()
    assert catalogs == str([f"translations/{code}/LC_MESSAGES/messages.mo" for code in ("ar", "fr", "pt")])

    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(path: str) -> str:
        with browser.open(server + path, timeout=30) as response:
            assert response.status == 200, path
            return response.read().decode()

    home = get("/")
    stylesheet = re.search(r'href="(/static/css/app\.css\?v=\w+)"', home).group(1)
    assert get(stylesheet)  # static files ship with the package
    assert "Méthodologie" in get("/methodology?lang=fr")  # and so do the compiled catalogs
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', get("/login?lang=en")).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "username": "sn-coordinator", "password": "demo"})
    with browser.open(server + "/login", data=form.encode(), timeout=30) as response:
        assert response.status == 200 and response.url.endswith("/assessments/")  # signed in, redirected
        assessments = response.read().decode()
    overview = re.search(r'href="(/assessments/\d+)"', assessments).group(1)
    pillar = get(overview + "/pillars/legal")
    assert 'name="legal__substantive_offences-state"' in pillar


PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture
def empty_postgresql_schema() -> Iterator[str]:
    """A database URL whose connections see only a new, empty PostgreSQL schema (dropped afterwards)."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must play the production recipe on PostgreSQL: set TEST_DATABASE_URL")
        pytest.skip("the production recipe needs TEST_DATABASE_URL (set by .ci/run)")
    import sqlalchemy as sa

    schema = f"recipe_{os.getpid()}"
    engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def production_recipe() -> tuple[list[str], str, str]:
    """The README's production commands (setup steps, the server, the example country official), as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Production", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line.split("  #")[0].strip() for line in block.splitlines()]
    steps = [line for line in lines if line and not line.startswith(("#", "*", "0 ", "pip install", "export"))]
    server = next(line for line in steps if line.startswith("gunicorn"))
    official = re.search(r"`(flask --app survey users create gh-coord [^`]+)`", section).group(1)
    return [step for step in steps if step != server], server, official


def test_the_readme_production_recipe_gives_a_coordinator_who_saves_an_answer(
    installed, empty_postgresql_schema, tmp_path
):
    steps, server_command, official = production_recipe()
    assert any("db upgrade" in step for step in steps) and any(" setup" in step for step in steps)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TRANSLATIONS_DIR", "PYTHONPATH", "DEMO_DATA", "AUTO_MIGRATE")
    }
    environment.update(
        {
            "PATH": f"{installed / 'bin'}:{environment['PATH']}",
            "CYBERREADY_ENV": "production",
            "SECRET_KEY": "a-secret-of-more-than-24-characters-for-the-recipe",
            "DATABASE_URL": empty_postgresql_schema,
            "ADMIN_PASSWORD": "harmattan-wind-over-accra-2026",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SESSION_COOKIE_SECURE": "0",  # plain HTTP on localhost, as the README says for a local check
            # The recipe's Redis, here the local one (.ci/run starts it): production refuses several
            # workers on per-process counters.
            "REDIS_URL": "redis://127.0.0.1:6379",
            "REDIS_KEY_PREFIX": f"cyberready-recipe-{os.getpid()}",
        }
    )
    for step in steps:  # from a folder outside the checkout, as on a server
        run("bash", "-c", step, cwd=tmp_path, env=environment)
    run("bash", "-c", f"printf '%s\\n' 'volta-lake-morning-tide' | {official}", cwd=tmp_path, env=environment)

    port = free_port()
    command = server_command.replace("0.0.0.0:8000", f"127.0.0.1:{port}").replace("--workers 3", "--workers 2")
    log = tmp_path / "gunicorn.log"
    with (
        open(log, "w") as output,
        subprocess.Popen(  # noqa: S603
            ["bash", "-c", f"exec {command}"], cwd=tmp_path, env=environment, stdout=output, stderr=subprocess.STDOUT
        ) as process,
    ):
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, process, log)
            answered_as_coordinator(url)
        finally:
            process.terminate()
            process.wait(timeout=10)


def answered_as_coordinator(url: str) -> None:
    """Sign in as the Ghana coordinator through the form, start the open cycle, save one answer, read it back."""
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def send(path: str, fields: dict | None = None) -> tuple[str, str]:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        with browser.open(url + path, data=data, timeout=30) as response:
            assert response.status == 200, path
            return response.url, response.read().decode()

    def token(page: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    _, login = send("/login?lang=en")
    assert "gh-coordinator" not in login  # no demo accounts are offered in production
    landed, assessments = send(
        "/login", {"csrf_token": token(login), "username": "gh-coord", "password": "volta-lake-morning-tide"}
    )
    assert landed.endswith("/assessments/"), "the coordinator could not sign in"
    start = re.search(r'<form method="post" action="(/assessments/start)"', assessments)
    assert start, "no Start button for the open cycle"
    overview, _ = send(start.group(1), {"csrf_token": token(assessments)})
    pillar_url = re.search(r"/assessments/\d+", overview).group(0) + "/pillars/legal"
    _, pillar = send(pillar_url)
    saved, _ = send(
        pillar_url,
        {
            "csrf_token": token(pillar),
            "legal__substantive_offences-state": "3",
            "legal__substantive_offences-version": "0",
            "legal__substantive_offences-evidence_description": "Cybercrime Act, 2020",
        },
    )
    _, again = send(pillar_url)
    assert re.search(r'value="3"[^>]*checked|checked[^>]*value="3"', again), "the saved level is not shown"
    assert "Cybercrime Act, 2020" in again
