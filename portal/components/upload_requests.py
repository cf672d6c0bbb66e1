"""The project page's *Upload requests* (create, list, revoke; the URL shown once) and
*Client files* (who sent what, when; download)."""

from __future__ import annotations

import reflex as rx

from portal.components.links import endpoint_link
from portal.components.new_link import form_messages, new_link_notice
from portal.services.sharing.view_types import UPLOAD_KINDS
from portal.state.upload_requests import UploadRequestsState as S


def _form() -> rx.Component:
    return rx.el.details(
        rx.el.summary("New upload request", id="request-new", style={"cursor": "pointer"}),
        rx.form(
            rx.vstack(
                rx.input(
                    name="name",
                    placeholder="Name (e.g. Logos and stills)",
                    id="request-name",
                    max_length=300,
                    width="100%",
                ),
                rx.text_area(
                    name="message",
                    placeholder="A message for the client (optional)",
                    id="request-message",
                    max_length=2000,
                    width="100%",
                ),
                rx.text("Allowed kinds", size="2"),
                rx.flex(
                    *[
                        rx.el.label(
                            rx.el.input(
                                type="checkbox",
                                name=f"kind_{kind}",
                                default_checked=kind in ("images", "documents"),
                                id=f"request-kind-{kind}",
                            ),
                            f" {label}",
                            style={"marginRight": "1rem"},
                        )
                        for kind, label in UPLOAD_KINDS.items()
                    ],
                    wrap="wrap",
                ),
                rx.flex(
                    rx.input(
                        name="max_mb",
                        placeholder="Largest file, MB",
                        id="request-max-mb",
                        width=["100%", "10rem"],
                    ),
                    rx.input(
                        name="max_files",
                        placeholder="Files (20)",
                        id="request-max-files",
                        width=["100%", "8rem"],
                    ),
                    rx.input(
                        name="days",
                        placeholder="Expires in days (14)",
                        id="request-days",
                        width=["100%", "10rem"],
                    ),
                    rx.input(
                        name="passcode",
                        type="password",
                        placeholder="Passcode (optional)",
                        id="request-passcode",
                        auto_complete="new-password",
                        width=["100%", "12rem"],
                    ),
                    wrap="wrap",
                    gap="2",
                    width="100%",
                ),
                rx.button("Create upload link", type="submit", id="request-create"),
                width="100%",
            ),
            on_submit=S.create,
            reset_on_submit=True,
            width="100%",
        ),
        style={"width": "100%"},
    )


def _request_row(r) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.flex(
        rx.text(r.name, weight="medium", class_name="request-name"),
        rx.badge(r.status_label),
        rx.text(r.kinds, size="2", color_scheme="gray"),
        rx.text(r.limits, size="2", color_scheme="gray"),
        rx.text("until ", r.expires, size="2", color_scheme="gray"),
        rx.text(r.files, " received", size="2"),
        rx.cond(
            S.can_request & (r.status == "active"),
            rx.button(
                "Revoke",
                size="1",
                color_scheme="red",
                variant="soft",
                on_click=S.revoke(r.id),  # type: ignore[operator]
                class_name="request-revoke",
            ),
        ),
        wrap="wrap",
        gap="2",
        align="center",
        width="100%",
        class_name="request-row",
    )


def _file_row(f) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.flex(
        endpoint_link(
            f.filename,
            href=f.url,
            download=True,
            weight="medium",
            class_name="client-file-name",
            word_break="break-all",
        ),
        rx.text(f.kind, " · ", f.size, size="2", color_scheme="gray"),
        rx.text("from ", f.sender, size="2", word_break="break-all"),
        rx.text(f.sent, size="2", color_scheme="gray"),
        wrap="wrap",
        gap="2",
        align="center",
        width="100%",
        class_name="client-file",
    )


def upload_requests_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Client files", size="5"),
            rx.button(
                "Refresh", size="1", variant="soft", on_click=S.refresh, id="client-files-refresh"
            ),
            align="center",
        ),
        rx.cond(
            S.has_files,
            rx.vstack(rx.foreach(S.files, _file_row), width="100%", spacing="1"),
            rx.text("No client files yet.", color_scheme="gray", id="client-files-empty"),
        ),
        rx.heading("Upload requests", size="5"),
        form_messages(error=S.error, notice=S.notice, error_id="request-error"),
        new_link_notice(url=S.new_url, on_dismiss=S.dismiss_url, id_prefix="request"),
        rx.cond(S.can_request, _form()),
        rx.cond(
            S.has_requests,
            rx.vstack(rx.foreach(S.requests, _request_row), width="100%", spacing="1"),
            rx.text("No upload requests yet.", color_scheme="gray"),
        ),
        width="100%",
        id="project-upload-requests",
    )
