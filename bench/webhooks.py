"""Webhook ingest and processing lag, against a bare Starlette + psycopg INSERT endpoint.

Goals (issue 9): ingest throughput >= 0.6x the baseline on one server worker; processing lag
p95 <= 1 s while events arrive at half the baseline's rate. Loopback only, about a minute.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import psycopg

from bench._report import goal
from bench._support import blast, http_request, scratch_database, serve
from portal.integrations.webhook_signatures import mux_signature
from portal.settings import ROOT

SECRET = "bench-mux-webhook-secret"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "6000"))
LAG_SECONDS = float(os.environ.get("BENCH_LAG_SECONDS", "6"))


def mux_requests(count: int, asset_ids: list[str]) -> list[bytes]:
    now = int(time.time())
    out = []
    for i in range(count):
        event = {
            "id": str(uuid.uuid4()),
            "type": "video.asset.ready" if i % 2 else "video.asset.created",
            "data": {"id": f"mux-{i}", "passthrough": asset_ids[i % len(asset_ids)]},
        }
        body = json.dumps(event).encode()
        headers = {"Mux-Signature": mux_signature(body, SECRET, now)}
        out.append(http_request("/api/webhooks/mux", body, headers))
    return out


def make_assets(count: int) -> list[str]:
    from tests.factories import make_graph

    return [str(make_graph().asset.id) for _ in range(count)]


def lag_figures(owner_dsn: str, since: float) -> tuple[float, int, int, float]:
    """p95 lag over the events received since `since` (processed ones), how many were received
    and processed, and the processing rate (events / seconds from first receipt to last done)."""
    with psycopg.connect(owner_dsn) as conn:
        row = conn.execute(
            "SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM"
            " processed_at - received_at)) FILTER (WHERE status = 'processed'),"
            " count(*), count(*) FILTER (WHERE status = 'processed'),"
            " extract(epoch FROM max(processed_at) - min(received_at))"
            " FROM webhook_events WHERE received_at >= to_timestamp(%s)",
            (since,),
        ).fetchone()
    return float(row[0] or 0.0), row[1], row[2], float(row[3] or 0.0)


def wait_processed(owner_dsn: str, since: float, sent: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lag_figures(owner_dsn, since)[2] >= sent:
            return
        time.sleep(0.5)


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def run() -> None:
    """Print ingest throughput and processing lag, each with its same-run baseline."""
    print(f"load average before: {load()}")
    with scratch_database() as owner_dsn:
        with psycopg.connect(owner_dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, body text)")
        env = {"BENCH_BASELINE_DSN": owner_dsn, "MUX_WEBHOOK_SECRET": SECRET}
        env["PORTAL_INPROCESS_WORKER"] = "false"
        assets = make_assets(50)
        plain = [http_request("/", b'{"id": "%d"}' % i, {}) for i in range(REQUESTS)]
        with serve("bench._baseline_app:app", env) as port:
            blast(port, plain[:500])
            ok, took = blast(port, plain)
        baseline_rate = ok / took
        with serve("portal.api:build_api", env, factory=True) as port:
            blast(port, mux_requests(500, assets))
            ok, took = blast(port, mux_requests(REQUESTS, assets))
            ingest_rate = ok / took
            goal(
                "webhook ingest throughput",
                f"{ingest_rate:.0f} req/s",
                f"{baseline_rate:.0f} req/s (bare Starlette + psycopg INSERT)",
                ingest_rate / baseline_rate,
                ">= 0.6x baseline",
                ingest_rate / baseline_rate >= 0.6,
            )
            with psycopg.connect(owner_dsn, autocommit=True) as conn:
                conn.execute("DELETE FROM procrastinate_jobs")
                # The warm-up's events are not part of the lag run.
                conn.execute("UPDATE webhook_events SET status = 'ignored'")
            worker = subprocess.Popen(
                [sys.executable, "-m", "portal.cli", "worker"], cwd=ROOT, env={**os.environ, **env}
            )
            try:
                time.sleep(3)
                since = time.time()
                rate = baseline_rate / 2
                sent = int(rate * LAG_SECONDS)
                blast(port, mux_requests(sent, assets), rate=rate)
                wait_processed(owner_dsn, since, sent, timeout=60)
                p95, received, processed, span = lag_figures(owner_dsn, since)
            finally:
                worker.terminate()
                worker.wait(timeout=15)
        print(
            f"(lag: {sent} events sent at {rate:.0f}/s over {LAG_SECONDS:.0f} s; {processed} of"
            f" {received} processed, at {processed / span if span else 0:.0f} events/s from the"
            " first receipt to the last commit; load average after: " + load() + ")"
        )
        goal(
            "webhook processing lag p95",
            f"{p95:.2f} s" + ("" if processed == received else f" ({received - processed} left)"),
            f"events at {rate:.0f}/s (half the baseline's rate)",
            None,
            "<= 1.0 s",
            p95 <= 1.0 and processed == received,
        )
