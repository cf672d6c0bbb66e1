"""Links follow the address being served: `portal serve --port 3300` (what `PORT=3300 make run`
runs) makes share, sign-in, reset and invite links at :3300 unless PORTAL_URL says otherwise;
production still needs PORTAL_URL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from portal import cli
from portal.db import tenant_session
from portal.models import Asset, OutboxEmail
from portal.services.accounts import self_service, users
from portal.services.accounts.auth import resolve_session, sign_in
from portal.services.sharing.links import create_share_link
from portal.settings import Settings, get_settings
from tests.factories import PASSWORD, ctx, make_graph, make_tenant, make_user

LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture()
def no_portal_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.delenv("PORTAL_URL", raising=False)
    monkeypatch.delenv("PORTAL_PORT", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def served(monkeypatch: pytest.MonkeyPatch, *argv: str) -> list[str]:
    """Run `portal serve …` with Reflex replaced by a stand-in, then take on the environment
    the server would get (as the server process does); returns the Reflex command."""
    started: list[tuple[list[str], dict[str, str]]] = []

    def fake_call(command: list[str], *, cwd: object, env: dict[str, str]) -> int:
        started.append((command, env))
        return 0

    monkeypatch.setattr(cli.subprocess, "call", fake_call)
    with pytest.raises(SystemExit) as done:
        cli.main(["serve", *argv])
    assert done.value.code == 0
    [(command, env)] = started
    for name in ("PORTAL_PORT", "PORTAL_URL"):
        if name in env:
            monkeypatch.setenv(name, env[name])
    get_settings.cache_clear()
    return command


def links_made() -> dict[str, str]:
    """A share link, a sign-in link, a reset link and an invitation, made by the services."""
    graph = make_graph()
    signed = make_user(tenant=make_tenant())
    studio = make_tenant(type="admin")
    admin = make_user(tenant=studio, role="admin")
    agency = make_tenant(managed_by=studio)
    with tenant_session(ctx(graph.tenant, graph.user)) as session:
        asset = session.get(Asset, graph.asset.id)
        asset.status = "ready"
        session.add(asset)
        session.flush()
        share = create_share_link(session=session, asset_id=asset.id, created_by=graph.user.id)
    self_service.request_magic_link(email=signed.email)
    self_service.request_password_reset(email=signed.email)
    invited = f"invited.{agency.id.hex}@example.test"
    users.invite_user(
        user=resolve_session(sign_in(email=admin.email, password=PASSWORD).token),
        tenant_id=str(agency.id),
        email=invited,
        name="New",
        role="agency",
    )
    with tenant_session(None) as session:
        mails = session.query(OutboxEmail).filter(
            OutboxEmail.to_address.in_([signed.email, invited])
        )
        found = {m.subject: LINK.findall(m.text_body) for m in mails}
    by_kind = {
        "sign-in": next(u for s, us in found.items() if "sign-in" in s for u in us),
        "reset": next(u for s, us in found.items() if "Reset" in s for u in us),
        "invite": next(u for s, us in found.items() if "invited" in s for u in us),
    }
    return {"share": share.url, **by_kind}


def test_serve_on_another_port_makes_links_to_that_port(
    database,
    no_portal_url: pytest.MonkeyPatch,
) -> None:
    command = served(no_portal_url, "--port", "3300")
    assert command[command.index("--frontend-port") + 1] == "3300"
    assert get_settings().portal_url == "http://localhost:3300"
    links = links_made()
    assert links["share"].startswith("http://localhost:3300/s/")
    assert links["sign-in"].startswith("http://localhost:3300/login/magic?token=")
    assert links["reset"].startswith("http://localhost:3300/reset?token=")
    assert links["invite"].startswith("http://localhost:3300/invite?token=")


def test_portal_port_alone_picks_the_port(no_portal_url: pytest.MonkeyPatch) -> None:
    no_portal_url.setenv("PORTAL_PORT", "3300")
    command = served(no_portal_url)
    assert command[command.index("--backend-port") + 1] == "3300"
    assert get_settings().portal_url == "http://localhost:3300"


def test_portal_url_wins_over_the_port(
    database,
    no_portal_url: pytest.MonkeyPatch,
) -> None:
    no_portal_url.setenv("PORTAL_URL", "https://review.example")
    served(no_portal_url, "--port", "3300")
    links = links_made()
    assert all(url.startswith("https://review.example/") for url in links.values()), links


def test_production_still_needs_portal_url(
    no_portal_url: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_portal_url.setenv("PORTAL_ENV", "prod")
    no_portal_url.setenv("PORTAL_SECRET_KEY", "s" * 40)
    no_portal_url.setenv("MAIL_BACKEND", "outbox")
    no_portal_url.setenv("PORTAL_PORT", "3300")
    no_portal_url.setattr(cli.subprocess, "call", lambda *a, **k: pytest.fail("started"))
    with pytest.raises(SystemExit) as done:
        cli.main(["serve", "--port", "3300"])
    assert done.value.code == 2
    assert "PORTAL_URL" in capsys.readouterr().err
    with pytest.raises(ValueError, match="PORTAL_URL"):
        Settings(_env_file=None)
