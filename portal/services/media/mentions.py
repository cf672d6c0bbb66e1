"""@mentions in review comments: the people who can see a version (suggested as one types
`@` in the comment box) and a comment's text split around mentions of them (shown as chips).
A handle is the part of the person's email address before the @ (the whole address would be
masked by the comment's PII scrub)."""

from __future__ import annotations

import json
import re
from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session, col

from portal.models import Project, Tenant, User
from portal.services.media.assets import get_asset
from portal.services.media.view_types import BodyPart

MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def people_for_asset(*, session: Session, asset_id: UUID | str) -> dict[str, str]:
    """handle -> name of the active people (not guests) of the version's project: its agency
    and the studio managing it, as far as the caller's scope shows them."""
    asset = get_asset(session=session, asset_id=asset_id)
    project = session.get(Project, asset.project_id)
    tenant = session.get(Tenant, project.tenant_id) if project else None
    tenants = [t for t in (tenant and tenant.id, tenant and tenant.managed_by) if t]
    rows = session.execute(
        select(col(User.name), col(User.email))
        .where(col(User.tenant_id).in_(tenants), col(User.status) == "active")
        .where(col(User.role) != "guest")
        .order_by(func.lower(col(User.name)), col(User.email))
    ).all()
    people: dict[str, str] = {}
    for name, email in rows:
        people.setdefault(email.split("@")[0].lower(), name or email.split("@")[0])
    return people


def people_json(people: dict[str, str]) -> str:
    """The suggestions for the comment box's script: [{"handle", "name"}, …]."""
    return json.dumps([{"handle": h, "name": n} for h, n in people.items()])


def split_mentions(body: str, people: dict[str, str]) -> list[BodyPart]:
    """`body` as plain and mention parts; [] when it mentions nobody known (plain text)."""
    parts: list[BodyPart] = []
    last = 0
    for match in MENTION.finditer(body):
        handle = match.group(1).rstrip(".").lower()
        if handle not in people:
            continue
        end = match.start() + 1 + len(handle)
        if last < match.start():
            parts.append(BodyPart(body[last : match.start()]))
        parts.append(BodyPart(body[match.start() : end], people[handle]))
        last = end
    if not parts:
        return []
    if last < len(body):
        parts.append(BodyPart(body[last:]))
    return parts
