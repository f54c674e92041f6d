"""Where the templates, static files and catalogs are.

In an installed wheel they are package data of `survey`; in a checkout (and an editable install)
they are the top-level folders beside the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout's root; in an installed wheel this is site-packages, so nothing is looked up here then.
ROOT = PACKAGE_DIR.parent
# The wheel's build copies the folders into the package (see setup.py).
INSTALLED = (PACKAGE_DIR / "templates").is_dir()


def shipped_folder(name: str) -> Path:
    """A folder shipped with the application: templates, static or translations."""
    return PACKAGE_DIR / name if INSTALLED else ROOT / name


TEMPLATES_DIR = shipped_folder("templates")
STATIC_DIR = shipped_folder("static")
TRANSLATIONS_DIR = shipped_folder("translations")


def default_instance_path() -> str | None:
    """instance/ in a checkout; Flask's own choice (<prefix>/var/survey-instance) when installed."""
    return None if INSTALLED else str(ROOT / "instance")
