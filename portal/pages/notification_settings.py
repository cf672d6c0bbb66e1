"""Notification settings: email immediately, in a daily digest, or not at all, per type."""

import reflex as rx

from portal import routes
from portal.components.forms import error_callout, notice_callout
from portal.pages.registry import page
from portal.services.notifications.view_types import PreferenceView
from portal.state.notification_settings import NotificationSettingsState as State

MODE_LABELS = {"immediately": "Immediately", "digest": "Daily digest", "off": "Off"}


def pref_row(pref: PreferenceView) -> rx.Component:
    return rx.table.row(
        # Wraps even on a phone (tables keep rows to one line there), so the choice stays in view.
        rx.table.cell(pref.label, white_space="normal"),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(),
                rx.select.content(
                    *[rx.select.item(label, value=mode) for mode, label in MODE_LABELS.items()]
                ),
                value=pref.mode,
                on_change=lambda mode: State.choose(pref.type, mode),
            )
        ),
        class_name="pref-row",
    )


@page(route=routes.NOTIFICATION_SETTINGS, title="Notification settings", on_load=State.load)
def notification_settings() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Every notification appears under the bell. Choose which ones also reach you by "
            "email; the daily digest arrives in the morning with the previous day's updates.",
            color_scheme="gray",
        ),
        rx.cond(State.error != "", error_callout(State.error)),
        rx.cond(State.message != "", notice_callout(State.message)),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Notification"),
                    rx.table.column_header_cell("Email"),
                )
            ),
            rx.table.body(rx.foreach(State.prefs, pref_row)),
            width="100%",
            max_width="40rem",
        ),
        spacing="4",
        width="100%",
    )
