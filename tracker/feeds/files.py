"""Assembled feeds as files in the instance folder, one per ETag, so a worker answers with the operating system's
sendfile (gunicorn's wsgi.file_wrapper) instead of copying megabytes through Python.

The ETag is a hash of the content, so a file is never stale and is written once, atomically (a temporary name,
then a rename): workers on one machine share it, and a worker on another machine writes its own from the database,
which stays the source of truth. Files no stored feed points at any more are removed by `sweep`.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Collection
from pathlib import Path

NAME = re.compile(r"^[0-9a-f]{40}\.ics$")


def path_of(folder: Path, etag: str) -> Path:
    return folder / f"{etag}.ics"


def find(folder: Path, etag: str) -> Path | None:
    path = path_of(folder, etag)
    return path if path.is_file() else None


def write(folder: Path, etag: str, body: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = path_of(folder, etag)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".render-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def sweep(folder: Path, keep: Collection[str], *, older_than: float = 3600.0) -> int:
    """Remove feed files (and left-over temporary files) not in `keep` that are older than `older_than` seconds: a
    worker may still be sending a file it just looked up."""
    if not folder.is_dir():
        return 0
    removed = 0
    cutoff = time.time() - older_than
    for entry in folder.iterdir():
        if not (NAME.match(entry.name) or entry.name.startswith(".render-")) or entry.stem in keep:
            continue
        try:
            if entry.stat().st_mtime < cutoff:
                entry.unlink()
                removed += 1
        except FileNotFoundError:
            pass
    return removed
