"""The branded HTML shell every email shares: a card under a bar in the tenant's accent, an
optional line above the heading, the heading, the body and a small footer.

Text arguments are escaped here; `body` and `footer` are HTML the caller built from escaped
parts (with `button` for the call to action).
"""

from __future__ import annotations

from html import escape

DEFAULT_ACCENT = "#e4572e"


def page(*, accent: str | None, heading: str, body: str, footer: str, above: str = "") -> str:
    """The whole HTML document of an email."""
    accent = escape(accent or DEFAULT_ACCENT)
    line = f'<p style="margin:0 0 8px;color:#60646c">{escape(above)}</p>' if above else ""
    return (
        '<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1c2024;'
        'background:#f8f9fa;padding:24px"><div style="max-width:520px;margin:auto;'
        f'background:#fff;border-top:4px solid {accent};border-radius:8px;padding:24px">'
        f'{line}<h1 style="font-size:20px;margin:0 0 16px">{escape(heading)}</h1>{body}'
        f'<p style="font-size:12px;color:#60646c">{footer}</p>'
        "</div></body></html>"
    )


def button(label: str, url: str, accent: str | None) -> str:
    """The call to action: a link drawn as a button in the accent colour."""
    return (
        f'<p style="margin:20px 0"><a href="{escape(url)}" style="background:'
        f"{escape(accent or DEFAULT_ACCENT)};color:#fff;padding:10px 18px;border-radius:6px;"
        f'text-decoration:none;display:inline-block">{escape(label)}</a></p>'
    )
