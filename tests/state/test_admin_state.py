"""Admin, account and mailbox handlers called directly, as any connected client could."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.db import tenant_session
from portal.models import Tenant, User
from portal.services.accounts.auth import resolve_session, sign_in
from portal.state.account import AccountState
from portal.state.admin import TenantsState, UsersState
from portal.state.mailbox import MailboxState
from tests.factories import PASSWORD, ctx, make_tenant, make_user, session_of
from tests.state.test_state import make_state, redirect_target

pytestmark = pytest.mark.usefixtures("database")


def cookie_for(user) -> str:
    return f"portal_session={sign_in(email=user.email, password=PASSWORD).token}"


@pytest.fixture()
def world():
    studio = make_tenant(type="admin")
    admin = make_user(tenant=studio, role="admin")
    agency = make_tenant(managed_by=studio)
    other = make_tenant(managed_by=make_tenant(type="admin"))
    return {
        "studio": studio,
        "admin": admin,
        "agency": agency,
        "other": other,
        "member": make_user(tenant=agency),
        "outsider": make_user(tenant=other),
    }


def status_of(tenant, user) -> str:
    with tenant_session(ctx(tenant)) as session:
        return session.scalar(select(User.status).where(User.id == user.id))


def test_handlers_without_session_redirect_and_change_nothing(world) -> None:
    users = make_state(UsersState, cookie="")
    assert redirect_target(users.set_active(str(world["member"].id), False)).startswith("/login")
    assert status_of(world["agency"], world["member"]) == "active"
    tenants = make_state(TenantsState, cookie="portal_session=forged")
    assert redirect_target(tenants.create({"name": "Ghost Agency"})).startswith("/login")
    with tenant_session(None) as session:
        assert session.scalar(select(Tenant.id).where(Tenant.name == "Ghost Agency")) is None
    account = make_state(AccountState, cookie="")
    assert redirect_target(account.revoke("00000000-0000-0000-0000-000000000000")).startswith(
        "/login"
    )


def test_agency_member_cannot_use_admin_handlers(world) -> None:
    state = make_state(UsersState, cookie=cookie_for(world["member"]))
    state.set_active(str(world["member"].id), False)
    assert "permission" in state.error
    tenants = make_state(TenantsState, cookie=cookie_for(world["member"]))
    tenants.create({"name": "Member Made"})
    assert "permission" in tenants.error
    mailbox = make_state(MailboxState, cookie=cookie_for(world["member"]))
    mailbox.load()
    assert mailbox.emails == [] and "permission" in mailbox.error


def test_admin_handlers_refuse_other_studios_ids(world) -> None:
    state = make_state(UsersState, cookie=cookie_for(world["admin"]))
    state.load()
    assert world["member"].email in {u.email for u in state.users}
    assert world["outsider"].email not in {u.email for u in state.users}
    state.set_active(str(world["outsider"].id), False)
    assert "does not exist" in state.error
    assert status_of(world["other"], world["outsider"]) == "active"
    state.set_invite_tenant(str(world["other"].id))
    state.invite({"email": "x@example.test", "name": "X", "role": "agency"})
    assert "not one you manage" in state.error
    tenants = make_state(TenantsState, cookie=cookie_for(world["admin"]))
    tenants.load()
    tenants.edit_id, tenants.edit_name = str(world["other"].id), "Stolen"
    tenants.save_edit()
    assert "not one you manage" in tenants.error


def test_admin_deactivates_member_and_member_loses_access_on_next_event(world) -> None:
    member_cookie = cookie_for(world["member"])
    member_page = make_state(AccountState, cookie=member_cookie)
    member_page.load()
    assert member_page.sessions
    admin = make_state(UsersState, cookie=cookie_for(world["admin"]))
    admin.load()
    admin.set_active(str(world["member"].id), False)
    assert admin.error == "" and "deactivated" in admin.notice
    # The member's open page: its next event finds the session gone.
    assert redirect_target(member_page.save_name({"name": "Still here?"})).startswith("/login")


def test_account_handlers_only_touch_own_sessions(world) -> None:
    theirs = session_of(world["outsider"])
    mine = make_state(AccountState, cookie=cookie_for(world["member"]))
    mine.load()
    mine.revoke(str(theirs.session_id))
    assert "does not exist" in mine.sessions_error
    assert resolve_session(sign_in(email=world["outsider"].email, password=PASSWORD).token)


def test_mailbox_lists_outbox_for_studio_admin(world) -> None:
    admin = make_state(UsersState, cookie=cookie_for(world["admin"]))
    admin.load()
    email = f"mailbox.{world['agency'].id.hex}@example.test"
    admin.set_invite_tenant(str(world["agency"].id))
    admin.invite({"email": email, "name": "M", "role": "agency"})
    mailbox = make_state(MailboxState, cookie=cookie_for(world["admin"]))
    mailbox.load()
    assert mailbox.enabled and email in {m.recipient for m in mailbox.emails}


def test_client_state_never_holds_secrets(world) -> None:
    cookie = cookie_for(world["admin"])
    token = cookie.split("=", 1)[1]
    for cls in (UsersState, TenantsState, AccountState):
        state = make_state(cls, cookie=cookie)
        state.load_session()
        state.load()
        view = repr(state.dict())
        assert token not in view and "argon2" not in view and "token_hash" not in view
