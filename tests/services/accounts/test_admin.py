"""Tenant and user administration: permissions, scope, invites, roles, deactivation."""

from __future__ import annotations

import uuid

import pytest

from portal.db import tenant_session
from portal.models import Comment
from portal.services.accounts import self_service, tenants, users
from portal.services.accounts.auth import resolve_session, sign_in
from portal.services.core.errors import (
    Conflict,
    InvalidCredentials,
    InvalidInput,
    InvalidLink,
    NotFound,
    PermissionDenied,
)
from portal.services.sharing import access
from portal.services.sharing.guests import add_guest_comment
from tests.factories import (
    PASSWORD,
    make_studio,
    make_studio_admin,
    make_tenant,
    make_user,
    session_of,
)
from tests.services.accounts.test_accounts import NEW_PASSWORD, last_link
from tests.share_support import shared

pytestmark = pytest.mark.usefixtures("database")


@pytest.fixture()
def studio_admin():
    return make_studio_admin()


def test_studio_admin_creates_and_edits_agency_tenants(studio_admin) -> None:
    tenant, admin = studio_admin
    new_id = tenants.create_tenant(user=admin, name="Blue Door Agency", accent_color="#112233")
    listed = {t.id: t for t in tenants.list_tenants(user=admin)}
    assert listed[new_id].accent_color == "#112233" and listed[new_id].type == "agency"
    assert str(tenant.id) in listed
    tenants.update_tenant(
        user=admin,
        tenant_id=new_id,
        name="Blue Door",
        residency_policy="ANZ",
        accent_color="#AABBCC",
    )
    edited = {t.id: t for t in tenants.list_tenants(user=admin)}[new_id]
    assert (edited.name, edited.residency_policy, edited.accent_color) == (
        "Blue Door",
        "ANZ",
        "#aabbcc",
    )
    with pytest.raises(Conflict, match="tenant with this name"):
        tenants.create_tenant(user=admin, name="blue door")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "needs a name"),
        ({"name": "x" * 201}, "needs a name"),
        ({"name": "Ok", "residency_policy": "Mars"}, "residency policy"),
        ({"name": "Ok", "accent_color": "red; background:url(x)"}, "accent colour"),
    ],
)
def test_tenant_bad_input(studio_admin, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        tenants.create_tenant(user=studio_admin[1], **kwargs)


def test_other_studios_tenants_are_out_of_reach(studio_admin) -> None:
    _, admin = studio_admin
    other_studio = make_tenant(type="admin")
    foreign = make_tenant(managed_by=other_studio)
    assert str(foreign.id) not in {t.id for t in tenants.list_tenants(user=admin)}
    with pytest.raises(NotFound):
        tenants.update_tenant(
            user=admin,
            tenant_id=str(foreign.id),
            name="Mine now",
            residency_policy="AU",
            accent_color="#000000",
        )
    with pytest.raises(NotFound):
        users.invite_user(
            user=admin, tenant_id=str(foreign.id), email="x@example.test", name="X", role="agency"
        )


def test_agency_users_cannot_administer_tenants() -> None:
    agency = make_tenant()
    member = session_of(make_user(tenant=agency))
    agency_admin = session_of(make_user(tenant=agency, role="admin"))
    for who in (member, agency_admin):
        with pytest.raises(PermissionDenied):
            tenants.create_tenant(user=who, name="Sneaky")
        with pytest.raises(PermissionDenied):
            tenants.list_tenants(user=who)
    with pytest.raises(PermissionDenied):
        users.list_users(user=member)


def test_invite_accept_sign_in_lands_in_tenant(studio_admin) -> None:
    tenant, admin = studio_admin
    agency = make_tenant(managed_by=tenant)
    email = f"new.person.{agency.id.hex}@example.test"
    users.invite_user(user=admin, tenant_id=str(agency.id), email=email, name="", role="agency")
    token = last_link(email, "/invite")
    assert self_service.peek_invite(token).tenant_name == agency.name
    with pytest.raises(InvalidInput, match="Enter your name"):
        self_service.accept_invite(
            token=token, name=" ", password=NEW_PASSWORD, confirm=NEW_PASSWORD
        )
    new = self_service.accept_invite(
        token=token, name="New Person", password=NEW_PASSWORD, confirm=NEW_PASSWORD
    )
    who = resolve_session(new.token)
    assert who.tenant_id == agency.id and who.role == "agency" and who.name == "New Person"
    with pytest.raises(InvalidLink):
        self_service.accept_invite(
            token=token, name="Again", password=NEW_PASSWORD, confirm=NEW_PASSWORD
        )
    assert sign_in(email=email, password=NEW_PASSWORD).token


def test_invite_conflicts_resend_and_revoke(studio_admin) -> None:
    tenant, admin = studio_admin
    agency = make_tenant(managed_by=tenant)
    existing = make_user(tenant=make_tenant())
    with pytest.raises(Conflict, match="already exists"):
        users.invite_user(
            user=admin, tenant_id=str(agency.id), email=existing.email, name="Dup", role="agency"
        )
    email = f"pending.{agency.id.hex}@example.test"
    user_id = users.invite_user(
        user=admin, tenant_id=str(agency.id), email=email, name="P", role="agency"
    )
    first = last_link(email, "/invite")
    users.resend_invite(user=admin, user_id=user_id)
    second = last_link(email, "/invite")
    with pytest.raises(InvalidLink):
        self_service.peek_invite(first)
    users.revoke_invite(user=admin, user_id=user_id)
    with pytest.raises(InvalidLink):
        self_service.peek_invite(second)
    assert email not in {u.email for u in users.list_users(user=admin)}


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("not-an-email", "agency", "valid email"),
        ("a b@example.test", "agency", "valid email"),
        ("ok@example.test", "guest", "Choose a role"),
        ("ok@example.test", "superuser", "Choose a role"),
    ],
)
def test_invite_bad_input(studio_admin, email: str, role: str, message: str) -> None:
    tenant, admin = studio_admin
    agency = make_tenant(managed_by=tenant)
    with pytest.raises(InvalidInput, match=message):
        users.invite_user(user=admin, tenant_id=str(agency.id), email=email, name="", role=role)


