"""Assembled feeds, kept per process by their ETag. The ETag is a hash of the feed's content (store.content_etag),
so an entry is never stale: changed content simply asks for a new key. The shared copy is in `feed_renders`."""

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
