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

from bench._support import blast, http_request, scratch_database, serve
from portal.services.webhook_signatures import mux_signature
from portal.settings import ROOT

SECRET = "bench-mux-webhook-secret"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "6000"))
LAG_SECONDS = float(os.environ.get("BENCH_LAG_SECONDS", "6"))


def report(name: str, measured: float, baseline: float, goal: str, unit: str = "") -> None:
    ratio = measured / baseline if baseline else float("nan")
    print(
        f"{name}: measured {measured:.2f}{unit}, baseline {baseline:.2f}{unit}, "
        f"ratio {ratio:.2f}, goal {goal}"
    )


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


def lag_p95(owner_dsn: str, since: float) -> tuple[float, int]:
    with psycopg.connect(owner_dsn) as conn:
        row = conn.execute(
            "SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM"
            " processed_at - received_at)), count(*) FROM webhook_events"
            " WHERE received_at >= to_timestamp(%s) AND status = 'processed'",
            (since,),
        ).fetchone()
    return float(row[0] or 0.0), row[1]


def run() -> None:
    """Print ingest throughput and processing lag, each with its same-run baseline."""
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
            report("webhook ingest req/s", ok / took, baseline_rate, ">= 0.6")
            with psycopg.connect(owner_dsn, autocommit=True) as conn:
                conn.execute("DELETE FROM procrastinate_jobs")
            worker = subprocess.Popen(
                [sys.executable, "-m", "portal.cli", "worker"], cwd=ROOT, env={**os.environ, **env}
            )
            try:
                time.sleep(3)
                since = time.time()
                rate = baseline_rate / 2
                sent = int(rate * LAG_SECONDS)
                blast(port, mux_requests(sent, assets), rate=rate)
                time.sleep(5)
                p95, processed = lag_p95(owner_dsn, since)
            finally:
                worker.terminate()
                worker.wait(timeout=15)
        print(
            f"(lag: {sent} events sent at {rate:.0f}/s; p95 over the {processed} processed"
            " within 5 s after the last; the rest were still queued)"
        )
        report("processing lag p95 s", p95, 1.0, "<= 1.0 (baseline is the goal)", unit="s")
