"""The least a WSGI app can do to answer with a file: gunicorn's own ceiling for the feed benchmark.

`gunicorn -c gunicorn.conf.py -w 4 bench.static_wsgi:app` with BENCH_STATIC_ROOT set serves `/<name>.ics` from that
folder through `wsgi.file_wrapper` (so gunicorn's sendfile), with no routing, no database and no headers beyond the
length and type: what the tracker's feed costs beyond this is the tracker's; what this costs beyond nginx is the
worker model's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref.util import FileWrapper

ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "."))


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    name = environ.get("PATH_INFO", "").lstrip("/")
    path = ROOT / name
    if "/" in name or not name.endswith(".ics") or not path.is_file():
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
    handle = path.open("rb")
    start_response("200 OK", [("Content-Type", "text/calendar; charset=utf-8"),
                              ("Content-Length", str(os.fstat(handle.fileno()).st_size))])
    return environ.get("wsgi.file_wrapper", FileWrapper)(handle)  # gunicorn's sends with sendfile
