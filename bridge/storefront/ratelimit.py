"""A token bucket per publishable key, so one busy or abused key cannot starve the others.

The buckets live in the serving process: with several processes each enforces the limit
on its own share of the traffic (so the effective limit is the key's limit times the
number of processes). That is the price of not adding a network round trip to every
keystroke of search-as-you-type.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from bridge.errors import RateLimitedError


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, key: str, per_minute: int) -> None:
        """Spend one request of ``key``'s budget, or raise :class:`RateLimitedError`."""
        rate = per_minute / 60.0
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                retry_after = max(1, math.ceil((1.0 - tokens) / rate))
                raise RateLimitedError(
                    f"This public key is limited to {per_minute} requests a minute; try again in {retry_after} s.",
                    retry_after=retry_after,
                )
            self._buckets[key] = (tokens - 1.0, now)
