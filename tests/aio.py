"""Run a coroutine from a synchronous test, whatever else runs on the main thread.

The browser tests' Playwright (sync API) keeps an event loop running on the main thread for the
whole session, so `asyncio.run` there fails once they have started; a fresh thread has none.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

from portal.db import close_async_pool

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run it on a fresh loop in a fresh thread; the loop's async database pool is closed before
    the loop ends, as the app's lifespan does (portal.db.close_async_pool)."""

    async def then_close() -> T:
        try:
            return await coroutine
        finally:
            await close_async_pool()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, then_close()).result()
