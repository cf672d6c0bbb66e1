"""A reference for uploads: a bare ASGI app that receives a request body and discards it.

No upload through the server can be faster than this on the same machine (same server, same
loopback, no hashing, no disk).
"""

from __future__ import annotations

from typing import Any


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b""})
