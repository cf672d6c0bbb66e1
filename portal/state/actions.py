"""Shared by the project pages' states: select options and the roles that may use them."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "agency")


@dataclass(frozen=True)
class Option:
    """One choice in a select (value is what the server receives)."""

    value: str
    label: str


def options(pairs: list[tuple[str, str]]) -> list[Option]:
    return [Option(value, label) for value, label in pairs]