def test_agency_admin_manages_own_tenant_only(studio_admin) -> None:
    tenant, _ = studio_admin
    agency, other = make_tenant(managed_by=tenant), make_tenant(managed_by=tenant)
    agency_admin = session_of(make_user(tenant=agency, role="admin"))
    member = make_user(tenant=agency)
    outsider = make_user(tenant=other)
    listed = {u.email for u in users.list_users(user=agency_admin)}
    assert member.email in listed and outsider.email not in listed
    with pytest.raises(NotFound):
        users.invite_user(
            user=agency_admin,
            tenant_id=str(other.id),
            email="z@example.test",
            name="Z",
            role="agency",
        )
    with pytest.raises(NotFound):
        users.set_active(user=agency_admin, user_id=str(outsider.id), active=False)
    users.change_role(user=agency_admin, user_id=str(member.id), role="admin")


def test_deactivate_ends_sessions_and_reactivate(studio_admin) -> None:
    tenant, admin = studio_admin
    agency = make_tenant(managed_by=tenant)
    member = make_user(tenant=agency)
    live = sign_in(email=member.email, password=PASSWORD)
    users.set_active(user=admin, user_id=str(member.id), active=False)
    assert resolve_session(live.token) is None
    with pytest.raises(InvalidCredentials, match="do not match an active account"):
        sign_in(email=member.email, password=PASSWORD)
    users.set_active(user=admin, user_id=str(member.id), active=True)
    assert sign_in(email=member.email, password=PASSWORD).token
    with pytest.raises(InvalidInput, match="yourself"):
        users.set_active(user=admin, user_id=str(admin.user_id), active=False)
    with pytest.raises(InvalidInput, match="own role"):
        users.change_role(user=admin, user_id=str(admin.user_id), role="agency")
    with pytest.raises(NotFound):
        users.set_active(user=admin, user_id="../../etc", active=False)


