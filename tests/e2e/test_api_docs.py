"""/api/v1/docs in a browser, as served: Swagger UI renders the API's operations from files the
portal serves itself (no request leaves the portal), and "Try it out" calls the API with a
personal access token."""

from __future__ import annotations

from tests.api.api_v1_support import token_for
from tests.factories import make_graph


def test_interactive_docs_render_from_local_files_and_call_the_api(page, app_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{app_url}/api/v1/docs")
    page.get_by_text("Motion Mavericks Portal API").first.wait_for()
    page.get_by_text("List projects").first.wait_for()
    assert requested and all(url.startswith(app_url) for url in requested), requested

    g = make_graph()
    page.click(".btn.authorize")
    page.fill(".auth-container input", token_for(g.user, ["projects:read"]))
    page.click(".auth-btn-wrapper .btn.modal-btn.auth.authorize")
    page.click(".btn-done")
    page.get_by_text("List projects").first.click()
    page.click(".try-out__btn")
    page.click(".execute")
    body = page.locator(".live-responses-table .microlight").first
    body.wait_for()
    assert g.project.title in body.inner_text()
