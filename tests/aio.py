"""Run a coroutine from a synchronous test, whatever else runs on the main thread.

The browser tests' Playwright (sync API) keeps an event loop running on the main thread for the
whole session, so `asyncio.run` there fails once they have started; a fresh thread has none.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