def guest_commented(email: str):
    """A studio whose agency's share link got a guest comment signed with `email`."""
    world = make_studio()
    info = access.lookup(shared(world, allow_comments=True).token)
    comment = add_guest_comment(info=info, name="Squatter", email=email, body="Hi", timecode=1)
    return world, session_of(world.admin), comment


def test_inviting_an_email_a_guest_used_turns_the_guest_into_the_account() -> None:
    email = f"kim.{uuid.uuid4().hex[:8]}@client.test"
    world, admin, comment = guest_commented(email.upper())
    user_id = users.invite_user(
        user=admin, tenant_id=str(world.agency.id), email=email, name="Kim", role="agency"
    )
    assert user_id == str(comment.author_id)
    assert [g.email for g in users.list_guests(user=admin)] == []
    invited = {u.id: u for u in users.list_users(user=admin)}[user_id]
    assert (invited.email, invited.name, invited.role, invited.status) == (
        email,
        "Kim",
        "agency",
        "invited",
    )
    new = self_service.accept_invite(
        token=last_link(email, "/invite"), name="Kim", password=NEW_PASSWORD, confirm=NEW_PASSWORD
    )
    assert str(resolve_session(new.token).user_id) == user_id
    # Now a member's address: a guest can no longer sign a comment with it.
    info = access.lookup(shared(world, allow_comments=True).token)
    with pytest.raises(InvalidInput, match="belongs to a portal account"):
        add_guest_comment(info=info, name="Squatter", email=email, body="Hi", timecode=1)


def test_revoking_an_invitation_made_from_a_guest_gives_the_guest_back() -> None:
    email = f"ria.{uuid.uuid4().hex[:8]}@client.test"
    world, admin, comment = guest_commented(email)
    user_id = users.invite_user(
        user=admin, tenant_id=str(world.agency.id), email=email, name="Ria", role="agency"
    )
    token = last_link(email, "/invite")
    users.revoke_invite(user=admin, user_id=user_id)
    with pytest.raises(InvalidLink):
        self_service.peek_invite(token)
    guests = users.list_guests(user=admin, tenant_id=str(world.agency.id))
    assert [(g.id, g.email, g.comments) for g in guests] == [(user_id, email, 1)]
    assert user_id == str(comment.author_id)
    assert user_id not in {u.id for u in users.list_users(user=admin)}


def test_admins_list_and_remove_guests_and_comments_stay() -> None:
    email = f"lee.{uuid.uuid4().hex[:8]}@client.test"
    world, admin, comment = guest_commented(email)
    guests = users.list_guests(user=admin, tenant_id=str(world.agency.id))
    assert [(g.id, g.email, g.name, g.tenant_name, g.comments) for g in guests] == [
        (str(comment.author_id), email, "Squatter", world.agency.name, 1)
    ]
    assert email not in {u.email for u in users.list_users(user=admin)}
    with pytest.raises(NotFound, match="That guest does not exist"):
        users.remove_guest(user=admin, user_id=str(world.member.id))
    users.remove_guest(user=admin, user_id=guests[0].id)
    assert users.list_guests(user=admin, tenant_id=str(world.agency.id)) == []
    with tenant_session(world.admin_ctx) as session:
        kept = session.get(Comment, comment.id)
    assert kept is not None and kept.author_id is None and kept.body == "Hi"
    assert users.invite_user(
        user=admin, tenant_id=str(world.agency.id), email=email, name="Lee", role="agency"
    )


def test_guests_are_out_of_reach_of_other_tenants_and_members() -> None:
    world, admin, comment = guest_commented(f"max.{uuid.uuid4().hex[:8]}@client.test")
    other = make_studio()
    other_admin = session_of(other.admin)
    assert str(comment.author_id) not in {g.id for g in users.list_guests(user=other_admin)}
    with pytest.raises(NotFound):
        users.remove_guest(user=other_admin, user_id=str(comment.author_id))
    member = session_of(world.member)
    with pytest.raises(PermissionDenied):
        users.list_guests(user=member)
    with pytest.raises(PermissionDenied):
        users.remove_guest(user=member, user_id=str(comment.author_id))
    assert [g.id for g in users.list_guests(user=admin)] == [str(comment.author_id)]
