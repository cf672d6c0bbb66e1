"""Notification emails (one, or a daily digest): plain text + HTML in the tenant's branding.

Everything shown is escaped. A payload gives a title, a same-site link and, for recipients in
the event's own tenant only, an excerpt; nothing else about the event reaches the email.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from uuid import UUID

from portal.services.core.errors import TemplateError
from portal.services.email import shell
from portal.services.email.outbox import Email
from portal.services.notifications.fan_out import TYPES


@dataclass(frozen=True)
class Item:
    """One notification as an email shows it."""

    type: str
    title: str
    url: str
    excerpt: str = ""


@dataclass(frozen=True)
class Branding:
    """Whose email this is: tenant name and accent, the portal's base URL."""

    tenant_name: str
    accent: str
    base_url: str


def item(type_: str, payload: dict, base_url: str) -> Item:
    """An Item from a stored payload; TemplateError when it cannot be shown."""
    if type_ not in TYPES:
        raise TemplateError(f"unknown notification type {type_[:100]!r}")
    title = payload.get("title")
    if not isinstance(title, str) or not title.strip():
        raise TemplateError("payload without a title")
    link = str(payload.get("link") or "/")
    link = link if link.startswith("/") and not link.startswith("//") else "/"
    return Item(type_, title[:300], base_url.rstrip("/") + link, str(payload.get("excerpt") or ""))


def _item_html(entry: Item, accent: str) -> str:
    quote = (
        f'<p style="margin:4px 0 0;color:#60646c">“{escape(entry.excerpt)}”</p>'
        if entry.excerpt
        else ""
    )
    return (
        f'<li style="margin:0 0 12px"><a href="{escape(entry.url)}" style="color:{escape(accent)}">'
        f"{escape(entry.title)}</a>{quote}</li>"
    )


def _page(brand: Branding, heading: str, body: str, unsubscribe: list[tuple[str, str]]) -> str:
    links = " · ".join(
        f'<a href="{escape(url)}" style="color:#60646c">{escape(label)}</a>'
        for label, url in unsubscribe
    )
    return shell.page(
        accent=brand.accent,
        above=brand.tenant_name,
        heading=heading,
        body=body,
        footer=f"Stop these emails: {links}",
    )


def _text_footer(unsubscribe: list[tuple[str, str]]) -> str:
    return "Stop these emails:\n" + "\n".join(f"- {label}: {url}" for label, url in unsubscribe)


def single(
    *, to: str, entry: Item, brand: Branding, unsubscribe_url: str, tenant_id: UUID | None
) -> Email:
    """The email for one notification."""
    stop = [(TYPES[entry.type][0], unsubscribe_url)]
    quote = (
        f'<p style="margin:0 0 12px;color:#60646c">“{escape(entry.excerpt)}”</p>'
        if entry.excerpt
        else ""
    )
    body = quote + shell.button("Open in the portal", entry.url, brand.accent)
    text = "\n\n".join(
        [
            entry.title,
            *([f"“{entry.excerpt}”"] if entry.excerpt else []),
            entry.url,
            _text_footer(stop),
        ]
    )
    return Email(
        to=to,
        subject=entry.title,
        text=text,
        html=_page(brand, entry.title, body, stop),
        tenant_id=tenant_id,
    )


def digest(
    *,
    to: str,
    days: list[tuple[str, list[Item]]],
    brand: Branding,
    unsubscribe: list[tuple[str, str]],
    tenant_id: UUID | None,
) -> Email:
    """One email summarising notifications, grouped by local day (oldest day first)."""
    count = sum(len(items) for _, items in days)
    heading = f"Your daily summary: {count} update{'s' if count != 1 else ''}"
    html_body = "".join(
        f'<h2 style="font-size:15px;margin:16px 0 8px">{escape(day)}</h2>'
        f'<ul style="padding-left:18px">{"".join(_item_html(i, brand.accent) for i in items)}</ul>'
        for day, items in days
    )
    text_body = "\n\n".join(
        day + "\n" + "\n".join(f"- {i.title}\n  {i.url}" for i in items) for day, items in days
    )
    return Email(
        to=to,
        subject=f"{brand.tenant_name}: {heading[0].lower()}{heading[1:]}",
        text="\n\n".join([heading, text_body, _text_footer(unsubscribe)]),
        html=_page(brand, heading, html_body, unsubscribe),
        tenant_id=tenant_id,
    )
