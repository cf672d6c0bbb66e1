"""Dev mailbox: what the portal would have emailed, when no email provider is configured.

The page exists in development only: with PORTAL_ENV=prod it is never registered, so its route
does not exist (the outbox holds live sign-in links). It is a developer's tool, not part of the
product: it stays out of the navigation, and the Operations page links to it.
"""

import reflex as rx

from portal import routes
from portal.components.text import not_empty
from portal.pages.registry import page
from portal.services.core.permissions import Action
from portal.settings import get_settings
from portal.state.mailbox import MailboxState, MailView


def email_card(mail: MailView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(mail.subject, weight="bold"),
                rx.spacer(),
                rx.text(mail.sent, size="1", color_scheme="gray"),
                width="100%",
            ),
            rx.text("To: ", mail.recipient, size="2", color_scheme="gray"),
            rx.text(mail.body, white_space="pre-wrap", size="2", class_name="mail-body"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="mail",
    )


def mailbox() -> rx.Component:
    return rx.vstack(
        rx.link("← Operations", href=routes.OPERATIONS, size="2"),
        rx.cond(
            MailboxState.enabled,
            rx.callout(
                "Resend is not configured, so emails stay here instead of being sent. "
                "They contain live sign-in links: this page exists in development only.",
                icon="info",
            ),
            rx.callout(
                "Emails are sent by Resend (or this is production): nothing is kept here.",
                icon="info",
            ),
        ),
        rx.cond(
            MailboxState.enabled & ~not_empty(MailboxState.emails),
            rx.text(
                "No emails yet. Invitations, sign-in links and notifications the portal sends "
                "appear here.",
                color_scheme="gray",
                id="no-mail",
            ),
        ),
        rx.foreach(MailboxState.emails, email_card),
        spacing="3",
        width="100%",
        max_width="48rem",
    )


if get_settings().portal_env == "dev":
    page(
        route=routes.MAILBOX,
        title="Dev mailbox",
        roles=("admin",),
        action=Action.OPERATE,
        on_load=MailboxState.load,
        order=95,
    )(mailbox)
