"""Status badges with one colour per status, shared by every project, milestone and task view."""

from __future__ import annotations

import reflex as rx

STATUS_COLOURS = {
    "active": "green",
    "planning": "blue",
    "on_hold": "amber",
    # Done, in its own colour: neither "pending" (gray) nor "active" (green).
    "completed": "iris",
    "archived": "gray",
    "pending": "gray",
    "in_progress": "blue",
    "in_review": "amber",
    "blocked": "red",
}


# A version's processing state: each its own colour, so "Ready" never looks like "Uploading".
MEDIA_STATUS_COLOURS = {
    "uploading": "blue",
    "processing": "amber",
    "ready": "green",
    "errored": "red",
    "deleted": "gray",
}


def status_colour(status: rx.Var | str) -> rx.Var:
    """The Radix colour scheme for a status."""
    return rx.match(status, *STATUS_COLOURS.items(), "gray")


def status_badge(status: rx.Var | str, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    """A badge naming a status ("in_progress" shows as "in progress")."""
    label = (
        status.replace("_", " ") if isinstance(status, str) else status.to(str).replace("_", " ")
    )
    return rx.badge(label, color_scheme=status_colour(status), **props)


def media_status_badge(status: rx.Var, label: rx.Var, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    """A version's processing state ("Uploading", "Ready", "Failed"…) in its own colour."""
    return rx.badge(
        label, color_scheme=rx.match(status, *MEDIA_STATUS_COLOURS.items(), "gray"), **props
    )


def overdue_badge(overdue: rx.Var) -> rx.Component:
    """A red "Overdue" badge when `overdue` is true."""
    return rx.cond(overdue, rx.badge("Overdue", color_scheme="red", class_name="overdue-badge"))
