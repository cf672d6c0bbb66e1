"""Concurrent requests against a verifier (password, passcode) without relying on timing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

WAIT = 120  # seconds: a safety net against a hung test, never a timing assumption


class VerifierGate:
    """Wraps a verifier: counts the calls that reach it and holds them until every request has
    either reached it or returned, so how many got through does not depend on speed."""

    def __init__(self, real: Callable[..., Any], total: int) -> None:
        self.real = real
        self.total = total
        self.entered = 0
        self._returned = 0
        self._changed = threading.Condition()
        self._release = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._changed:
            self.entered += 1
            self._changed.notify_all()
        self._release.wait(WAIT)
        return self.real(*args, **kwargs)

    def run(self, request: Callable[[int], Any]) -> list[Any]:
        """`request(n)` from `total` threads released together by a barrier; their results."""
        barrier = threading.Barrier(self.total)
        results: list[Any] = [None] * self.total

        def worker(n: int) -> None:
            barrier.wait(WAIT)
            try:
                results[n] = request(n)
            finally:
                with self._changed:
                    self._returned += 1
                    self._changed.notify_all()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(self.total)]
        for thread in threads:
            thread.start()
        with self._changed:
            self._changed.wait_for(lambda: self.entered + self._returned >= self.total, WAIT)
        self._release.set()
        for thread in threads:
            thread.join(WAIT)
        return results
