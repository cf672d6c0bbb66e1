"""The users page's guest section: handlers called directly, as any connected client could."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.db import tenant_session
from portal.models import User
from portal.services.sharing import access
from portal.services.sharing.guests import add_guest_comment
from portal.state.admin_users_guests import GuestsState
from tests.factories import Studio
from tests.share_support import shared
from tests.state.test_admin_state import cookie_for
from tests.state.test_state import make_state, redirect_target

pytestmark = pytest.mark.usefixtures("database")


def guest_of(studio: Studio) -> str:
    info = access.lookup(shared(studio, allow_comments=True).token)
    comment = add_guest_comment(
        info=info, name="Guest Kim", email="kim@client.test", body="Hi", timecode=1
    )
    return str(comment.author_id)


def exists(studio: Studio, user_id: str) -> bool:
    with tenant_session(studio.admin_ctx) as session:
        return session.scalar(select(User.id).where(User.id == user_id)) is not None


def test_admin_sees_and_removes_a_guest(studio: Studio) -> None:
    guest_id = guest_of(studio)
    state = make_state(GuestsState, cookie=cookie_for(studio.admin))
    state.load()
    assert [(g.id, g.email, g.comments) for g in state.guests] == [(guest_id, "kim@client.test", 1)]
    state.remove(guest_id)
    assert state.guests == [] and state.error == ""
    assert state.notice == "Guest removed. Their comments stay, shown as Guest."
    assert not exists(studio, guest_id)


def test_member_and_anonymous_cannot_list_or_remove_guests(studio: Studio) -> None:
    guest_id = guest_of(studio)
    member = make_state(GuestsState, cookie=cookie_for(studio.member))
    member.load()
    assert member.guests == [] and member.error == "You do not have permission to do that."
    member.remove(guest_id)
    anonymous = make_state(GuestsState, cookie="")
    assert redirect_target(anonymous.remove(guest_id)).startswith("/login")
    assert exists(studio, guest_id)
