"""Route names and URL helpers: every link in the app is built here."""

from urllib.parse import quote

DASHBOARD = "/"
LOGIN = "/login"
API_LOGIN = "/api/auth/login"
API_LOGOUT = "/api/auth/logout"
HEALTHZ = "/healthz"
API_WEBHOOK_MUX = "/api/webhooks/mux"
API_WEBHOOK_RESEND = "/api/webhooks/resend"
OPERATIONS = "/operations"


def login_url(*, error: str = "", notice: str = "", next_path: str = "") -> str:
    """The sign-in page with an optional error/notice code and a return path."""
    params = [
        f"{k}={quote(v)}"
        for k, v in (("error", error), ("notice", notice), ("next", next_path))
        if v
    ]
    return LOGIN + ("?" + "&".join(params) if params else "")


def safe_next(path: str | None) -> str:
    """A same-site path to return to after sign-in; anything else goes to the dashboard."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return DASHBOARD
    if path.startswith(LOGIN) or path.startswith("/api/"):
        return DASHBOARD
    return path
