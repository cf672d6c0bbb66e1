"""The asset page's downloads: the version's original and the Export menu (comments as CSV, a PDF
review report, and markers for DaVinci Resolve and Premiere Pro). Plain links to /api/exports,
which checks the session and the tenant scope on every request. A long report is made by a job:
its link then opens a "Preparing…" page that downloads the PDF when it is ready."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.links import endpoint_button, endpoint_link

MUX_NOTE = (
    "This version is hosted on Mux: the download is Mux's MP4 rendition at the highest "
    "resolution, not the uploaded file."
)
# (label, file) of the Export menu, in the order shown.
EXPORTS = (
    ("Comments (CSV)", "comments.csv"),
    ("Review report (PDF)", "comments.pdf"),
    ("Markers for DaVinci Resolve (EDL)", "comments.edl"),
    ("Markers for Premiere Pro (FCP 7 XML)", "comments.xml"),
)


def _item(label: str, href: str, name: str) -> rx.Component:
    link = endpoint_link(label, href=href, id="export-" + name.replace(".", "-"), underline="none")
    return rx.menu.item(link, as_child=True)


def export_bar(asset_id: rx.Var, backend: rx.Var) -> rx.Component:
    """The "Download original" button and the Export menu of one version."""
    base = f"{routes.API_EXPORTS}/{asset_id}"  # a Var in an f-string: the browser fills it in
    return rx.hstack(
        endpoint_button(
            rx.cond(backend == "mux", "Download MP4", "Download original"),
            href=f"{base}/original",
            element_id="download-original",
            variant="soft",
            size="2",
        ),
        rx.menu.root(
            rx.menu.trigger(rx.button("Export", variant="soft", size="2", id="export-menu")),
            rx.menu.content(*(_item(label, f"{base}/{name}", name) for label, name in EXPORTS)),
        ),
        rx.cond(backend == "mux", rx.text(MUX_NOTE, size="1", color_scheme="gray")),
        align="center",
        wrap="wrap",
        id="export-bar",
    )
