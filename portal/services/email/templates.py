"""Plain-text + HTML emails for accounts, in the tenant's branding. All values are escaped."""

from __future__ import annotations

from html import escape

from portal.services.email import shell
from portal.services.email.outbox import Email


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
    paragraphs = "".join(f'<p style="margin:0 0 12px">{escape(line)}</p>' for line in lines)
    html = shell.page(
        accent=accent,
        heading=heading,
        body=paragraphs + shell.button(button, url, accent),
        footer=escape(footer),
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
