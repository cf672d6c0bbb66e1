"""Retention for the tables added since 0017 (api tokens, their idempotency keys and rate
windows, upload requests, outbound webhook deliveries).

- `api_tokens`: 30 days after the token died (`revoked_at`, else `expires_at`; a token with
  neither is live and kept), like auth_tokens. Its `api_rate_counters` and
  `api_idempotency_keys` go with it (ON DELETE CASCADE).
- `api_idempotency_keys`: 1 day after `created_at` (a client retries a create within minutes).
- `api_rate_counters`: 1 day after `window_start` (the window is one minute).
- `upload_requests`: 90 days after `expires_at`, like share_links. Their `client_files` stay
  (ON DELETE SET NULL), governed by the tenant's client-file retention (0026); their unfinished
  `tus_uploads` go with them (ON DELETE CASCADE; the tus sweep has removed them long before).
- `webhook_deliveries`: 30 days after `created_at` once `succeeded` or `dead`, like
  webhook_events; pending or failing deliveries stay until handled.
share_decisions and share_link_contacts go with their share link (ON DELETE CASCADE).

The purge functions gain result columns, so they are dropped and created again (a return type
cannot be changed in place) with every 0017 rule kept; still owner-only.

Revision ID: 0029
Revises: 0028
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from sqlalchemy import text

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

# table -> (days, what the period counts from); docs/compliance.md lists the same.
RETENTION = {
    "api_tokens": (30, "after the token is revoked or expires"),
    "api_idempotency_keys": (1, "after it is written"),
    "api_rate_counters": (1, "after its one-minute window starts"),
    "upload_requests": (90, "after the link expires"),
    "webhook_deliveries": (30, "after it is made, once succeeded or dead"),
}
FUNCTIONS = ("system_purge_retention()", "system_purge_retention_as_of(timestamptz)")

_PURGE = """
-- Retention as of `p_now` with the fixed periods: tenant tables one tenant context at a time
-- (the audit rows they cause stay scoped), then the global tables.
CREATE FUNCTION system_purge_retention_as_of(p_now timestamptz)
RETURNS TABLE (share_links integer, notifications integer, auth_tokens integer,
               user_sessions integer, login_attempts integer, mail_outbox integer,
               job_runs integer, webhook_events integer, api_tokens integer,
               api_idempotency_keys integer, api_rate_counters integer,
               upload_requests integer, webhook_deliveries integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE
  t uuid; k integer; saved text := current_setting('app.tenant_id', true);
  links timestamptz := p_now - make_interval(days => retention_days('share_links'));
  notes timestamptz := p_now - make_interval(days => retention_days('notifications'));
  tokens timestamptz := p_now - make_interval(days => retention_days('auth_tokens'));
  sessions timestamptz := p_now - make_interval(days => retention_days('user_sessions'));
  api timestamptz := p_now - make_interval(days => retention_days('api_tokens'));
  idem timestamptz := p_now - make_interval(days => retention_days('api_idempotency_keys'));
  requests timestamptz := p_now - make_interval(days => retention_days('upload_requests'));
  deliveries timestamptz := p_now - make_interval(days => retention_days('webhook_deliveries'));
BEGIN
  share_links := 0; notifications := 0; auth_tokens := 0; user_sessions := 0;
  api_tokens := 0; api_idempotency_keys := 0; upload_requests := 0; webhook_deliveries := 0;
  PERFORM set_config('app.admin_scope', '', true);
  FOR t IN SELECT id FROM tenants ORDER BY id LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    DELETE FROM share_links s WHERE s.expires_at < links;
    GET DIAGNOSTICS k = ROW_COUNT; share_links := share_links + k;
    DELETE FROM notifications x WHERE x.created_at < notes;
    GET DIAGNOSTICS k = ROW_COUNT; notifications := notifications + k;
    DELETE FROM auth_tokens a WHERE a.expires_at < tokens;
    GET DIAGNOSTICS k = ROW_COUNT; auth_tokens := auth_tokens + k;
    DELETE FROM user_sessions u WHERE u.expires_at < sessions;
    GET DIAGNOSTICS k = ROW_COUNT; user_sessions := user_sessions + k;
    DELETE FROM api_idempotency_keys i WHERE i.created_at < idem;
    GET DIAGNOSTICS k = ROW_COUNT; api_idempotency_keys := api_idempotency_keys + k;
    DELETE FROM api_tokens a WHERE coalesce(a.revoked_at, a.expires_at) < api;
    GET DIAGNOSTICS k = ROW_COUNT; api_tokens := api_tokens + k;
    DELETE FROM upload_requests r WHERE r.expires_at < requests;
    GET DIAGNOSTICS k = ROW_COUNT; upload_requests := upload_requests + k;
    DELETE FROM webhook_deliveries d
     WHERE d.created_at < deliveries AND d.status IN ('succeeded', 'dead');
    GET DIAGNOSTICS k = ROW_COUNT; webhook_deliveries := webhook_deliveries + k;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
  DELETE FROM login_attempts a
   WHERE a.created_at < p_now - make_interval(days => retention_days('login_attempts'));
  GET DIAGNOSTICS login_attempts = ROW_COUNT;
  DELETE FROM mail_outbox m
   WHERE m.created_at < p_now - make_interval(days => retention_days('mail_outbox'));
  GET DIAGNOSTICS mail_outbox = ROW_COUNT;
  DELETE FROM job_runs j
   WHERE j.started_at < p_now - make_interval(days => retention_days('job_runs'))
     AND j.id <> (SELECT l.id FROM job_runs l WHERE l.job_name = j.job_name
                   ORDER BY l.started_at DESC, l.id DESC LIMIT 1);
  GET DIAGNOSTICS job_runs = ROW_COUNT;
  DELETE FROM webhook_events w
   WHERE w.received_at < p_now - make_interval(days => retention_days('webhook_events'))
     AND w.status IN ('processed', 'ignored', 'dead');
  GET DIAGNOSTICS webhook_events = ROW_COUNT;
  DELETE FROM api_rate_counters c
   WHERE c.window_start < p_now - make_interval(days => retention_days('api_rate_counters'));
  GET DIAGNOSTICS api_rate_counters = ROW_COUNT;
  RETURN NEXT;
END $$;

-- The daily job: retention as of the database's clock.
CREATE FUNCTION system_purge_retention()
RETURNS TABLE (share_links integer, notifications integer, auth_tokens integer,
               user_sessions integer, login_attempts integer, mail_outbox integer,
               job_runs integer, webhook_events integer, api_tokens integer,
               api_idempotency_keys integer, api_rate_counters integer,
               upload_requests integer, webhook_deliveries integer)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT * FROM system_purge_retention_as_of(now())
$$;
"""

_INDEXES = """
CREATE INDEX idx_upload_requests_expires ON upload_requests (expires_at);
CREATE INDEX idx_webhook_deliveries_created ON webhook_deliveries (created_at);
CREATE INDEX idx_api_idempotency_keys_created ON api_idempotency_keys (created_at);
"""


def _revision_0017() -> ModuleType:
    path = Path(__file__).with_name("0017_retention_and_runtime_role_hardening.py")
    spec = importlib.util.spec_from_file_location(f"_revision_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replace_purge(sql: str) -> None:
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.execute(sql)
    for function in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")


def upgrade() -> None:
    for table, (days, counted_from) in RETENTION.items():
        op.get_bind().execute(
            text("INSERT INTO retention_periods VALUES (:table, :days, :counted_from)"),
            {"table": table, "days": days, "counted_from": counted_from},
        )
    op.execute(_INDEXES)
    _replace_purge(_PURGE)


def downgrade() -> None:
    _replace_purge(_revision_0017()._PURGE)
    op.execute(
        "DROP INDEX idx_api_idempotency_keys_created;"
        " DROP INDEX idx_webhook_deliveries_created; DROP INDEX idx_upload_requests_expires"
    )
    op.get_bind().execute(
        text("DELETE FROM retention_periods WHERE table_name = ANY(:tables)"),
        {"tables": list(RETENTION)},
    )
