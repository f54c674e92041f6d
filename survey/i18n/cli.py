"""`flask translate ...`: the translator's workflow, wrapping Babel."""

from __future__ import annotations

import subprocess  # noqa: S404 - runs pybabel with fixed arguments
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from survey.i18n.catalogs import CatalogError, Fault, compile_catalog
from survey.i18n.status import Completeness, LanguageStatus, problem_label, translation_status

translate = AppGroup("translate", help="Extract, update and compile translations.")


def _root() -> Path:
    return Path(current_app.root_path).parent


def _translations() -> str:
    return current_app.config["TRANSLATIONS_DIR"]


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(command, cwd=_root(), check=False).returncode != 0:  # noqa: S603
        raise click.ClickException("pybabel " + " ".join(args) + " failed")


def _pot() -> str:
    return str(Path(_translations()) / "messages.pot")


# pybabel's arguments to extract the UI and questionnaire strings of the tree (before -o FILE).
EXTRACT_ARGUMENTS = (
    "extract",
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "lazy_gettext",
    "--add-comments=i18n:",
    "--sort-by-file",
    "--project=CyberReady",
)


def extract_command(output: Path | str) -> list[str]:
    """The command that writes the template catalog of the whole tree to `output` (run from the root)."""
    return [sys.executable, "-m", "babel.messages.frontend", *EXTRACT_ARGUMENTS, "-o", str(output), "."]


def _extract() -> None:
    _pybabel(*EXTRACT_ARGUMENTS, "-o", _pot(), ".")


@translate.command("init")
@click.argument("language")
def init_command(language: str) -> None:
    """Start a new language, e.g. `flask translate init sw`."""
    if (Path(_translations()) / language / "LC_MESSAGES" / "messages.po").exists():
        # pybabel would overwrite the file, losing every translation in it.
        raise click.ClickException(f"{language} already exists: use `flask translate update`")
    _extract()
    _pybabel("init", "-i", _pot(), "-d", _translations(), "-l", language)


@translate.command("update")
def update_command() -> None:
    """Collect new and changed strings into every language's .po file."""
    _extract()
    _pybabel("update", "-i", _pot(), "-d", _translations(), "--previous")


def _where(po_path: Path, line: int | None) -> str:
    """`file:line`, the way editors and CI logs link to a place in a file."""
    try:
        shown = po_path.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = po_path
    return f"{shown}:{line}" if line else str(shown)


def _fault_line(po_path: Path, fault: Fault) -> str:
    outcome = "left out, readers see English" if fault.dropped else "kept"
    return (
        f"  {_where(po_path, fault.line)}: {fault.msgid!r} -> {fault.translation!r} ({outcome}): "
        f"{problem_label(fault.problem)}"
    )


def _catalog_error_line(po_path: Path, error: CatalogError) -> str:
    return f"  {_where(po_path, error.line)}: {error.reason}; this language is shown in English"


@translate.command("compile")
@click.option("--strict", is_flag=True, help="Exit with an error if any catalog or entry is faulty.")
def compile_command(strict: bool) -> None:
    """Compile the .po files into the .mo files the app reads, leaving out faulty translations."""
    faulty = []
    for po_path in sorted(Path(_translations()).glob("*/LC_MESSAGES/messages.po")):
        language = po_path.parent.parent.name
        try:
            found = compile_catalog(po_path)
        except CatalogError as error:
            # An older .mo would no longer match the .po: English it is, until the file is fixed.
            po_path.with_suffix(".mo").unlink(missing_ok=True)
            click.echo(f"{language}: not compiled", err=True)
            click.echo(_catalog_error_line(po_path, error), err=True)
            faulty.append(language)
            continue
        except OSError as error:  # e.g. a read-only folder: the other languages still compile
            click.echo(f"{language}: not compiled: {error}", err=True)
            faulty.append(language)
            continue
        click.echo(f"{language}: compiled" + (f", {len(found)} faulty" if found else ""))
        for fault in found:
            click.echo(_fault_line(po_path, fault), err=True)
        if found:
            faulty.append(language)
    if strict and faulty:
        raise click.ClickException("faulty: " + ", ".join(faulty))


def _share(part: Completeness) -> str:
    return f"{part.shown_share:>5.0%} ({part.translated}/{part.total})"


def _report(status: LanguageStatus, po_path: Path) -> None:
    click.echo(
        f"{status.code:<8} {_share(status.ui):>17}  {_share(status.questionnaire):>15}"
        f"  {len(status.fuzzy):>5}  {status.untranslated:>12}  {len(status.faulty):>6}"
    )
    if status.error:
        click.echo(f"  cannot be compiled, English is shown instead: {status.error}")
    for fault in status.faulty:
        click.echo(_fault_line(po_path, fault))
    for entry in status.fuzzy:
        was = f" (was {entry.previous_msgid!r})" if entry.previous_msgid else ""
        click.echo(f"  fuzzy: {entry.msgid!r}{was}")


@translate.command("status")
@click.option(
    "--strict",
    "--check",
    "strict",
    is_flag=True,
    help="Exit with an error unless every language is complete and sound.",
)
def status_command(strict: bool) -> None:
    """Completeness of every language: UI and questionnaire strings, fuzzy, untranslated, faulty."""
    folder = Path(_translations())
    statuses = translation_status(folder, _root())
    click.echo(f"{'language':<8} {'UI':>17}  {'questionnaire':>15}  {'fuzzy':>5}  {'untranslated':>12}  faulty")
    for status in statuses:
        _report(status, folder / status.code / "LC_MESSAGES" / "messages.po")
    incomplete = [
        s.code
        for s in statuses
        if s.error or s.faulty or s.fuzzy or s.untranslated or s.ui.share < 1 or s.questionnaire.share < 1
    ]
    if strict and incomplete:
        raise click.ClickException("incomplete or faulty: " + ", ".join(incomplete))
