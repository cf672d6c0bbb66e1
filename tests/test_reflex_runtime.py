"""The Reflex internals behind portal.integrations.reflex_runtime, checked against the installed
Reflex. When an upgrade moves one of them, a test here fails (the app would otherwise misbehave
quietly: a live loop that never stops, a tab's states not reset after a sign-out)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import reflex as rx
from reflex.utils.token_manager import SocketRecord
from reflex_base.event.processor.base_state_processor import _hydrate_event_names
from reflex_base.registry import RegistrationContext
from reflex_base.utils.exceptions import ReflexRuntimeError

from portal.integrations import reflex_runtime
from portal.state.session import SessionState
from tests.aio import run  # a browser test may have left a loop running on this thread


@pytest.fixture()
def app() -> Iterator[rx.App]:
    """An App of its own (another test may already have made one in this process)."""
    with RegistrationContext.ensure_context().fork():
        yield rx.App()


def test_the_running_app_is_found_as_reflex_finds_it(app: rx.App) -> None:
    assert reflex_runtime.running_app() is app


def test_socket_here_follows_the_tabs_socket(app: rx.App) -> None:
    # What Reflex does when a tab's socket sends its token, and when it disconnects.
    manager = app.event_namespace._token_manager
    assert not reflex_runtime.socket_here("tab-1")
    run(manager.link_token_to_sid("tab-1", "sid-1"))
    assert reflex_runtime.socket_here("tab-1")
    run(manager.disconnect_token("tab-1", "sid-1"))
    assert not reflex_runtime.socket_here("tab-1")


def test_a_socket_on_another_worker_is_not_here(app: rx.App) -> None:
    # With Redis, the token manager also records the sockets other workers hold.
    manager = app.event_namespace._token_manager
    manager.token_to_socket["tab-2"] = SocketRecord(instance_id="another-worker", sid="sid-2")
    assert manager.instance_id != "another-worker"
    assert not reflex_runtime.socket_here("tab-2")


def test_without_an_app_socket_here_fails_loudly() -> None:
    with RegistrationContext():
        with pytest.raises(ReflexRuntimeError, match="No App is registered"):
            reflex_runtime.socket_here("tab-3")


def test_hydrate_events_are_the_ones_reflex_treats_as_hydrate() -> None:
    names = reflex_runtime.hydrate_event_names()
    assert names == _hydrate_event_names()
    # The frontend's first event on every (re)connect (reflex_base's compiled state.js).
    assert f"{rx.State.get_full_name()}.hydrate_and_load" in names


def test_root_state_of_a_substate() -> None:
    root = rx.State(_reflex_internal_init=True)
    session = root.get_substate(SessionState.get_full_name().split("."))
    assert reflex_runtime.root_state(session) is root
