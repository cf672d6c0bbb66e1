"""Every table model, imported so SQLModel.metadata (and Alembic) sees them all."""

from portal.models.activity import AuditLog, Comment, Notification
from portal.models.api import ApiIdempotencyKey, ApiToken
from portal.models.asset import (
    Asset,
    ClientFile,
    ShareDecision,
    ShareLink,
    ShareLinkContact,
    ShareLinkView,
    TusUpload,
    UploadRequest,
)
from portal.models.mail import OutboxEmail
from portal.models.operations import JobRun, ResidencyEvidence, WebhookEvent
from portal.models.outbound import WebhookDelivery, WebhookEndpoint
from portal.models.project import Milestone, Project, Task
from portal.models.tenant import Tenant
from portal.models.user import AuthToken, LoginAttempt, User, UserSession

__all__ = [
    "ApiIdempotencyKey",
    "ApiToken",
    "Asset",
    "AuditLog",
    "AuthToken",
    "ClientFile",
    "Comment",
    "JobRun",
    "LoginAttempt",
    "Milestone",
    "Notification",
    "OutboxEmail",
    "Project",
    "ResidencyEvidence",
    "ShareDecision",
    "ShareLink",
    "ShareLinkContact",
    "ShareLinkView",
    "Task",
    "Tenant",
    "TusUpload",
    "UploadRequest",
    "User",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
