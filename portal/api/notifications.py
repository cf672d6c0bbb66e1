"""/api/notifications/unsubscribe: turn off one type of notification email without signing in;
/api/share-unsubscribe: a share-link client stops the new-version emails of that link.

GET shows a confirmation with a button (mail scanners follow links; a GET changes nothing);
POST does it — also as RFC 8058 one-click (`List-Unsubscribe-Post`) from the mail client.
"""

from __future__ import annotations

from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from portal import routes
from portal.api._http import field, read_form
from portal.services.core.errors import InvalidUnsubscribe
from portal.services.notifications.fan_out import TYPES
from portal.services.notifications.prefs import read_unsubscribe_token
from portal.services.notifications.prefs import unsubscribe as turn_off
from portal.services.sharing import follow


def _page(heading: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Email preferences</title>"
        "<meta name='viewport' content='width=device-width'></head>"
        "<body style='font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;"
        f"padding:0 1rem'><h1>{escape(heading)}</h1>{body}</body></html>"
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _invalid() -> HTMLResponse:
    return _page("Link not valid", f"<p>{escape(InvalidUnsubscribe.user_message)}</p>", 400)


async def unsubscribe(request: Request) -> Response:
    """Confirm (GET) or apply (POST) an unsubscribe link."""
    if request.method == "GET":
        token = request.query_params.get("token", "")
        try:
            _, _, type_ = read_unsubscribe_token(token)
        except InvalidUnsubscribe:
            return _invalid()
        return _page(
            "Stop these emails?",
            f"<p>You will no longer get emails for: <b>{escape(TYPES[type_][0])}</b>. "
            "The notifications still appear in the portal.</p>"
            f"<form method='post' action='{routes.API_UNSUBSCRIBE}'>"
            f"<input type='hidden' name='token' value='{escape(token)}'>"
            "<button type='submit' id='unsubscribe'>Unsubscribe</button></form>",
        )
    form = await read_form(request)
    token = field(form, "token") or request.query_params.get("token", "")
    try:
        label = await run_in_threadpool(turn_off, token)
    except InvalidUnsubscribe:
        return _invalid()
    return _page(
        "Unsubscribed",
        f"<p>No more emails for: <b>{escape(label)}</b>. You can change this any time under "
        f"<a href='{routes.NOTIFICATION_SETTINGS}'>notification settings</a>.</p>",
    )


async def share_unsubscribe(request: Request) -> Response:
    """Confirm (GET) or apply (POST) a share-link client's unsubscribe link."""
    if request.method == "GET":
        token = request.query_params.get("token", "")
        try:
            follow.read_unsubscribe_token(token)
        except InvalidUnsubscribe:
            return _invalid()
        return _page(
            "Stop these emails?",
            "<p>You will no longer be told by email when a new version is ready on this review "
            "link. The link itself keeps working.</p>"
            f"<form method='post' action='{routes.API_SHARE_UNSUBSCRIBE}'>"
            f"<input type='hidden' name='token' value='{escape(token)}'>"
            "<button type='submit' id='unsubscribe'>Unsubscribe</button></form>",
        )
    form = await read_form(request)
    token = field(form, "token") or request.query_params.get("token", "")
    try:
        await run_in_threadpool(follow.unsubscribe, token)
    except InvalidUnsubscribe:
        return _invalid()
    return _page("Unsubscribed", "<p>No more new-version emails for this review link.</p>")


ROUTES = [
    Route(routes.API_UNSUBSCRIBE, unsubscribe, methods=["GET", "POST"]),
    Route(routes.API_SHARE_UNSUBSCRIBE, share_unsubscribe, methods=["GET", "POST"]),
]
