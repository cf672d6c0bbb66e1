"""Plain-text + HTML emails for accounts, in the tenant's branding. All values are escaped."""

from __future__ import annotations

from html import escape

from portal.services.email.outbox import Email

DEFAULT_ACCENT = "#e4572e"


def _html(
    *, heading: str, lines: list[str], button: str, url: str, accent: str, footer: str
) -> str:
    paragraphs = "".join(f'<p style="margin:0 0 12px">{escape(line)}</p>' for line in lines)
    return (
        '<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1c2024;'
        'background:#f8f9fa;padding:24px"><div style="max-width:520px;margin:auto;'
        f'background:#fff;border-top:4px solid {escape(accent)};border-radius:8px;padding:24px">'
        f'<h1 style="font-size:20px;margin:0 0 16px">{escape(heading)}</h1>{paragraphs}'
        f'<p style="margin:20px 0"><a href="{escape(url)}" style="background:{escape(accent)};'
        "color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none;"
        'display:inline-block">'
        f'{escape(button)}</a></p><p style="font-size:12px;color:#60646c">{escape(footer)}</p>'
        "</div></body></html>"
    )


def _email(
    *,
    to: str,
    subject: str,
    heading: str,
    lines: list[str],
    button: str,
    url: str,
    accent: str | None,
    footer: str,
    tenant_id=None,
) -> Email:
    text = "\n\n".join([heading, *lines, f"{button}: {url}", footer])
    html = _html(
        heading=heading,
        lines=lines,
        button=button,
        url=url,
        accent=accent or DEFAULT_ACCENT,
        footer=footer,
    )
    return Email(to=to, subject=subject, text=text, html=html, tenant_id=tenant_id)


def magic_link(
    *, to: str, url: str, minutes: int, tenant_name: str, accent: str | None = None, tenant_id=None
) -> Email:
    return _email(
        to=to,
        subject="Your sign-in link for the Motion Mavericks Portal",
        heading=f"Sign in to {tenant_name}",
        lines=[f"Use the button below to sign in. The link works once, for {minutes} minutes."],
        button="Sign in",
        url=url,
        accent=accent,
        tenant_id=tenant_id,
        footer="If you did not ask for this link, you can ignore this email.",
    )


def password_reset(
    *, to: str, url: str, minutes: int, tenant_name: str, accent: str | None = None, tenant_id=None
) -> Email:
    return _email(
        to=to,
        subject="Reset your Motion Mavericks Portal password",
        heading="Choose a new password",
        lines=[
            f"Someone asked to reset the password of your {tenant_name} account.",
            f"The link works once, for {minutes} minutes.",
        ],
        button="Choose a new password",
        url=url,
        accent=accent,
        tenant_id=tenant_id,
        footer="If you did not ask for this, ignore this email: your password stays the same.",
    )


def invite(
    *,
    to: str,
    url: str,
    days: int,
    tenant_name: str,
    inviter: str,
    accent: str | None = None,
    tenant_id=None,
) -> Email:
    return _email(
        to=to,
        subject=f"You're invited to {tenant_name} on the Motion Mavericks Portal",
        heading=f"Join {tenant_name}",
        lines=[
            f"{inviter} invited you to the Motion Mavericks Portal.",
            f"Set your password to get started. The invitation expires in {days} days.",
        ],
        button="Accept the invitation",
        url=url,
        accent=accent,
        tenant_id=tenant_id,
        footer="If you were not expecting this, you can ignore this email.",
    )
