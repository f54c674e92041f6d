"""Chart images on disk, and the background thread that draws the ones pages asked for.

An image is named by a keyed hash of everything it shows (the figure, already translated, and
its size), so a change of data or language gives a new name and a name never shows other data.
The key is an HMAC with the application's secret: knowing what a chart might show is not enough
to find out, by asking for its name, whether it does.

Several server processes share a folder. A page that finds no image leaves the figure in
`asked/`; whichever process holds the folder's lock draws every asked figure, so one Kaleido
(one Chromium) runs per folder, and another process takes over if that one stops.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from survey.compression import FILE_BROTLI_QUALITY, encode

log = logging.getLogger(__name__)
# Part of every key: a change of how images are drawn (bundle, sizes) must give new names.
DRAWING = "plotly-custom 4.1.1; kaleido svg; 1"
KEY = re.compile(r"[0-9a-f]{32}")
SUFFIXES = {None: "", "br": ".br", "gzip": ".gz"}
RETRY_AFTER_FAILURE_S = 600  # a broken Chromium is not started again for every page
# Bounds against readers (or robots) asking for endless variants (countries compared, languages):
MAX_ASKED = 500  # figures waiting; beyond, pages show their tables until the queue drains
MAX_IMAGES = 10_000  # images kept; beyond, the oldest go (a page still naming one shows its table)


@dataclass(frozen=True)
class Spec:
    """What to draw: a figure (a plain dict) at a size in CSS pixels."""

    figure: dict
    width: int
    height: int

    def to_json(self) -> str:
        """Canonical JSON: equal specs give equal text."""
        return json.dumps(
            {"figure": self.figure, "width": self.width, "height": self.height},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=str,
        )


class ImageStore:
    """SVG images in a folder, each with its brotli and gzip forms, and the figures waiting to be drawn."""

    def __init__(self, directory: Path, secret: str | bytes):
        """Keep images under `directory`, named with a key derived from `secret`."""
        self.directory = Path(directory)
        self._secret = secret.encode() if isinstance(secret, str) else secret
        self.asked_dir = self.directory / "asked"

    def key(self, spec: Spec) -> str:
        """The image's name: a keyed hash of the drawing method and of the spec."""
        message = (DRAWING + "\n" + spec.to_json()).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def path(self, key: str, encoding: str | None = None) -> Path:
        """Where an image (or its compressed form) lives."""
        if not KEY.fullmatch(key):
            raise ValueError("not an image key")
        return self.directory / key[:2] / f"{key}.svg{SUFFIXES[encoding]}"

    def has(self, key: str) -> bool:
        """Whether the image is drawn (its plain form is written last)."""
        return self.path(key).is_file()

    def read(self, key: str, encoding: str | None = None) -> bytes | None:
        """The image in this encoding, or None when it is not drawn."""
        try:
            return self.path(key, encoding).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, key: str, svg: bytes) -> None:
        """Keep an image with its compressed forms, each written whole (readers never see half a file)."""
        encoded = encode(svg, FILE_BROTLI_QUALITY, keep_plain=True)
        for encoding in ("br", "gzip", None):  # the plain form last: its presence means complete
            _write_atomically(self.path(key, encoding), encoded.form(encoding))

    def ask(self, key: str, spec: Spec) -> bool:
        """Leave a figure for the drawing process; False when too many wait already."""
        target = self.asked_dir / f"{key}.json"
        if target.exists():
            return True
        if self.asked_dir.is_dir() and sum(1 for _entry in os.scandir(self.asked_dir)) >= MAX_ASKED:
            return False
        _write_atomically(target, spec.to_json().encode())
        return True

    def asked(self) -> list[tuple[str, Spec]]:
        """The figures waiting to be drawn, oldest first."""
        found = []
        try:
            entries = sorted(self.asked_dir.glob("*.json"), key=_mtime)
        except FileNotFoundError:
            return []
        for path in entries:
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                path.unlink(missing_ok=True)
                continue
            found.append((path.stem, Spec(raw["figure"], raw["width"], raw["height"])))
        return found

    def forget(self, key: str) -> None:
        """Drop a figure from the waiting list."""
        (self.asked_dir / f"{key}.json").unlink(missing_ok=True)

    def prune(self, keep: int = MAX_IMAGES) -> int:
        """Delete the oldest images beyond `keep`; the number deleted."""
        images = [
            entry
            for folder in self.directory.glob("[0-9a-f][0-9a-f]")
            for entry in os.scandir(folder)
            if entry.name.endswith(".svg")
        ]
        if len(images) <= keep:
            return 0
        images.sort(key=lambda entry: entry.stat().st_mtime)
        for entry in images[: len(images) - keep]:
            for suffix in SUFFIXES.values():
                Path(entry.path + suffix).unlink(missing_ok=True)
        return len(images) - keep

    def note_failure(self) -> None:
        """Remember that drawing failed, so pages stop asking for a while."""
        _write_atomically(self.directory / "failed", str(time.time()).encode())

    def failed_recently(self) -> bool:
        """Whether drawing failed within the last RETRY_AFTER_FAILURE_S seconds."""
        try:
            return time.time() - (self.directory / "failed").stat().st_mtime < RETRY_AFTER_FAILURE_S
        except FileNotFoundError:
            return False


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


Draw = Callable[[dict, int, int], bytes]


class Renderer:
    """A daemon thread that draws the asked figures of one store, when this process holds its lock."""

    POLL_S = 1.0  # how often to look for figures another process asked for

    def __init__(self, store: ImageStore, draw: Draw):
        """Draw the figures `store` is asked for with `draw(figure, width, height) -> svg`."""
        self.store, self.draw = store, draw
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._lock_file: int | None = None

    def wake(self) -> None:
        """Start the thread if needed and have it look for work now."""
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="chart-images", daemon=True)
                self._thread.start()
        self._wake.set()

    def _holds_lock(self) -> bool:
        """Take the store's lock for the life of this process, if no other process has it."""
        if self._lock_file is not None:
            return True
        self.store.directory.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.store.directory / "drawing.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
            return False
        self._lock_file = handle
        return True

    def _run(self) -> None:
        while True:
            self._wake.wait(self.POLL_S)
            self._wake.clear()
            try:
                if self._holds_lock():
                    self.draw_asked()
            except Exception:  # the thread must outlive any one failure
                log.exception("Drawing chart images failed")

    def draw_asked(self) -> int:
        """Draw every asked figure; the number drawn."""
        drawn = 0
        for key, spec in self.store.asked():
            if not self.store.has(key):
                try:
                    self.store.write(key, self.draw(spec.figure, spec.width, spec.height))
                    drawn += 1
                except Exception:
                    log.exception("Drawing a chart image failed; pages show their tables meanwhile")
                    self.store.note_failure()
                    for other, _spec in self.store.asked():
                        self.store.forget(other)
                    return drawn
            self.store.forget(key)
        if drawn:
            self.store.prune()
        return drawn


_renderers: dict[Path, Renderer] = {}
_renderers_lock = threading.Lock()


def renderer_for(store: ImageStore, draw: Draw) -> Renderer:
    """The process's one renderer of a store's folder."""
    with _renderers_lock:
        if store.directory not in _renderers:
            _renderers[store.directory] = Renderer(store, draw)
        return _renderers[store.directory]
