"""Push, not poll (issue 18): open pages learn of changes from the database's NOTIFY through
this process's one LISTEN connection, do no database work while nothing changes, and re-read
only what changed when something does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from portal.db import tenant_session
from portal.integrations.pg_listen import Listener
from portal.models import JobRun
from portal.services.accounts import session_check
from portal.services.media.comments import add_asset_comment
from portal.services.media.review import decide
from portal.state import live
from portal.state.asset import AssetState
from portal.state.bell import BellState
from portal.state.operations import OperationsState
from tests.factories import make_graph, make_studio, make_tenant, make_user, ready_version
from tests.jobs.support import run_async
from tests.services.accounts.test_session_check import Counted, FakeClock, orm_statements
from tests.state.test_asset_states import asset_state
from tests.state.test_state import make_state, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")


async def until(condition: Callable[[], bool], timeout: float = 30) -> None:
    """Yield to the loop until `condition()` holds (a deadline, not a delay)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> Counted:
    """Session checks on connections that count every statement."""
    counting = Counted()
    monkeypatch.setattr(session_check, "SESSIONS", session_check.SessionCache())
    monkeypatch.setattr(session_check.SESSIONS, "connect", counting)
    monkeypatch.setattr(session_check.SESSIONS, "clock", FakeClock())
    monkeypatch.setattr("portal.state.session.SESSIONS", session_check.SESSIONS)
    return counting


