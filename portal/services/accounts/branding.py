"""Tenant logos: validated by content (PNG or JPEG, at most 512 KB), stored beside the media."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from uuid import UUID

from portal.db import tenant_session
from portal.models import Tenant
from portal.services.accounts.auth import SessionUser
from portal.services.accounts.tenants import tenant_in_scope
from portal.services.core.errors import InvalidInput
from portal.services.core.permissions import Action, require
from portal.settings import get_settings

MAX_LOGO_BYTES = 512 * 1024
# Recognised by their first bytes, never by the file name or the browser's claimed type.
SIGNATURES = {b"\x89PNG\r\n\x1a\n": ("png", "image/png"), b"\xff\xd8\xff": ("jpg", "image/jpeg")}


def logo_dir() -> Path:
    return get_settings().portal_data_dir / "branding"


def sniff(data: bytes) -> tuple[str, str] | None:
    """(extension, media type) for a PNG or JPEG, else None."""
    for magic, kind in SIGNATURES.items():
        if data.startswith(magic):
            return kind
    return None


def save_logo(*, user: SessionUser, tenant_id: str, data: bytes) -> str:
    """Store a managed tenant's logo (replacing the old one); returns its file name."""
    require(user, Action.MANAGE_TENANTS)
    if not data:
        raise InvalidInput("That file is empty.")
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput("Logos can be at most 512 KB.")
    kind = sniff(data)
    if kind is None:
        raise InvalidInput("Logos must be PNG or JPEG images.")
    with tenant_session(user.context) as session:
        tenant = tenant_in_scope(session, tenant_id)
        wanted = tenant.id
        name = f"{wanted}.{kind[0]}"
        folder = logo_dir()
        folder.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename: a failed upload never leaves half a logo.
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        tenant.branding = {**(tenant.branding or {}), "logo": name}
        session.add(tenant)
    for old in folder.glob(f"{wanted}.*"):
        if old.name != name and not old.name.endswith(".part"):
            old.unlink(missing_ok=True)
    return name


def logo_file(tenant_id: str) -> tuple[Path, str] | None:
    """The stored logo of a tenant and its media type (logos are not secret)."""
    try:
        wanted = UUID(str(tenant_id))
    except ValueError:
        return None
    with tenant_session(None) as session:
        tenant = session.get(Tenant, wanted)
    return _stored_logo(wanted, tenant.branding if tenant else None)


def _stored_logo(wanted: UUID, branding: dict | None) -> tuple[Path, str] | None:
    name = (branding or {}).get("logo")
    if not isinstance(name, str) or name not in {f"{wanted}.png", f"{wanted}.jpg"}:
        return None
    path = logo_dir() / name
    if not path.is_file():
        return None
    return path, "image/png" if name.endswith(".png") else "image/jpeg"


def logo_url(tenant_id: UUID) -> str:
    """Where the app and emails load a tenant's logo ('' when it has none)."""
    return f"/api/branding/{tenant_id}/logo" if logo_file(str(tenant_id)) else ""


def logo_url_from(tenant_id: UUID, branding: dict | None) -> str:
    """logo_url for a tenant whose `branding` the caller has read already (no query)."""
    return f"/api/branding/{tenant_id}/logo" if _stored_logo(tenant_id, branding) else ""
