"""Build hook: the wheel ships the top-level templates/, static/ and translations/ inside `survey`.

The project keeps those folders at the top of the checkout; setuptools only copies packages, so
`build_py` copies them to survey/templates, survey/static and survey/translations and compiles
the catalogs there, since site-packages may be read-only when the app starts. The metadata is in
pyproject.toml.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("templates", "static", "translations")


def compile_catalogs(folder: Path) -> None:
    """Compile each .po to the .mo gettext reads, with the checks the app applies at start."""
    name = "_cyberready_catalogs"
    spec = importlib.util.spec_from_file_location(name, HERE / "survey" / "i18n" / "catalogs.py")
    catalogs = importlib.util.module_from_spec(spec)
    sys.modules[name] = catalogs  # dataclasses look their module up while the class is made
    spec.loader.exec_module(catalogs)
    for po_path in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        try:
            catalogs.compile_catalog(po_path)
        except catalogs.CatalogError as error:  # the app falls back to English for this language
            print(f"warning: {po_path} not compiled: {error}", file=sys.stderr)


class BuildWithSiteFiles(build_py):
    """build_py, plus the site's templates, static files and compiled catalogs."""

    def run(self) -> None:
        """Build the packages, then copy the folders into the built `survey` package."""
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the folders in the checkout
        package = Path(self.build_lib) / "survey"
        for name in SHIPPED:
            target = package / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(HERE / name, target, ignore=shutil.ignore_patterns("*.mo", "*.pot", "__pycache__"))
        compile_catalogs(package / "translations")


setup(cmdclass={"build_py": BuildWithSiteFiles})