@pytest.fixture()
def idle_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A fresh listener; live loops look at their socket every 10 ms (counted) instead of 30 s."""
    monkeypatch.setattr(live, "LISTENER", Listener())
    monkeypatch.setattr(live, "IDLE_CHECK_SECONDS", 0.01)
    checks: list[str] = []

    def socket_here(client: str) -> bool:
        checks.append(client)
        return True

    monkeypatch.setattr(live, "socket_here", socket_here)
    return checks


def test_the_listener_wakes_only_the_keys_a_commit_changed(superuser_conn) -> None:
    s = make_studio()
    asset = ready_version(s, duration=20)
    other = ready_version(make_studio(), duration=20)
    mine = {f"comments:{asset.id}", f"asset:{asset.id}", f"project:{asset.project_id}"}

    async def scenario() -> tuple[set[str], set[str], set[str], set[str]]:
        listener = Listener()
        async with (
            listener.subscribe(mine) as page,
            listener.subscribe({f"comments:{other.id}"}) as theirs,
            listener.subscribe({"ops"}) as operations,
        ):
            assert page is not None and theirs is not None and operations is not None
            await until(lambda: listener.connected)
            await page.next(0)  # the wake-up every page gets when the connection opens
            await theirs.next(0)
            await operations.next(0)

            def comment_then_rollback() -> None:
                with tenant_session(s.member_ctx) as session:
                    add_asset_comment(
                        session=session,
                        asset_id=asset.id,
                        author_id=s.member.id,
                        body="Tighter cut",
                        timecode="1",
                    )
                superuser_conn.execute("BEGIN")
                superuser_conn.execute(
                    "UPDATE comments SET body = 'never' WHERE parent_id = %s", (other.id,)
                )
                superuser_conn.execute("ROLLBACK")

            await asyncio.to_thread(comment_then_rollback)
            commented = await page.next(30)
            with tenant_session(None) as session:
                session.add(JobRun(job_name="probe", result="succeeded"))
            ops = await operations.next(30)

            def approve() -> None:
                with tenant_session(s.member_ctx) as session:
                    decide(
                        session=session,
                        asset_id=asset.id,
                        user_id=s.member.id,
                        decision="approved",
                        confirm_old=True,
                    )

            await asyncio.to_thread(approve)
            approved = await page.next(30)
            rolled_back = await theirs.next(0)
        await listener.stop()
        return commented, approved, ops, rolled_back

    commented, approved, ops, rolled_back = run_async(scenario)
    assert commented == {f"comments:{asset.id}"}
    assert approved == {f"asset:{asset.id}", f"project:{asset.project_id}"}
    assert ops == {"ops"}
    assert rolled_back == set()  # a rolled-back change is never announced


def test_an_idle_asset_page_reads_nothing_and_a_comment_shows_at_once(
    counted: Counted, idle_checks: list[str]
) -> None:
    s = make_studio()
    asset = ready_version(s, duration=20)
    writer = asset_state(s.admin.email, str(asset.id))
    reader = asset_state(s.member.email, str(asset.id))
    assert reader.comments == []

    async def scenario() -> tuple[int, int]:
        watching = asyncio.create_task(AssetState.event_handlers["watch"].fn(reader))
        # Settled: connected (which wakes every page once) and idle since.
        await until(lambda: live.LISTENER.connected)
        settled = len(idle_checks)
        await until(lambda: len(idle_checks) >= settled + 3)
        checked_before = len(counted.statements)
        with orm_statements() as reads:
            # Idle: many looks at the socket (about 10 ms apart), not one statement.
            await until(lambda: len(idle_checks) >= settled + 40)
            idle = len(reads) + len(counted.statements) - checked_before
            post = {"body": "Cut the pause", "timecode": "4"}
            await asyncio.to_thread(writer.post_comment, post)
            await until(lambda: [c.body for c in reader.comments] == ["Cut the pause"])
            watching.cancel()
            await asyncio.gather(watching, return_exceptions=True)
        await live.LISTENER.stop()
        return idle, len(counted.statements) - checked_before

    idle, checks = run_async(scenario)
    assert idle == 0
    # After it: the writer's event and the reader's one re-read, one session check each.
    assert checks == 2
    assert not live.running(f"asset:{asset.id}", "")
    assert writer.comment_error == "" and reader.error == ""


def test_operations_and_bell_follow_pushed_changes_and_stop_when_signed_out(
    counted: Counted, idle_checks: list[str], superuser_conn
) -> None:
    g = make_graph()
    admin = make_user(tenant=make_tenant(type="admin"), role="admin")
    ops = make_state(
        OperationsState,
        cookie=signed_in_cookie(admin.email),
        url="http://localhost:3000/operations",
    )
    ops.load()
    bell = make_state(BellState, cookie=signed_in_cookie(g.user.email))
    bell.start()
    assert bell.unread == 1
    signed_out = make_state(OperationsState, url="http://localhost:3000/operations").router

    async def scenario() -> None:
        loops = [
            asyncio.create_task(OperationsState.event_handlers["watch"].fn(ops)),
            asyncio.create_task(BellState.event_handlers["watch"].fn(bell)),
        ]
        await until(lambda: live.LISTENER.waiting("ops"))
        await until(lambda: live.LISTENER.waiting(str(g.user.id)))

        def changes() -> None:
            with tenant_session(None) as session:
                session.add(JobRun(job_name="pushed_probe", result="succeeded"))
            superuser_conn.execute(
                "UPDATE notifications SET read_at = now() WHERE id = %s", (g.notification.id,)
            )

        await asyncio.to_thread(changes)
        await until(lambda: "pushed_probe" in {r.job_name for r in ops.job_runs})
        await until(lambda: bell.unread == 0)
        # Signed out: the next change ends the page's loop without showing anything more.
        ops.router = signed_out
        with tenant_session(None) as session:
            session.add(JobRun(job_name="after_sign_out", result="succeeded"))
        await asyncio.wait_for(loops[0], 30)
        loops[1].cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        await live.LISTENER.stop()

    run_async(scenario)
    assert ops.job_runs == [] and "sign in" in ops.error
    assert not live.running("operations", "")


def test_tabs_woken_by_one_change_share_one_read_begun_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listener = Listener()
    monkeypatch.setattr(live, "LISTENER", listener)
    reads: list[int] = []
    release = asyncio.Event()

    async def scenario() -> tuple[list[int], list[int]]:
        loop = asyncio.get_running_loop()

        def read() -> int:
            began = listener.sequence
            reads.append(began)
            asyncio.run_coroutine_threadsafe(release.wait(), loop).result(30)
            return began

        listener._wake("comments:x")  # a change arrives: sequence 1
        first = [
            asyncio.create_task(live.read_once("k", listener.sequence, read)) for _ in range(5)
        ]
        await until(lambda: len(reads) == 1)
        listener._wake("comments:x")  # another change while that read runs: sequence 2
        later = asyncio.create_task(live.read_once("k", listener.sequence, read))
        await until(lambda: len(reads) == 2)  # it did not join the read begun before it
        release.set()
        return list(await asyncio.gather(*first)), [await later]

    together, alone = run_async(scenario)
    assert together == [1] * 5 and alone == [2]
    assert reads == [1, 2] and live._reads == {}


def test_tabs_of_one_viewer_woken_by_one_change_share_one_session_check(
    counted: Counted, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "LISTENER", Listener())
    s = make_studio()
    asset = ready_version(s, duration=20)
    cookie = signed_in_cookie(s.member.email)
    url = f"http://localhost:3000/asset?id={asset.id}&compare="
    tabs = [make_state(AssetState, cookie=cookie, url=url) for _ in range(3)]
    for tab in tabs:
        tab.load()
    other = asset_state(s.admin.email, str(asset.id))
    fired = {f"comments:{asset.id}"}

    async def scenario() -> tuple[list[bool], int]:
        live.LISTENER._wake(f"comments:{asset.id}")
        before = len(counted.statements)
        woken = [tab._follow(str(asset.id), fired) for tab in [*tabs, other]]
        followed = list(await asyncio.gather(*woken))
        return followed, len(counted.statements) - before

    followed, checks = run_async(scenario)
    assert followed == [True] * 4
    # One check for the three tabs of one cookie, one for the other viewer's tab.
    assert checks == 2
    assert live._reads == {}
    assert all(tab.error == "" for tab in [*tabs, other])


def test_a_live_page_knows_its_route_with_or_without_a_trailing_slash() -> None:
    # The production build serves /asset/ (as the browser then reports it) as well as /asset.
    assert live.on_page("/asset/", "/asset") and live.on_page("/asset", "/asset")
    assert not live.on_page("/assets", "/asset") and not live.on_page("/", "/asset")
