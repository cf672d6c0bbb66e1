"""Route names and URL helpers: every link in the app is built here."""

from urllib.parse import quote

DASHBOARD = "/"
LOGIN = "/login"
MAGIC = "/login/magic"
FORGOT = "/forgot"
RESET = "/reset"
INVITE = "/invite"
ACCOUNT = "/account"
ACCOUNT_TOKENS = "/account/tokens"
API_V1 = "/api/v1"
ADMIN_TENANTS = "/admin/tenants"
ADMIN_USERS = "/admin/users"
MAILBOX = "/dev/mailbox"
API_LOGIN = "/api/auth/login"
API_LOGOUT = "/api/auth/logout"
API_MAGIC_REQUEST = "/api/auth/magic-link"
API_MAGIC = "/api/auth/magic"
API_FORGOT = "/api/auth/forgot"
API_RESET = "/api/auth/reset"
API_INVITE = "/api/auth/invite"
HEALTHZ = "/healthz"
API_WEBHOOK_MUX = "/api/webhooks/mux"
API_WEBHOOK_RESEND = "/api/webhooks/resend"
OPERATIONS = "/operations"
PROJECTS = "/projects"
PROJECT = "/project"
MY_TASKS = "/my-tasks"
ASSET = "/asset"
COMPARE = "/compare"
API_MEDIA = "/api/media"
API_UPLOAD = "/api/media/uploads"
# Resumable uploads (tus 1.0): POST here, then HEAD/PATCH/DELETE API_TUS + <upload id>.
API_TUS = "/api/tus/"
AUDIT = "/audit"
COMPLIANCE = "/compliance"
API_AUDIT_EXPORT = "/api/audit/export.csv"
API_EVIDENCE = "/api/evidence"
API_EXPORTS = "/api/exports"


def evidence_url(evidence_id: str, kind: str = "html") -> str:
    """A stored residency report (served after an access check); kind is html or json."""
    return f"{API_EVIDENCE}/{quote(str(evidence_id))}.{kind}"


API_UNSUBSCRIBE = "/api/notifications/unsubscribe"
NOTIFICATION_SETTINGS = "/account/notifications"


def export_url(asset_id: str, name: str) -> str:
    """A version's export: `comments.csv`, `comments.edl`, `comments.xml`, `comments.pdf` or
    `original` (portal/api/exports.py)."""
    return f"{API_EXPORTS}/{quote(str(asset_id))}/{name}"


def project_url(project_id: str) -> str:
    """The project detail page (timeline and tasks) of one project."""
    return f"{PROJECT}?id={quote(str(project_id))}"


def asset_url(asset_id: str, *, compare: str = "") -> str:
    """The review page of one asset version (optionally comparing with another version)."""
    return page_url(ASSET, id=str(asset_id), compare=compare)


def compare_url(left_id: str, right_id: str, *, mode: str = "side") -> str:
    """Two versions of one deliverable side by side (`mode="side"`) or as a wipe ("wipe")."""
    return page_url(COMPARE, a=str(left_id), b=str(right_id), mode=mode)


def media_url(asset_id: str, name: str) -> str:
    """A processed media file of an asset, served after an access check (never a directory)."""
    return f"{API_MEDIA}/{quote(str(asset_id))}/{name}"


def projects_url(**filters: str) -> str:
    """The project list with filters, e.g. projects_url(status="active")."""
    params = [f"{k}={quote(v)}" for k, v in filters.items() if v]
    return PROJECTS + ("?" + "&".join(params) if params else "")


def page_url(path: str, **params: str) -> str:
    """`path` with the non-empty query parameters given."""
    query = "&".join(f"{k}={quote(v)}" for k, v in params.items() if v)
    return path + ("?" + query if query else "")


# The longest return path kept (a page address with its query; longer ones are not ours).
MAX_NEXT = 2000


def login_url(*, error: str = "", notice: str = "", next_path: str = "") -> str:
    """The sign-in page with an optional error/notice code and a return path."""
    return page_url(LOGIN, error=error, notice=notice, next=next_path)


def safe_next(path: str | None) -> str:
    """A same-site path to return to after sign-in; anything else goes to the dashboard.

    Browsers drop tabs and newlines inside a URL ("/<tab>/evil.example" becomes
    "//evil.example", another site), so whitespace and control characters are refused too."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return DASHBOARD
    if len(path) > MAX_NEXT or any(ch.isspace() or not ch.isprintable() for ch in path):
        return DASHBOARD
    if path.startswith(LOGIN) or path.startswith("/api/"):
        return DASHBOARD
    return path


SHARE = "/s"
API_SHARE = "/api/share"
API_SHARE_MEDIA = "/api/share-media"
# New-version emails to share-link clients: stop them (GET confirms, POST applies).
API_SHARE_UNSUBSCRIBE = "/api/share-unsubscribe"


def share_url(token: str) -> str:
    """The client review page of a share link (the token is the link's only secret)."""
    return f"{SHARE}/{quote(token, safe='')}"


def share_media_url(grant: str, name: str) -> str:
    """A media file on the client page, reached through a short-lived playback grant."""
    return f"{API_SHARE_MEDIA}/{quote(grant, safe='')}/{name}"


UPLOAD_REQUEST = "/r"
# A member's download of one file a client sent: API_CLIENT_FILES + <client file id>.
API_CLIENT_FILES = "/api/client-files/"


def upload_request_url(token: str) -> str:
    """The client page of an upload request (the token is the link's only secret)."""
    return f"{UPLOAD_REQUEST}/{quote(token, safe='')}"


def client_file_url(file_id: str) -> str:
    return f"{API_CLIENT_FILES}{quote(file_id, safe='')}"
