"""The client page's decision form and "always latest" switch, driven without a browser: a
double press is one decision, a tab acts only on the link it opened, a refused link turns the
page unavailable, and an open page follows its link to a newer version."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reflex.istate.data import ReflexURL
from sqlalchemy import select

from portal.db import tenant_session
from portal.models import ShareDecision
from portal.services.sharing.follow import follow_new_version
from portal.services.sharing.links import revoke_share_link
from tests.factories import Studio
from tests.share_support import make_link, ready_asset, shared, token_of
from tests.state.test_share_states import BASE, client

pytestmark = pytest.mark.usefixtures("database")


def decisions(studio: Studio) -> list[tuple[str, str]]:
    with tenant_session(studio.member_ctx) as session:
        rows = session.scalars(select(ShareDecision).order_by(ShareDecision.created_at)).all()
        return [(r.name, r.decision) for r in rows]


def test_a_double_press_is_one_decision_and_a_new_press_is_another(studio: Studio) -> None:
    s = shared(studio, ask_decision=True)
    state = client(s.token)
    state.load()
    assert state.ask_decision and state.my_decision == ""
    form = {"name": "Jane", "email": "jane@client.test", "note": "ok", "key": state.decision_key}
    for _ in range(2):  # both events carry the key the page had when they were sent
        state.choose("approved")
        state.decide(dict(form))
    assert decisions(studio) == [("Jane", "approved")]
    assert state.my_decision == "Approved by Jane" and state.decision_key != form["key"]
    state.choose("changes_requested")
    state.decide({"note": "", "key": state.decision_key})
    assert state.decision_error == "The note is required."
    state.choose("changes_requested")
    state.decide({"note": "Shorter", "key": state.decision_key})
    assert decisions(studio) == [("Jane", "approved"), ("Jane", "changes_requested")]
    assert state.my_decision == "Changes requested by Jane"


def test_no_form_without_the_question_and_refused_links_go_unavailable(studio: Studio) -> None:
    plain = client(shared(studio).token)
    plain.load()
    assert not plain.ask_decision
    plain.choose("approved")
    plain.decide({"name": "J", "email": "j@c.test", "key": plain.decision_key})
    assert plain.decision_error == "This link does not ask for a decision."

    s = shared(studio, ask_decision=True)
    state = client(s.token)
    state.load()
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=s.link.id)
    state.choose("approved")
    state.decide({"name": "J", "email": "j@c.test", "key": state.decision_key})
    assert not state.available and state.src == ""
    assert decisions(studio) == []


def test_a_tab_decides_only_on_the_link_it_opened(studio: Studio) -> None:
    a = shared(studio, ask_decision=True)
    b = make_link(studio, ready_asset(studio, title="B"), ask_decision=True)
    state = client(a.token)
    state.load()
    root = state.parent_state
    root.router = replace(root.router, url=ReflexURL(f"{BASE}/s/{token_of(b)}"))
    state.choose("approved")
    state.decide({"name": "J", "email": "j@c.test", "key": state.decision_key})
    assert not state.available
    assert decisions(studio) == []


def test_an_open_page_follows_its_link_to_the_new_version(studio: Studio) -> None:
    v1 = ready_asset(studio, title="Hero film")
    link = make_link(studio, v1, follow_latest=True)
    state = client(token_of(link))
    state.load()
    first_src = state.src
    assert state.label == "v1" and state.version_id == str(v1.id)
    v2 = ready_asset(studio, title="Hero film")
    follow_new_version(asset_id=v2.id, tenant_id=v2.tenant_id)
    state.renew()
    assert state.label == "v2" and state.version_id == str(v2.id)
    assert state.src != first_src and state.available
    assert state.notice == "A new version is here: v2."
