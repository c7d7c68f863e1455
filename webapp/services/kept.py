"""What a process keeps between requests: the few items used last, the least recently used
forgotten first. The callers key every item by a version of the data it was made from (see
fragment_cache.py, periods.live_standing), so nothing kept is ever stale; nothing is shared
between processes, so the app stays stateless."""

from collections import OrderedDict
from threading import Lock


class Kept:
    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple):
        """The item kept under the key, or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: tuple, item) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (a benchmark or a test measuring a page as after a restart)."""
        with self._lock:
            self._items.clear()
