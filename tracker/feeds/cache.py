"""Rendered feeds, kept per process by their ETag. The ETag includes the portfolio revision, which grows with every
change, so an entry is never stale: a changed portfolio simply asks for a new key."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from urllib.parse import parse_qsl, urlencode

FEED_FORMAT = "4"  # bump when the rendering changes, so every ETag changes with it


def feed_etag(query_string: str, revision: int, *, base_url: str) -> str:
    # The same parameters in another order are the same feed.
    canonical = urlencode(sorted(parse_qsl(query_string, keep_blank_values=True)))
    raw = f"{FEED_FORMAT}\n{base_url}\n{canonical}\n{revision}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


class RenderCache:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> bytes:
        with self._lock:
            if key not in self._items and len(body) <= self.max_bytes:
                self._items[key] = body
                self._size += len(body)
                while self._size > self.max_bytes:
                    _, old = self._items.popitem(last=False)
                    self._size -= len(old)
            return body

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


CACHE = RenderCache()
