"""app_today() in the database and "today" in Python name the same day in PORTAL_TIMEZONE."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from portal import db
from portal.db import TenantContext, enter_tenant, owner_session, tenant_session
from portal.settings import get_settings
from tests.factories import make_tenant

pytestmark = pytest.mark.usefixtures("database")
# 25 hours apart: at every instant these two zones are on different dates.
ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")


@pytest.fixture(params=ZONES)
def zone(request, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("PORTAL_TIMEZONE", request.param)
    get_settings.cache_clear()
    yield request.param
    monkeypatch.undo()
    get_settings.cache_clear()


def db_today_and_python_today(session, zone: str):
    """The database's app_today() and Python's today in `zone` at the database's now()."""
    today, now = session.execute(text("SELECT app_today(), now()")).one()
    return today, now.astimezone(ZoneInfo(zone)).date()


def test_tenant_session_and_enter_tenant_carry_the_portal_timezone(zone: str) -> None:
    tenant = make_tenant()
    with tenant_session(TenantContext(tenant_id=tenant.id)) as session:
        today, expected = db_today_and_python_today(session, zone)
    assert today == expected
    with tenant_session(None) as session:
        enter_tenant(session, TenantContext(tenant_id=tenant.id))
        today, expected = db_today_and_python_today(session, zone)
    assert today == expected
    with owner_session() as session:
        today, expected = db_today_and_python_today(session, zone)
    assert today == expected


def test_pooled_connections_carry_the_portal_timezone(zone: str) -> None:
    db.reset_engines()
    try:
        with db.app_pool().connection() as conn:
            today, now = conn.execute("SELECT app_today(), now()").fetchone()
    finally:
        db.reset_engines()
    assert today == now.astimezone(ZoneInfo(zone)).date()
