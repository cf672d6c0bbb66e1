"""Bell and notification settings handlers: own notifications only, session re-checked."""

from __future__ import annotations

import asyncio

import pytest

from portal.integrations.pg_listen import Listener
from portal.state import live
from portal.state.bell import BellState
from portal.state.notification_settings import NotificationSettingsState
from tests.factories import make_graph
from tests.jobs.support import run_async
from tests.state.test_state import make_state, redirect_target, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")


def test_bell_loads_own_notifications_and_refuses_others() -> None:
    mine, theirs = make_graph(), make_graph()
    state = make_state(BellState, cookie=signed_in_cookie(mine.user.email))
    tab = state.router.session.client_token
    assert state.start() is not None  # no loop runs for this tab in this process: start one
    kind = f"bell:{mine.user.id}"
    assert live.claim(kind, tab)  # (what the loop does when it starts)
    try:
        assert state.start() is None  # one loop per tab, user and worker
    finally:
        live.release(kind, tab)
    assert state.unread == 1 and [i.id for i in state.items] == [str(mine.notification.id)]
    state.open_item(str(theirs.notification.id))  # another tenant's id: not found
    assert state.bell_error.startswith("That item does not exist")
    assert redirect_target(state.open_item(str(mine.notification.id))) == "/"
    assert state.unread == 0
    state.read_all()
    anonymous = make_state(BellState)
    assert redirect_target(anonymous.start()).startswith("/login")
    assert anonymous.items == []


def test_settings_change_only_own_preferences() -> None:
    g = make_graph()
    state = make_state(NotificationSettingsState, cookie=signed_in_cookie(g.user.email))
    state.load()
    assert {p.type for p in state.prefs} >= {"mention", "comment", "invite_accepted"}
    state.choose("comment", "off")
    assert state.message == "Saved."
    assert {p.type: p.mode for p in state.prefs}["comment"] == "off"
    state.choose("comment", "sometimes")
    assert state.error == "Choose immediately, daily digest or off."


def test_listener_wakes_the_right_user_on_commit(superuser_conn) -> None:
    g = make_graph()
    other = make_graph()

    async def until(condition, timeout: float = 30) -> None:
        """Yield to the loop until `condition()` holds (a deadline, not a delay)."""
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.01)

    async def scenario() -> tuple[set[str], set[str]]:
        listener = Listener()
        async with (
            listener.subscribe({str(g.user.id)}) as mine,
            listener.subscribe({str(other.user.id)}) as theirs,
        ):
            assert mine is not None and theirs is not None
            await until(lambda: listener.connected)
            await mine.next(0)  # the wake-up every page gets when the connection opens
            await theirs.next(0)
            await asyncio.to_thread(
                superuser_conn.execute,
                "UPDATE notifications SET read_at = now() WHERE id = %s",
                (g.notification.id,),
            )
            woken = await mine.next(60)
            # The other user's page was not woken by it.
            theirs_woken = await theirs.next(0)
        await listener.stop()
        return woken, theirs_woken

    assert run_async(scenario) == ({str(g.user.id)}, set())


def test_which_loops_run_is_process_memory_not_state() -> None:
    """State outlives a worker when it lives in Redis; the loop registry must not."""
    assert "live" not in BellState.get_fields()
    assert live.claim("bell", "tab-1") and not live.claim("bell", "tab-1")
    assert live.claim("bell", "tab-2") and live.running("bell", "tab-1")
    live.release("bell", "tab-1")
    live.release("bell", "tab-2")
    assert not live.running("bell", "tab-1") and live.claim("bell", "tab-1")
    live.release("bell", "tab-1")
