"""The project page's deliverables: each one's latest version and review state, and the upload
form (studio admins): resumable uploads to the portal (local backend, assets/tus_upload.js) or
straight from the browser to Mux (assets/mux_upload.js) when the Mux backend is configured.
Which one is decided at run time (UploadState.direct_upload), so one front-end build serves
both."""

from __future__ import annotations

import reflex as rx

from portal.components.badges import media_status_badge
from portal.components.review import review_badge
from portal.components.text import clipped_link
from portal.components.thumbnails import thumbnail
from portal.services.core.validation import MAX_TITLE
from portal.services.media.view_types import DeliverableView
from portal.settings import get_settings
from portal.state.asset_upload import UPLOAD_ID, UploadState
from portal.state.project_tasks import TaskState


def deliverable_row(d: DeliverableView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(thumbnail(d.poster, "Poster of " + d.title, "80px"), href=d.href),
            padding_y="0.35rem",
        ),
        rx.table.cell(clipped_link(d.title, d.href, class_name="deliverable-link")),
        rx.table.cell(d.latest_label),
        rx.table.cell(
            media_status_badge(d.status, d.status_label, class_name="deliverable-status"),
            custom_attrs={"data-status": d.status},
        ),
        rx.table.cell(review_badge(d.review_status, d.review_label)),
        rx.table.cell(rx.text(d.reviewed, size="1", color_scheme="gray")),
        class_name="deliverable-row",
    )


def leave_guard() -> rx.Component:
    """Marks the page while an upload runs, so assets/leave_guard.js asks before leaving."""
    return rx.fragment(
        rx.script(src="/leave_guard.js"),
        rx.el.span(
            id="upload-guard",
            hidden=True,
            custom_attrs={"data-upload-running": rx.cond(UploadState.uploading, "true", "false")},
        ),
    )


def upload_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Upload a new deliverable or a new cut (same title = next version)", size="2"),
            rx.hstack(
                rx.input(
                    placeholder="Deliverable title",
                    value=UploadState.title,
                    on_change=UploadState.set_title,
                    max_length=MAX_TITLE,
                    id="upload-title",
                ),
                rx.el.select(
                    rx.el.option("No milestone", value=""),
                    rx.foreach(
                        TaskState.milestone_choices, lambda o: rx.el.option(o.label, value=o.value)
                    ),
                    on_change=UploadState.set_milestone,
                    id="upload-milestone",
                ),
                wrap="wrap",
            ),
            rx.cond(UploadState.direct_upload, _direct_picker(), _local_picker()),
            rx.cond(
                UploadState.uploading & UploadState.direct_upload,
                rx.hstack(
                    rx.progress(value=UploadState.progress, id="upload-progress"),
                    rx.text(UploadState.progress, "%", size="1", id="upload-percent"),
                    align="center",
                    width="100%",
                ),
            ),
            rx.cond(
                UploadState.upload_notice != "",
                rx.callout(UploadState.upload_notice, color_scheme="green", id="upload-notice"),
            ),
            rx.cond(
                UploadState.upload_error != "",
                rx.callout(UploadState.upload_error, color_scheme="red", id="upload-error"),
            ),
            leave_guard(),
            width="100%",
        ),
        width="100%",
    )


# tus-js-client's browser build, copied from npm by `make install` (Makefile: TUS_JS).
TUS_CLIENT_JS = "/vendor/tus-js-client-4.3.1.min.js"


def _report_form(form_id: str, handler: rx.EventHandler) -> rx.Component:
    """A hidden form an upload script fills and submits to tell the server how it went."""
    return rx.el.form(
        rx.el.input(type="hidden", name="kind", default_value=""),
        rx.el.input(type="hidden", name="value", default_value=""),
        id=form_id,
        on_submit=handler,
        style={"display": "none"},
    )


def _local_picker() -> rx.Component:
    """Resumable uploads to the portal (tus, assets/tus_upload.js): several files at once,
    dropped or chosen, each with progress, speed, time left, pause/resume and cancel; the
    script draws its list into #tus-uploads."""
    return rx.fragment(
        rx.script(src=TUS_CLIENT_JS),
        rx.script(src="/tus_upload.js"),
        rx.el.label(
            rx.text("Drop videos here or click to choose them", size="2"),
            rx.el.input(
                type="file",
                multiple=True,
                accept=",".join(get_settings().allowed_extensions),
                style={"display": "block", "marginTop": "0.5rem", "maxWidth": "100%"},
            ),
            rx.el.div(id="tus-chosen", style={"fontSize": "0.8rem", "marginTop": "0.25rem"}),
            id=UPLOAD_ID,
            style={
                "display": "block",
                "border": "1px dashed",
                "padding": "1rem",
                "width": "100%",
                "cursor": "pointer",
            },
        ),
        rx.text(
            "A lost connection or a reload does not start over: choose the same file again to"
            " resume.",
            size="1",
            color_scheme="gray",
        ),
        rx.button("Upload", id="upload-button"),
        rx.el.div(id="tus-uploads", class_name="tus-uploads", style={"width": "100%"}),
        _report_form("tus-report", UploadState.tus_report),
    )


def _direct_picker() -> rx.Component:
    """The file goes from the browser straight to Mux; the portal checks its name and size
    first and hands the script a single-use upload URL."""
    return rx.fragment(
        rx.script(src="/mux_upload.js"),
        rx.el.input(
            type="file",
            id="mux-file",
            accept=",".join(get_settings().allowed_extensions),
            disabled=UploadState.uploading,
            style={"padding": "1rem", "border": "1px dashed", "width": "100%"},
        ),
        rx.text(
            "The file goes straight to our video service (Mux).", size="1", color_scheme="gray"
        ),
        rx.hstack(
            rx.button(
                "Upload",
                on_click=rx.call_script(
                    "window.portalMuxUpload && window.portalMuxUpload.describe()",
                    callback=UploadState.start_direct,
                ),
                loading=UploadState.uploading,
                id="upload-button",
            ),
            rx.cond(
                UploadState.uploading,
                rx.button(
                    "Cancel",
                    variant="soft",
                    id="upload-cancel",
                    on_click=rx.call_script("window.portalMuxUpload.cancel()"),
                ),
            ),
        ),
        # assets/mux_upload.js fills and submits this to report progress and the outcome.
        _report_form("mux-report", UploadState.direct_report),
    )


def deliverables_section() -> rx.Component:
    """Deliverables table plus (for uploaders) the upload form; loads itself when mounted."""
    return rx.vstack(
        rx.heading("Deliverables", size="5"),
        rx.cond(
            UploadState.deliverables.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("", "Deliverable", "Latest", "Status", "Review", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(UploadState.deliverables, deliverable_row)),
                variant="surface",
                width="100%",
                id="deliverables",
            ),
            rx.text(
                rx.cond(
                    UploadState.can_upload,
                    "No deliverables yet. Upload the first cut below: it appears here to review.",
                    "No deliverables yet. Cuts the studio uploads appear here for review.",
                ),
                color_scheme="gray",
                id="no-deliverables",
            ),
        ),
        rx.cond(UploadState.can_upload, upload_form()),
        on_mount=UploadState.load,
        width="100%",
    )
