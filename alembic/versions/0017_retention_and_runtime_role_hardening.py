"""Retention the runtime role cannot shorten, retention for every table, a narrower runtime role.

Issue 16 item 1: the runtime role could call the retention functions with a clock and periods of
its choosing (`system_audit_partitions(now() + '100 years', 0, 0)` dropped every audit partition).
- Periods live in `retention_periods` (owner-written; the runtime role may only read it), seeded
  with the seed's 90/180/365 days and periods for the tables that had none.
- `system_purge_retention()` and `system_audit_partitions()` take no arguments: the clock is the
  database's `now()`, the periods are the table's. The `…_as_of(now)` twins exist for exact
  boundary tests and operator use; every one of them is executable by the owner only (the job
  worker calls them on the owner engine). The 0008 and 0010 overloads are dropped.
- `audit_chain_heads.anchor_at` records when the last dropped link was written, so the verifier
  can tell a retention drop (anchor older than the audit period) from rows removed early.
Issue 16 item 2 (defence in depth against the runtime role):
- tenants: the runtime role may not change a tenant's id, type, managed_by or created_at, and
  may update a tenant only inside the admin scope (a studio admin editing a tenant it manages).
- audit_logs: a row the runtime role inserts takes its actor from `app.user_id` and must be
  dated `now()` (no rows attributed to someone else, no back-dated rows).
- `app.admin_scope` is honoured only when `app.user_id` is an active admin of the admin tenant
  (one primary-key lookup, only when the flag is on: the share-open path never sets it).
Issue 17 section 3: login_attempts, mail_outbox, job_runs and webhook_events (and expired
auth_tokens and user_sessions) get periods and are purged daily; audit rows in the DEFAULT
partition move into their monthly partition when it is created, and the partition job creates
one for every month the DEFAULT partition holds, so they age out like every other row.

Revision ID: 0017
Revises: 0016
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from sqlalchemy import text

from alembic import op
from portal.settings import get_settings

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# table -> (days, what the period counts from); docs/compliance.md lists the same.
RETENTION = {
    "share_links": (90, "after the link expires"),
    "notifications": (180, "after it is created"),
    "audit_logs": (365, "after the end of the row's month (whole monthly partitions)"),
    "auth_tokens": (30, "after the token expires"),
    "user_sessions": (90, "after the session expires"),
    "login_attempts": (30, "after the attempt"),
    "mail_outbox": (7, "after it is written (the longest link it can carry, an invite, lasts 7)"),
    "job_runs": (90, "after the run started (each job's latest run is kept)"),
    "webhook_events": (30, "after receipt, once processed, ignored or dead"),
}
AUDIT_MONTHS_AHEAD = 2
OLD_FUNCTIONS = (
    "system_purge_retention(integer, integer)",
    "system_audit_partitions(integer, integer)",
    "system_purge_retention(timestamptz, integer, integer)",
    "system_audit_partitions(timestamptz, integer, integer)",
)
NEW_FUNCTIONS = (
    "system_purge_retention_as_of(timestamptz)",
    "system_purge_retention()",
    "system_audit_partitions_as_of(timestamptz)",
    "system_audit_partitions()",
)
OWNER_ONLY = ("audit_create_partition(date)", "audit_ensure_partitions(integer)")

_PERIODS = """
CREATE INDEX idx_auth_tokens_expires ON auth_tokens (expires_at);
CREATE INDEX idx_user_sessions_expires ON user_sessions (expires_at);
CREATE TABLE retention_periods (
  table_name text PRIMARY KEY,
  days integer NOT NULL CHECK (days > 0),
  counted_from text NOT NULL
);
-- The period of one table (raises when a table has none: a purge never runs with a guess).
CREATE FUNCTION retention_days(p_table text) RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
DECLARE d integer;
BEGIN
  SELECT days INTO STRICT d FROM retention_periods WHERE table_name = p_table;
  RETURN d;
