"""Where evidence bytes live: a small interface, and its default, a folder keyed by content hash.

An object store can replace the folder by implementing `Storage` and setting `EVIDENCE_STORAGE`
in the configuration to a factory taking the application.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Protocol

from flask import current_app


class Storage(Protocol):
    """Content-addressed blob storage: the key of a blob is the SHA-256 of its bytes."""

    def put(self, digest: str, stream: IO[bytes]) -> None:
        """Store these bytes under their digest (a no-op when they are already stored)."""

    def open(self, digest: str) -> IO[bytes]:
        """The stored bytes, for reading."""

    def delete(self, digest: str) -> None:
        """Forget the bytes (nothing happens when they are absent)."""


class FolderStorage:
    """Blobs as files under a folder, fanned out by the first characters of the digest."""

    def __init__(self, root: Path):
        """Store under this folder."""
        self.root = root

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError("not a SHA-256 digest")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, digest: str, stream: IO[bytes]) -> None:
        """Write to a temporary file, then rename: a reader never sees half a file."""
        path = self._path(digest)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        stream.seek(0)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            shutil.copyfileobj(stream, tmp)
        os.replace(tmp.name, path)

    def open(self, digest: str) -> IO[bytes]:
        """The stored file, opened for reading."""
        return self._path(digest).open("rb")

    def delete(self, digest: str) -> None:
        """Remove the stored file if present."""
        self._path(digest).unlink(missing_ok=True)


def storage() -> Storage:
    """The storage the application is configured with (a folder under the instance folder by default)."""
    factory = current_app.config.get("EVIDENCE_STORAGE")
    if factory is not None:
        return factory(current_app)
    root = current_app.config.get("EVIDENCE_DIR") or Path(current_app.instance_path) / "evidence"
    return FolderStorage(Path(root))
