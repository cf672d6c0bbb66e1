"""A tab's server-side state belongs to one session: when that changes, every page state resets.

Reflex keeps a tab's state on the server under the tab's client token, which survives a
sign-out and the next sign-in in the same tab. Without this check the next hydrate would hand
the next user of the tab what the previous one had loaded (the dev mailbox's live sign-in links,
users, audit rows). The middleware runs before every event handler and before the hydrate
snapshot, so nothing loaded under another session is sent again.
"""

from __future__ import annotations

import asyncio
import hashlib

import reflex as rx

from portal.integrations.reflex_runtime import hydrate_event_names, root_state
from portal.services.accounts.session_check import current_user
from portal.state.session import session_token


class IdentityState(rx.State):
    """Which session the tab's state was loaded under (backend-only, a hash of the token)."""

    _session_hash: str = ""


async def current_identity(root: rx.State, *, known: str, full_check: bool) -> str:
    """The hash of the tab's live session token, '' when signed out; the database is asked
    only when the cookie changed or `full_check` (a hydrate) asks whether it still lives."""
    token = session_token(root.router.headers.cookie)
    if not token:
        return ""
    digest = hashlib.sha256(token.encode()).hexdigest()
    if digest == known and not full_check:
        return digest
    user = await asyncio.to_thread(current_user, token)
    return digest if user is not None else ""


async def reset_tab(root: rx.State) -> None:
    """Every portal state of this tab back to its defaults (also states not loaded yet)."""
    for cls in sorted(type(root).get_substates(), key=lambda c: c.get_name()):
        if cls.__module__.startswith("portal.") and cls is not IdentityState:
            (await root.get_state(cls)).reset()


class IdentityMiddleware(rx.Middleware):
    """Resets the tab's states when its session differs from the one they were loaded under."""

    async def preprocess(self, app, state, event):  # type: ignore[no-untyped-def]
        root = root_state(state)
        marker = await root.get_state(IdentityState)
        full_check = event.name in hydrate_event_names()
        now = await current_identity(root, known=marker._session_hash, full_check=full_check)
        if now != marker._session_hash:
            await reset_tab(root)
            marker._session_hash = now
        return None
