"""Domain errors: each carries the message a user sees; handlers show it as a form message."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError


class PortalError(Exception):
    """Base class; `user_message` is safe to show to the person who caused it."""

    user_message = "Something went wrong. Please try again."
    # A short stable code, safe in a URL (e.g. /login?error=credentials).
    code = "error"

    def __init__(self, user_message: str | None = None, *, code: str | None = None) -> None:
        super().__init__(user_message or self.user_message)
        if user_message:
            self.user_message = user_message
        if code:
            self.code = code


class InvalidInput(PortalError):
    user_message = "Please check the form and try again."
    code = "invalid"


class InvalidCredentials(PortalError):
    # One message for unknown email and wrong password: no hint which accounts exist.
    user_message = "That email and password do not match an active account."
    code = "credentials"


class NotSignedIn(PortalError):
    user_message = "Your session has ended. Please sign in again."
    code = "session"


class PermissionDenied(PortalError):
    user_message = "You do not have permission to do that."


class NotFound(PortalError):
    user_message = "That item does not exist or is not available to you."


class Conflict(PortalError):
    user_message = "That conflicts with something that already exists."


# Constraint name -> what a user is told when it is violated.
CONSTRAINT_MESSAGES = {
    "uq_milestones_project_title": "A milestone with this title already exists in this project.",
    "uq_assets_project_version": "This version number already exists for this project.",
    "uq_assets_project_checksum": "This exact file was already uploaded to this project.",
    "uq_webhook_events_source_event": "This webhook event has already been received.",
    "uq_share_links_hashed_token": "That share link already exists.",
    "uq_users_login_email": "An account with this email already exists.",
    "uq_users_tenant_email": "A user with this email already exists in this tenant.",
    "uq_tenants_name": "A tenant with this name already exists.",
}


def from_integrity_error(exc: IntegrityError) -> PortalError:
    """Translate a database constraint violation into a domain error with a clear message."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    if name in CONSTRAINT_MESSAGES:
        return Conflict(CONSTRAINT_MESSAGES[name])
    if name.startswith("fk_") or name.endswith("_fkey"):
        return NotFound()
    return InvalidInput()
