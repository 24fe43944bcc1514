"""The feeds' format version, and a per-process cache of assembled feeds by ETag.

Feeds are no longer served from this cache: each render is a file per ETag in the instance folder, sent with
sendfile, and the shared copy is in `feed_renders` (tracker.feeds.files, tracker.feeds.store). CACHE stays for the
callers that still clear or describe it (`tracker doctor`, the benchmark, tests) until they are moved on."""

from __future__ import annotations

import threading
from collections import OrderedDict

FEED_FORMAT = "6"  # bump when the rendering changes, so every ETag changes with it


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