END $$;
"""

_PURGE = """
-- Retention as of `p_now` with the fixed periods: tenant tables one tenant context at a time
-- (the audit rows they cause stay scoped), then the global tables.
CREATE FUNCTION system_purge_retention_as_of(p_now timestamptz)
RETURNS TABLE (share_links integer, notifications integer, auth_tokens integer,
               user_sessions integer, login_attempts integer, mail_outbox integer,
               job_runs integer, webhook_events integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE
  t uuid; k integer; saved text := current_setting('app.tenant_id', true);
  links timestamptz := p_now - make_interval(days => retention_days('share_links'));
  notes timestamptz := p_now - make_interval(days => retention_days('notifications'));
  tokens timestamptz := p_now - make_interval(days => retention_days('auth_tokens'));
  sessions timestamptz := p_now - make_interval(days => retention_days('user_sessions'));
BEGIN
  share_links := 0; notifications := 0; auth_tokens := 0; user_sessions := 0;
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
  RETURN NEXT;
END $$;

-- The daily job: retention as of the database's clock.
CREATE FUNCTION system_purge_retention()
RETURNS TABLE (share_links integer, notifications integer, auth_tokens integer,
               user_sessions integer, login_attempts integer, mail_outbox integer,
               job_runs integer, webhook_events integer)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT * FROM system_purge_retention_as_of(now())
$$;
"""

# Create a month's partition; rows of that month waiting in the DEFAULT partition move into it
# (the append-only triggers of the DEFAULT partition are lifted for this transaction's move only).
_CREATE_PARTITION = """
CREATE OR REPLACE FUNCTION audit_create_partition(p_month date) RETURNS text
LANGUAGE plpgsql SET search_path = public, pg_catalog, pg_temp AS $$
DECLARE
  start_ts date := date_trunc('month', p_month)::date;
  lo timestamptz := start_ts::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (start_ts + interval '1 month')::timestamp AT TIME ZONE 'UTC';
  part text := format('audit_logs_y%sm%s', to_char(start_ts, 'YYYY'), to_char(start_ts, 'MM'));
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN part;
  END IF;
  IF EXISTS (SELECT 1 FROM audit_logs_default WHERE created_at >= lo AND created_at < hi) THEN
    EXECUTE format('CREATE TABLE %I (LIKE audit_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                   part);
    EXECUTE format('INSERT INTO %I SELECT * FROM audit_logs_default'
                   ' WHERE created_at >= %L AND created_at < %L', part, lo, hi);
    ALTER TABLE audit_logs_default DISABLE TRIGGER USER;
    DELETE FROM audit_logs_default WHERE created_at >= lo AND created_at < hi;
    ALTER TABLE audit_logs_default ENABLE TRIGGER USER;
    EXECUTE format('ALTER TABLE audit_logs ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   part, lo, hi);
  ELSE
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_logs FOR VALUES FROM (%L) TO (%L)',
                   part, lo, hi);
  END IF;
  EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE OR TRUNCATE ON %I '
                 'FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change()',
                 part || '_no_change', part);
  RETURN part;
END $$;
"""

_PARTITIONS = f"""
-- Audit partitions as of `p_now`: create this month and {AUDIT_MONTHS_AHEAD} ahead, and one for
-- every month still waiting in the DEFAULT partition; for each monthly partition whose whole
-- month ended more than the audit period before `p_now`, keep each tenant's last link in it as
-- the chain anchor (with its time), then detach and drop it (rows are never deleted one by one).
CREATE FUNCTION system_audit_partitions_as_of(p_now timestamptz)
RETURNS TABLE (created text[], dropped text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog, pg_temp AS $$
DECLARE part text; month_start date; m date;
  keep_after timestamptz := p_now - make_interval(days => retention_days('audit_logs'));
  -- Read in full first: moving rows out of the DEFAULT partition needs no open scan of it.
  months date[] := ARRAY(
    SELECT (date_trunc('month', p_now AT TIME ZONE 'UTC') + make_interval(months => n))::date
      FROM generate_series(0, {AUDIT_MONTHS_AHEAD}) AS n
    UNION
    SELECT DISTINCT date_trunc('month', created_at AT TIME ZONE 'UTC')::date
      FROM audit_logs_default
    ORDER BY 1);
BEGIN
  created := '{{}}';
  FOREACH m IN ARRAY months LOOP
    created := created || audit_create_partition(m);
  END LOOP;
  dropped := '{{}}';
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'public.audit_logs'::regclass
       AND c.relname ~ '^audit_logs_y[0-9]{{4}}m[0-9]{{2}}$'
     ORDER BY c.relname
  LOOP
    month_start := to_date(substr(part, 13, 4) || substr(part, 18, 2), 'YYYYMM');
    IF ((month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC') < keep_after THEN
      EXECUTE format(
        'INSERT INTO audit_chain_heads AS h
           (tenant_id, seq, head_hash, anchor_seq, anchor_hash, anchor_at, updated_at)
         SELECT DISTINCT ON (tenant_id) tenant_id, chain_seq, row_hash, chain_seq, row_hash,
                created_at, created_at
           FROM %I ORDER BY tenant_id, chain_seq DESC
         ON CONFLICT (tenant_id) DO UPDATE
           SET anchor_seq = excluded.anchor_seq, anchor_hash = excluded.anchor_hash,
               anchor_at = excluded.anchor_at
         WHERE h.anchor_seq < excluded.anchor_seq', part);
      EXECUTE format('ALTER TABLE audit_logs DETACH PARTITION %I', part);
      EXECUTE format('DROP TABLE %I', part);
      dropped := dropped || part;
    END IF;
  END LOOP;
  RETURN NEXT;
END $$;

-- The daily job: partitions as of the database's clock.
CREATE FUNCTION system_audit_partitions() RETURNS TABLE (created text[], dropped text[])
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_catalog, pg_temp AS $$
  SELECT * FROM system_audit_partitions_as_of(now())
$$;
"""

# The admin scope needs an active admin of the admin tenant as app.user_id. The lookup runs with
# the flag off (then on again; an error aborts the transaction or savepoint, which undoes it),
# so the users policy it passes through sees only the admin tenant and does not recurse.
_SCOPE = """
CREATE FUNCTION app_admin_scope_user(p_tenant uuid) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE ok boolean;
BEGIN
  PERFORM set_config('app.admin_scope', '', true);
  SELECT EXISTS (SELECT 1 FROM users u
                  WHERE u.id = app_current_user() AND u.tenant_id = p_tenant
                    AND u.role = 'admin' AND u.status = 'active') INTO ok;
  PERFORM set_config('app.admin_scope', 'on', true);
  RETURN ok;
END $$;

CREATE OR REPLACE FUNCTION app_tenant_scope() RETURNS uuid[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
  t uuid := app_current_tenant();
BEGIN
  IF t IS NULL THEN
    RETURN '{}'::uuid[];
  END IF;
  IF coalesce(current_setting('app.admin_scope', true), '') = 'on'
     AND EXISTS (SELECT 1 FROM tenants WHERE id = t AND type = 'admin')
     AND app_admin_scope_user(t) THEN
    RETURN ARRAY(SELECT id FROM tenants WHERE id = t OR managed_by = t);
  END IF;
  RETURN ARRAY[t];
END $$;
"""

_SCOPE_0005 = """
DROP FUNCTION app_admin_scope_user(uuid);
CREATE OR REPLACE FUNCTION app_tenant_scope() RETURNS uuid[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
  t uuid := app_current_tenant();
BEGIN
  IF t IS NULL THEN
    RETURN '{}'::uuid[];
  END IF;
  IF coalesce(current_setting('app.admin_scope', true), '') = 'on'
     AND EXISTS (SELECT 1 FROM tenants WHERE id = t AND type = 'admin') THEN
    RETURN ARRAY(SELECT id FROM tenants WHERE id = t OR managed_by = t);
  END IF;
  RETURN ARRAY[t];
END $$;
"""

# Guards that apply to every role but the owner (whose name is fixed in the function here) and
# superusers (who can lift any trigger anyway; looked up only when a guard would act).
_GUARDS = """
DO $do$
BEGIN
  EXECUTE format($f$
    -- Tenants: identity and hierarchy are the owner's; other edits only inside the admin scope.
    CREATE FUNCTION tenants_guard_update() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    BEGIN
      IF current_user = %1$L OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NEW;
      END IF;
      IF NEW.id IS DISTINCT FROM OLD.id OR NEW.type IS DISTINCT FROM OLD.type
         OR NEW.managed_by IS DISTINCT FROM OLD.managed_by
         OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'a tenant''s id, type, manager and creation time cannot be changed'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF coalesce(current_setting('app.admin_scope', true), '') <> 'on'
         OR NOT (OLD.id = ANY (app_tenant_scope())) THEN
        RAISE EXCEPTION 'tenants are edited only by a studio admin, within the admin scope'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$;

    -- Audit rows written directly: the actor is app.user_id and the time is now().
    CREATE FUNCTION audit_logs_guard_insert() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    BEGIN
      IF current_user = %1$L
         OR (NEW.created_at = now() AND NEW.actor_id IS NOT DISTINCT FROM app_current_user())
         OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NEW;
      END IF;
      IF NEW.created_at IS DISTINCT FROM now() THEN
        RAISE EXCEPTION 'audit rows are dated by the database (created_at must be now())'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      NEW.actor_id := app_current_user();
      RETURN NEW;
    END $$;
  $f$, current_user);
END $do$;
-- BEFORE triggers fire in name order: the guard (…_actor) runs before the chain (…_chain).
CREATE TRIGGER tenants_guard BEFORE UPDATE ON tenants
  FOR EACH ROW EXECUTE FUNCTION tenants_guard_update();
CREATE TRIGGER audit_logs_actor BEFORE INSERT ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION audit_logs_guard_insert();
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(_PERIODS)
    for table, (days, counted_from) in RETENTION.items():
        op.get_bind().execute(
            text("INSERT INTO retention_periods VALUES (:table, :days, :counted_from)"),
            {"table": table, "days": days, "counted_from": counted_from},
        )
    op.execute("ALTER TABLE audit_chain_heads ADD COLUMN anchor_at timestamptz")
    for function in OLD_FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.execute(_CREATE_PARTITION)
    op.execute(_PURGE)
    op.execute(_PARTITIONS)
    for function in (*NEW_FUNCTIONS, *OWNER_ONLY, "retention_days(text)"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION retention_days(text) TO PUBLIC")
    op.execute(f'GRANT SELECT ON retention_periods TO "{role}"')
    op.execute(_SCOPE)
    op.execute(_GUARDS)


def _revision_module(name: str) -> ModuleType:
    """An earlier revision's module (downgrade restores the functions it defined)."""
    path = Path(__file__).with_name(name)
    spec = importlib.util.spec_from_file_location(f"_revision_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_CREATE_PARTITION_0004 = """
CREATE OR REPLACE FUNCTION audit_create_partition(p_month date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  start_ts date := date_trunc('month', p_month)::date;
  part text := format('audit_logs_y%sm%s', to_char(start_ts, 'YYYY'), to_char(start_ts, 'MM'));
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN part;
  END IF;
  EXECUTE format(
    'CREATE TABLE %I PARTITION OF audit_logs FOR VALUES FROM (%L) TO (%L)',
    part, start_ts::timestamp AT TIME ZONE 'UTC',
    (start_ts + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE OR TRUNCATE ON %I '
                 'FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change()',
                 part || '_no_change', part);
  RETURN part;
END $$;
"""


def downgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        """
        DROP TRIGGER audit_logs_actor ON audit_logs;
        DROP TRIGGER tenants_guard ON tenants;
        DROP FUNCTION audit_logs_guard_insert();
        DROP FUNCTION tenants_guard_update();
        """
    )
    op.execute(_SCOPE_0005)
    for function in NEW_FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.execute(_CREATE_PARTITION_0004)
    for function in OWNER_ONLY:
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO PUBLIC")
    sweeps_0008 = _revision_module("0008_jobs_and_webhooks.py")._SWEEP_FUNCTIONS
    op.execute(sweeps_0008[sweeps_0008.index("-- Retention:") :])
    op.execute(_revision_module("0010_compliance.py")._SWEEPS)
    for function in OLD_FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{role}"')
    op.execute("ALTER TABLE audit_chain_heads DROP COLUMN anchor_at")
    op.execute("DROP FUNCTION retention_days(text)")
    op.execute("DROP TABLE retention_periods")
    op.execute("DROP INDEX idx_user_sessions_expires")
    op.execute("DROP INDEX idx_auth_tokens_expires")
