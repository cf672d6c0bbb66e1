"""Domain errors: each carries the message a user sees; handlers show it as a form message."""

from __future__ import annotations


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
