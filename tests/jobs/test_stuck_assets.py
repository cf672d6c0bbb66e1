"""The stuck-asset sweep: re-queue local processing once, then errored; a live job is left be.

The sweep's clock is the tick (`now`), so "an hour later" is a parameter, not a wait.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal.db import tenant_session
from portal.jobs import periodic
from portal.models import Asset, JobRun
from portal.services.media.assets import queue_processing
from portal.services.media.sweep import AGAIN, MUX_SILENT, NEVER_UPLOADED, sweep_stuck_assets
from tests.factories import asset_of, ctx, make_graph

pytestmark = pytest.mark.usefixtures("database")


def set_asset(graph, **values) -> None:
    with tenant_session(ctx(graph.tenant)) as session:
        asset = session.get(Asset, graph.asset.id)
        for key, value in values.items():
            setattr(asset, key, value)
        session.add(asset)


def jobs_for(graph, status: str = "todo") -> int:
    with tenant_session(None) as session:
        return session.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'process_asset'"
                " AND args->>'asset_id' = :id"
                " AND status = CAST(:status AS procrastinate_job_status)"
            ),
            {"id": str(graph.asset.id), "status": status},
        ).scalar_one()


def drop_jobs(graph) -> None:
    """As if the job died with its worker and procrastinate lost it."""
    with tenant_session(None) as session:
        session.execute(
            text("DELETE FROM procrastinate_jobs WHERE args->>'asset_id' = :id"),
            {"id": str(graph.asset.id)},
        )


def later(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


def test_processing_without_a_job_is_requeued_once_then_errored() -> None:
    graph = make_graph()
    set_asset(graph, status="processing")
    with tenant_session(ctx(graph.tenant)) as session:
        queue_processing(session, session.get(Asset, graph.asset.id))

    sweep_stuck_assets(now=later(2))
    assert asset_of(graph).status == "processing" and jobs_for(graph) == 1  # its job waits

    sweep_stuck_assets(now=later(0.5))  # not stuck yet, whatever its jobs
    drop_jobs(graph)
    sweep_stuck_assets(now=later(0.5))
    assert jobs_for(graph) == 0

    sweep_stuck_assets(now=later(2))
    asset = asset_of(graph)
    assert asset.status == "processing" and "sweep_requeued_at" in asset.media_info
    assert jobs_for(graph) == 1  # queued again, once

    drop_jobs(graph)
    sweep_stuck_assets(now=later(4))
    asset = asset_of(graph)
    assert asset.status == "errored" and asset.error_reason == AGAIN
    assert jobs_for(graph) == 0


def test_a_running_job_counts_while_its_worker_beats() -> None:
    graph = make_graph()
    set_asset(graph, status="processing")
    with tenant_session(ctx(graph.tenant)) as session:
        queue_processing(session, session.get(Asset, graph.asset.id))
    with tenant_session(None) as session:
        worker = session.execute(
            text("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")
        ).scalar_one()
        session.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w"
                " WHERE args->>'asset_id' = :id"
            ),
            {"w": worker, "id": str(graph.asset.id)},
        )
    sweep_stuck_assets(now=later(2))
    assert asset_of(graph).status == "processing" and jobs_for(graph) == 0  # alive: left be

    with tenant_session(None) as session:  # the worker was killed: no heartbeat since
        session.execute(
            text(
                "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '5 minutes'"
                " WHERE id = :w"
            ),
            {"w": worker},
        )
    sweep_stuck_assets(now=later(2))
    assert jobs_for(graph) == 1 and "sweep_requeued_at" in asset_of(graph).media_info


def test_unfinished_uploads_end_errored_with_a_reason() -> None:
    local, mux, mux_processing = make_graph(), make_graph(), make_graph()
    set_asset(mux, backend="mux")
    set_asset(mux_processing, backend="mux", status="processing")
    sweep_stuck_assets(now=later(2))
    assert (asset_of(local).status, asset_of(local).error_reason) == ("errored", NEVER_UPLOADED)
    assert (asset_of(mux).status, asset_of(mux).error_reason) == ("errored", MUX_SILENT)
    assert asset_of(mux_processing).status == "processing"  # Mux's webhooks decide


def test_the_periodic_job_ledgers_its_counts() -> None:
    graph = make_graph()
    tick = int(later(3).timestamp())
    periodic.stuck_assets_sweep(timestamp=tick)
    assert asset_of(graph).status == "errored"
    with tenant_session(None) as session:
        [run] = session.exec(
            select(JobRun).where(
                JobRun.job_name == "stuck_assets_sweep", JobRun.meta["tick"].astext == str(tick)
            )
        ).all()
    assert run.result == "succeeded" and run.meta["errored"] >= 1
