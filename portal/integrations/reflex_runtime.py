"""The Reflex internals the portal relies on, in one place (written against Reflex 0.10).

Reflex offers no public API for these, so a Reflex upgrade may move them. tests/
test_reflex_runtime.py checks each one against the installed Reflex: an upgrade that changes
them fails that test, instead of the app quietly misbehaving (a live loop that never stops, a
tab's states not reset after a sign-out).

- The running App: `RegistrationContext.get().app`, as Reflex's own state code finds it (Reflex
  sets the context in every ASGI task, so event handlers and background events see it).
- Which worker process holds a tab's websocket: the event namespace's token manager
  (`App.event_namespace._token_manager`: `token_to_socket` records with the `instance_id` of
  the process holding each socket, and this process's own `instance_id`); Reflex asks the same
  before it sends a tab an update.
- The events that send a tab its whole state: `hydrate` and `hydrate_and_load` of rx.State, and
  their names on the wire (`format_event_handler`).
- The root state of a substate (`BaseState._get_root_state`).
"""

from __future__ import annotations

import functools

import reflex as rx
from reflex import constants
from reflex.state import BaseState
from reflex.utils.token_manager import TokenManager
from reflex_base.registry import RegistrationContext
from reflex_base.utils.format import format_event_handler

# The rx.State handlers whose event sends the tab the whole state (a socket's first event).
HYDRATE_HANDLERS = (constants.CompileVars.HYDRATE, constants.CompileVars.HYDRATE_AND_LOAD)


def running_app() -> rx.App:
    """The App this process serves (raises when none is registered, e.g. a plain unit test)."""
    return RegistrationContext.get().app


def _token_manager() -> TokenManager:
    namespace = running_app().event_namespace
    if namespace is None:
        raise RuntimeError("the running app has no event namespace (it serves no websocket)")
    return namespace._token_manager


def socket_here(client_token: str) -> bool:
    """Whether the tab's websocket is connected to this worker process."""
    manager = _token_manager()
    record = manager.token_to_socket.get(client_token)
    return record is not None and record.instance_id == manager.instance_id


@functools.cache
def hydrate_event_names() -> frozenset[str]:
    """The wire names of the events that send a tab its whole state (a socket's first event)."""
    handlers = rx.State.event_handlers
    return frozenset(format_event_handler(handlers[name]) for name in HYDRATE_HANDLERS)


def root_state(state: BaseState) -> rx.State:
    """The tab's root state (rx.State) from any of its states."""
    root = state._get_root_state()
    if not isinstance(root, rx.State):
        raise TypeError(f"the root state is {type(root).__name__}, not rx.State")
    return root
