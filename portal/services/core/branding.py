"""A tenant's accent colour: read from its `branding` (the UI, emails and the client page use
it), validated when saved."""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#3a86ff"


def accent_from(branding: dict | None) -> str:
    """The accent colour a tenant's `branding` names, or the default when it names none."""
    colour = (branding or {}).get("accent_color")
    return colour if isinstance(colour, str) and HEX_COLOUR.match(colour) else DEFAULT_ACCENT
