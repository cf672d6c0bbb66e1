"""What the account and admin pages show: plain view types and constants, with no database code
(pages import them; the query functions in this package build them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionView:
    """One active session, as the account page lists it."""

    id: str
    user_agent: str
    created_at: str
    last_seen_at: str
    current: bool


RESIDENCY_POLICIES = {
    "AU": "Australia only",
    "ANZ": "Australia and New Zealand",
}


@dataclass(frozen=True)
class TenantView:
    """A tenant as the admin page lists it."""

    id: str
    name: str
    type: str
    residency_policy: str
    accent_color: str
    status: str
    users: int
    projects: int
    # Days client files are kept ("" = until deleted).
    client_file_retention: str = ""


@dataclass(frozen=True)
class UserView:
    """One user row on the admin page (no hashes, no tokens)."""

    id: str
    name: str
    email: str
    role: str
    status: str
    tenant_id: str
    tenant_name: str
    last_login: str
    is_me: bool


@dataclass(frozen=True)
class GuestView:
    """One guest identity on the admin page: who they said they were, and how much they wrote."""

    id: str
    name: str
    email: str
    tenant_name: str
    comments: int


# Personal access tokens (/account/tokens, the REST API): resource families, each read or write.
API_FAMILIES = {
    "projects": "Projects, milestones, tasks",
    "reviews": "Deliverables, versions, comments, approvals",
    "sharing": "Share links",
    "notifications": "Notifications",
    "admin": "Tenants, users, audit log, job runs",
}
API_ACCESS = {"": "No access", "read": "Read", "write": "Read and write"}
API_EXPIRY_DAYS = {"30": "30 days", "90": "90 days", "365": "1 year", "": "Never"}


@dataclass(frozen=True)
class ApiTokenView:
    """One personal access token as /account/tokens lists it (never the token itself)."""

    id: str
    name: str
    prefix: str
    scopes: str
    owner: str
    created_at: str
    last_used_at: str
    expires_at: str
    status: str
    mine: bool
