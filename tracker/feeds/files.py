"""Assembled feeds as files in the instance folder, one per ETag, so a worker answers with the operating system's
sendfile (gunicorn's wsgi.file_wrapper) instead of copying megabytes through Python; beside each its gzip form, for
clients that accept it (made from the database's compressed copy, so it costs no second compression).

The ETag is a hash of the content, so a file is never stale and is written once, atomically (a temporary name,
then a rename): workers on one machine share it, and a worker on another machine writes its own from the database,
which stays the source of truth. Files no stored feed points at any more are removed by `sweep`.
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
import time
import zlib
from collections.abc import Collection
from pathlib import Path

NAME = re.compile(r"^([0-9a-f]{40})\.ics(\.gz)?$")


def path_of(folder: Path, etag: str) -> Path:
    return folder / f"{etag}.ics"


def gzip_of(path: Path) -> Path:
    return path.with_name(path.name + ".gz")


def find(folder: Path, etag: str) -> Path | None:
    path = path_of(folder, etag)
    return path if path.is_file() and gzip_of(path).is_file() else None


def write(folder: Path, etag: str, body: bytes, compressed: bytes) -> Path:
    """Write the body and its gzip form (made from `compressed`, the body's zlib stream, without compressing
    again): the gzip file first, so a body file found always has its gzip form beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = path_of(folder, etag)
    _atomic(gzip_of(path), gzip_from_zlib(compressed, body))
    _atomic(path, body)
    return path


def gzip_from_zlib(compressed: bytes, body: bytes) -> bytes:
    """A gzip file (RFC 1952) around the deflate stream of a zlib stream (RFC 1950): the same compressed data with
    another header and trailer."""
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown system
    return header + compressed[2:-4] + struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)


def _atomic(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".render-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sweep(folder: Path, keep: Collection[str], *, older_than: float = 3600.0) -> int:
    """Remove feed files (and left-over temporary files) not in `keep` that are older than `older_than` seconds: a
    worker may still be sending a file it just looked up."""
    if not folder.is_dir():
        return 0
    removed = 0
    cutoff = time.time() - older_than
    for entry in folder.iterdir():
        named = NAME.match(entry.name)
        if (named is None and not entry.name.startswith(".render-")) or (named and named.group(1) in keep):
            continue
        try:
            if entry.stat().st_mtime < cutoff:
                entry.unlink()
                removed += 1
        except FileNotFoundError:
            pass
    return removed
