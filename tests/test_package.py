"""The wheel is self-contained: installed outside the checkout, the app serves pages, files and translations."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel
ROOT = Path(__file__).resolve().parent.parent
# What a source checkout holds that a build must not need (or must not write into).
NOT_SOURCE = shutil.ignore_patterns(".git", "instance", "build", "dist", "*.egg-info", "__pycache__", ".venv",
                                    "node_modules", "tests", "bench", "*.mo", "*.tmp", ".pytest_cache", ".ruff_cache")


def run(*command: str, **options) -> str:
    """Run a command; on failure show what it printed."""
    result = subprocess.run(command, capture_output=True, text=True, **options)  # noqa: S603
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
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
    run(sys.executable, "-m", "venv", "--system-site-packages", str(venv))
    python = venv / "bin" / "python"
    run(str(python), "-m", "pip", "install", "--no-index", "--quiet", str(wheel))
    return venv


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(installed, tmp_path_factory) -> Iterator[str]:
    """The installed app, development configuration (migrations and demo data), on a temporary SQLite file."""
    folder = tmp_path_factory.mktemp("run")
    port = free_port()
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DATABASE_URL", "TRANSLATIONS_DIR", "PYTHONPATH", "CYBERREADY_ENV")}
    environment["INSTANCE_PATH"] = str(folder / "instance")
    log = folder / "server.log"
    with open(log, "w") as output, subprocess.Popen(  # noqa: S603
        [str(installed / "bin" / "python"), "-m", "flask", "--app", "survey:create_app", "run", "--port", str(port)],
        cwd=folder, env=environment, stdout=output, stderr=subprocess.STDOUT,
    ) as process:
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
    code = ("import pathlib, survey; package = pathlib.Path(survey.__file__).parent; print(package);"
            "print(sorted(p.relative_to(package).as_posix() for p in package.glob('translations/*/LC_MESSAGES/*.mo')))")
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
