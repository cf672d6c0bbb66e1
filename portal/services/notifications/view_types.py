"""What the bell and the preferences page show: plain view types, with no database code (pages
and components import them; the query functions in this package build them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PreferenceView:
    """One type on the preferences page."""

    type: str
    label: str
    mode: str


@dataclass
class NotificationView:
    """One line of the bell's panel."""

    id: str
    title: str
    link: str
    excerpt: str
    created_at: str
    unread: bool
