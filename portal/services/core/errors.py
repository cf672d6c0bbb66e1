"""Every domain error: each carries the message a user sees; handlers show it as a form
message. The last few belong to background work (webhooks, emails) and reach no user."""

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


# Accounts


class InvalidLink(InvalidInput):
    user_message = "This link is invalid, has expired or was already used. Ask for a new one."
    code = "link"


class Throttled(PortalError):
    user_message = "Too many attempts. Please wait 15 minutes and try again."
    code = "throttled"


# Media


class OldVersion(Conflict):
    """Approving a version that is not the latest: the page asks for confirmation."""


class MuxUnavailable(PortalError):
    user_message = "The video service is not answering. Please try again in a minute."


# Sharing


class LinkUnavailable(NotFound):
    # One message for unknown, expired, revoked and exhausted links: no hint which.
    user_message = "This link is not available."
    code = "unavailable"


class PasscodeRequired(PortalError):
    user_message = "Enter the passcode to watch."
    code = "passcode"


class WrongPasscode(InvalidInput):
    user_message = "That passcode is not right."
    code = "wrong_passcode"


class WrongVersion(PermissionDenied):
    user_message = (
        "This link does not give access to that version: the comment and its drawing "
        "were not saved."
    )


class NoWatermarkedDownload(Conflict):
    # A watermarked link to a Mux-hosted version: there is no file to burn the watermark into.
    user_message = (
        "This link is watermarked, and this video cannot have the watermark burned into a "
        "download, so it cannot be downloaded here. Ask the sender for a link without a watermark."
    )
    code = "no_watermarked_download"


# Notifications


class InvalidUnsubscribe(InvalidInput):
    user_message = "This unsubscribe link is not valid. Change your settings after signing in."
    code = "unsubscribe"


# Background work: never shown to a user; the webhook and job ledgers record them.


class MalformedEvent(Exception):
    """The payload lacks what its type requires; retrying cannot help (the event goes dead)."""


class TargetNotFound(LookupError):
    """No row matches the event yet (it may arrive before ours is linked): retried, then dead."""


class TemplateError(ValueError):
    """A notification cannot be rendered (unknown type, payload without a title)."""
