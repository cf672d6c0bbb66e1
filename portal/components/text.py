"""Text that keeps to one line in lists and tables: a long title is cut with an ellipsis at
`max_width` and its whole text is the tooltip (the title attribute), so one long title never
pushes the other columns off-screen."""

from __future__ import annotations

from typing import Any

import reflex as rx

# One line, cut with "…" where the box ends.
ONE_LINE: dict[str, str] = {
    "display": "block",
    "overflow": "hidden",
    "text_overflow": "ellipsis",
    "white_space": "nowrap",
}


def clipped(text: rx.Var | str, *, max_width: Any = "20rem", **props: Any) -> rx.Component:
    """`text` on one line, at most `max_width` wide; the whole of it on hover."""
    return rx.text(text, title=text, max_width=max_width, **ONE_LINE, **props)


def clipped_link(
    text: rx.Var | str, href: rx.Var | str, *, max_width: Any = "20rem", **props: Any
) -> rx.Component:
    """A link whose text keeps to one line, at most `max_width` wide; the whole of it on hover."""
    return rx.link(text, href=href, title=text, max_width=max_width, **ONE_LINE, **props)


def not_empty(items: Any) -> rx.Var:
    """Whether a state list holds anything, for rx.cond (a state class's list attribute reads
    as a plain list to the type checker; at build time it is an array var)."""
    return items.length() > 0
