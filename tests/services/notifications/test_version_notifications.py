"""Version numbers and new cuts: every notification, email and page names the deliverable's own
version (v1 for a new deliverable, whatever else the project holds), and the agency that owns
the project hears when a new version is ready for review."""

from __future__ import annotations

import pytest

from portal.db import TenantContext, tenant_session
from portal.models import Asset, Notification, OutboxEmail
from portal.services.media.assets import create_asset_version
from portal.services.media.mux_events import advance_asset
from portal.services.media.views import asset_view
from portal.services.notifications.delivery import send_notification_email
from portal.services.notifications.inbox import latest
from portal.services.notifications.prefs import set_preference
from portal.services.projects.projects import create_project
from portal.services.sharing.links import version_label
from tests.factories import Studio, ctx, make_tenant, make_user

pytestmark = pytest.mark.usefixtures("database")


def _upload(s: Studio, title: str, *, ready: bool = True, project_id=None) -> Asset:
    """A version uploaded by the studio admin, then processed to ready (as processing does)."""
    with tenant_session(s.admin_ctx) as session:
        asset = create_asset_version(
            session=session,
            project_id=project_id or s.project.id,
            title=title,
            uploader_id=s.admin.id,
            status="processing",
        )
    if ready:
        with tenant_session(TenantContext(tenant_id=asset.tenant_id)) as session:
            advance_asset(session=session, asset_id=asset.id, status="ready")
    return asset


def _bell(tenant, user) -> list[str]:
    with tenant_session(ctx(tenant, user)) as session:
        return [v.title for v in latest(session=session, user_id=user.id)]


def _rows(superuser_conn, user, type_: str) -> list[tuple[dict, str]]:
    return [
        (r[0], r[1])
        for r in superuser_conn.execute(
            "SELECT payload, email_status FROM notifications WHERE user_id = %s AND type = %s"
            " ORDER BY created_at, id",
            (user.id, type_),
        ).fetchall()
    ]


def test_the_number_is_the_deliverables_own_everywhere(studio: Studio) -> None:
    s = studio
    _upload(s, "Teaser")  # the project's upload 1, another deliverable
    first = _upload(s, "Hero film")  # upload 2, the new deliverable's v1
    assert first.version == 2
    assert _bell(s.studio, s.admin)[0] == "“Hero film” v1 is ready to review"
    second = _upload(s, "  hero FILM ")  # the same deliverable (trimmed, any case): v2
    assert _bell(s.studio, s.admin)[0] == "“hero FILM” v2 is ready to review"
    with tenant_session(s.admin_ctx) as session:
        view, stack = asset_view(session=session, asset_id=second.id)
        assert view.label == "v2" and [v.label for v in stack] == ["v2", "v1"]
        assert version_label(session, session.get(Asset, second.id)) == "v2"
        assert version_label(session, session.get(Asset, first.id)) == "v1"


def test_a_cancelled_upload_takes_no_number(studio: Studio) -> None:
    s = studio
    cancelled = _upload(s, "Promo", ready=False)
    with tenant_session(TenantContext(tenant_id=cancelled.tenant_id)) as session:
        advance_asset(session=session, asset_id=cancelled.id, status="deleted")
    _upload(s, "Promo")
    assert _bell(s.studio, s.admin)[0] == "“Promo” v1 is ready to review"


def test_an_errored_version_says_its_number(studio: Studio) -> None:
    s = studio
    _upload(s, "Spot")
    failed = _upload(s, "Spot", ready=False)
    with tenant_session(TenantContext(tenant_id=failed.tenant_id)) as session:
        advance_asset(session=session, asset_id=failed.id, status="errored")
    assert _bell(s.studio, s.admin)[0] == "“Spot” v2 could not be processed"


def test_the_agency_hears_of_each_new_version_never_the_uploader(
    studio: Studio,
    superuser_conn,
) -> None:
    s = studio
    quiet = make_user(tenant=s.agency, name="Quinn Quiet", email=f"q.{s.agency.id.hex}@a.test")
    with tenant_session(ctx(s.agency, quiet)) as session:
        set_preference(session=session, user_id=quiet.id, type_="version_ready", mode="off")
    guest = make_user(tenant=s.agency, role="guest", email=f"g.{s.agency.id.hex}@a.test")
    gone = make_user(tenant=s.agency, status="deactivated", email=f"d.{s.agency.id.hex}@a.test")
    other = make_tenant(managed_by=s.studio)
    outsider = make_user(tenant=other, email=f"o.{other.id.hex}@b.test")

    _upload(s, "Hero film")
    not_ready = _upload(s, "Hero film", ready=False)  # still processing: nobody is told yet
    assert _bell(s.agency, s.member) == ["Ada Admin uploaded “Hero film” v1: ready to review"]
    with tenant_session(TenantContext(tenant_id=not_ready.tenant_id)) as session:
        advance_asset(session=session, asset_id=not_ready.id, status="ready")
    assert _bell(s.agency, s.member)[:2] == [
        "Ada Admin uploaded “Hero film” v2: ready to review",
        "Ada Admin uploaded “Hero film” v1: ready to review",
    ]
    # Immediately by default: an email per version, rendered with the same words.
    member_rows = _rows(superuser_conn, s.member, "version_ready")
    assert [status for _, status in member_rows] == ["queued", "queued"]
    assert all("Ada" not in str(payload) for payload, _ in member_rows)  # ids, not names
    # Off in Quinn's preferences: the bell has it, no email.
    assert [status for _, status in _rows(superuser_conn, quiet, "version_ready")] == [
        "skipped",
        "skipped",
    ]
    for user in (guest, gone, outsider, s.admin):
        assert _rows(superuser_conn, user, "version_ready") == []
    # The uploader hears through their own notice (asset_ready), once per version.
    assert len(_rows(superuser_conn, s.admin, "asset_ready")) == 2


def test_the_email_names_the_version(studio: Studio) -> None:
    s = studio
    _upload(s, "Teaser")
    _upload(s, "Cut")
    _upload(s, "Cut")
    with tenant_session(ctx(s.agency, s.member)) as session:
        newest = session.query(Notification).filter(
            Notification.user_id == s.member.id, Notification.type == "version_ready"
        )
        nid = max(newest, key=lambda n: (n.created_at, n.id)).id
    assert send_notification_email(notification_id=nid, tenant_id=s.agency.id) == "sent"
    with tenant_session(None) as session:
        [email] = session.query(OutboxEmail).filter(OutboxEmail.to_address == s.member.email)
    assert email.subject == "Ada Admin uploaded “Cut” v2: ready to review"
    assert "/asset?id=" in email.text_body


def test_a_studio_project_tells_no_agency(studio: Studio, superuser_conn) -> None:
    s = studio
    with tenant_session(s.admin_ctx) as session:
        own = create_project(
            session=session, tenant_id=s.studio.id, client_name="Us", title="Showreel"
        )
    colleague = make_user(tenant=s.studio, role="admin", email=f"c.{s.studio.id.hex}@s.test")
    _upload(s, "Reel", project_id=own.id)
    assert _rows(superuser_conn, colleague, "version_ready") == []
    assert _rows(superuser_conn, s.member, "version_ready") == []
    assert _bell(s.studio, s.admin)[0] == "“Reel” v1 is ready to review"
