"""Compliance: a per-tenant hash chain on audit_logs, and retention sweeps with an explicit clock.

- audit_logs gains `chain_seq`, `prev_hash` and `row_hash`. A BEFORE INSERT trigger links each
  row to its tenant's previous one: `row_hash = sha256(prev_hash || canonical content)`, where the
  canonical content is the JSONB text of an array of the row's fields (JSONB text is
  deterministic). The tenant's head lives in `audit_chain_heads`; the trigger takes that row's lock
  (UPDATE ... RETURNING), so concurrent writers queue per tenant and the chain cannot fork.
- Retention drops whole monthly partitions; before dropping one, the last link of each tenant in it
  is kept as the chain's *anchor* (`anchor_seq`, `anchor_hash`), so the verifier still checks that
  the first remaining row follows on.
- Rows written before this revision are chained once here (triggers and forced RLS are lifted for
  the backfill only, inside the migration's transaction).
- `system_purge_retention(now, ...)` and `system_audit_partitions(now, ...)` take the clock as an
  argument (the job passes its tick), so tests run them against a controllable clock.

Revision ID: 0010
Revises: 0009
"""

from alembic import op
from portal.settings import get_settings

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
SYSTEM_FUNCTIONS = (
    "system_purge_retention(timestamptz, integer, integer)",
    "system_audit_partitions(timestamptz, integer, integer)",
)

_CHAIN = f"""
CREATE TABLE audit_chain_heads (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
  seq bigint NOT NULL DEFAULT 0,
  head_hash text NOT NULL DEFAULT '{GENESIS}',
  -- The last link dropped by retention: the first remaining row must follow it.
  anchor_seq bigint NOT NULL DEFAULT 0,
  anchor_hash text NOT NULL DEFAULT '{GENESIS}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The link hash of one audit row: sha256 of the previous hash and the row's canonical text.
CREATE FUNCTION audit_chain_hash(p_prev text, p_seq bigint, p_id uuid, p_tenant uuid,
  p_actor uuid, p_action text, p_entity_type text, p_entity_id uuid, p_before jsonb,
  p_after jsonb, p_created_at timestamptz) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
  SELECT encode(sha256(convert_to(p_prev || jsonb_build_array(
    p_seq, p_id, p_tenant, p_actor, p_action, p_entity_type, p_entity_id,
    to_char(p_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    p_before, p_after)::text, 'UTF8')), 'hex')
$$;

-- Link a new audit row to its tenant's chain; the head row's lock serialises writers per tenant.
CREATE FUNCTION audit_chain_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE v_seq bigint; v_prev text;
BEGIN
  LOOP
    UPDATE audit_chain_heads SET seq = seq + 1, updated_at = now()
     WHERE tenant_id = NEW.tenant_id RETURNING seq, head_hash INTO v_seq, v_prev;
    EXIT WHEN FOUND;
    INSERT INTO audit_chain_heads (tenant_id) VALUES (NEW.tenant_id)
      ON CONFLICT (tenant_id) DO NOTHING;
  END LOOP;
  NEW.chain_seq := v_seq;
  NEW.prev_hash := v_prev;
  NEW.row_hash := audit_chain_hash(v_prev, v_seq, NEW.id, NEW.tenant_id, NEW.actor_id,
    NEW.action, NEW.entity_type, NEW.entity_id, NEW.before, NEW.after, NEW.created_at);
  UPDATE audit_chain_heads SET head_hash = NEW.row_hash WHERE tenant_id = NEW.tenant_id;
  RETURN NEW;
END $$;
"""

# Chain the rows that exist already, per tenant in (created_at, id) order.
_BACKFILL = f"""
DO $$
DECLARE r record; v_tenant uuid; v_seq bigint := 0; v_prev text := '{GENESIS}'; v_hash text;
BEGIN
  FOR r IN SELECT * FROM audit_logs ORDER BY tenant_id, created_at, id LOOP
    IF v_tenant IS DISTINCT FROM r.tenant_id THEN
      v_tenant := r.tenant_id; v_seq := 0; v_prev := '{GENESIS}';
    END IF;
    v_seq := v_seq + 1;
    v_hash := audit_chain_hash(v_prev, v_seq, r.id, r.tenant_id, r.actor_id, r.action,
      r.entity_type, r.entity_id, r.before, r.after, r.created_at);
    UPDATE audit_logs SET chain_seq = v_seq, prev_hash = v_prev, row_hash = v_hash
     WHERE id = r.id AND created_at = r.created_at;
    INSERT INTO audit_chain_heads (tenant_id, seq, head_hash) VALUES (v_tenant, v_seq, v_hash)
      ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, head_hash = excluded.head_hash;
    v_prev := v_hash;
  END LOOP;
END $$;
"""

_SWEEPS = """
-- Retention as of `p_now`: share links `p_link_days` after expiry, notifications after
-- `p_notification_days`; one tenant context at a time (audit rows they cause stay scoped).
CREATE FUNCTION system_purge_retention(p_now timestamptz, p_link_days integer,
  p_notification_days integer) RETURNS TABLE (share_links integer, notifications integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE t uuid; k integer; saved text := current_setting('app.tenant_id', true);
BEGIN
  share_links := 0; notifications := 0;
  PERFORM set_config('app.admin_scope', '', true);
  FOR t IN SELECT id FROM tenants ORDER BY id LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    DELETE FROM share_links s WHERE s.expires_at < p_now - make_interval(days => p_link_days);
    GET DIAGNOSTICS k = ROW_COUNT; share_links := share_links + k;
    DELETE FROM notifications x
     WHERE x.created_at < p_now - make_interval(days => p_notification_days);
    GET DIAGNOSTICS k = ROW_COUNT; notifications := notifications + k;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
  RETURN NEXT;
END $$;

-- Audit partitions as of `p_now`: create months ahead; for each monthly partition whose whole
-- month ended more than `p_retention_days` before `p_now`, keep each tenant's last link in it as
-- the chain anchor, then detach and drop it (rows are never deleted one by one).
CREATE FUNCTION system_audit_partitions(p_now timestamptz, p_months_ahead integer,
  p_retention_days integer) RETURNS TABLE (created text[], dropped text[])
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog, pg_temp AS $$
DECLARE part text; month_start date;
BEGIN
  created := ARRAY(
    SELECT audit_create_partition((date_trunc('month', p_now AT TIME ZONE 'UTC')
                                   + make_interval(months => m))::date)
      FROM generate_series(0, p_months_ahead) AS m);
  dropped := '{}';
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'public.audit_logs'::regclass
       AND c.relname ~ '^audit_logs_y[0-9]{4}m[0-9]{2}$'
     ORDER BY c.relname
  LOOP
    month_start := to_date(substr(part, 13, 4) || substr(part, 18, 2), 'YYYYMM');
    IF (month_start + interval '1 month') < p_now - make_interval(days => p_retention_days) THEN
      EXECUTE format(
        'INSERT INTO audit_chain_heads AS h (tenant_id, seq, head_hash, anchor_seq, anchor_hash)
         SELECT DISTINCT ON (tenant_id) tenant_id, chain_seq, row_hash, chain_seq, row_hash
           FROM %I ORDER BY tenant_id, chain_seq DESC
         ON CONFLICT (tenant_id) DO UPDATE
           SET anchor_seq = excluded.anchor_seq, anchor_hash = excluded.anchor_hash
         WHERE h.anchor_seq < excluded.anchor_seq', part);
      EXECUTE format('ALTER TABLE audit_logs DETACH PARTITION %I', part);
      EXECUTE format('DROP TABLE %I', part);
      dropped := dropped || part;
    END IF;
  END LOOP;
  RETURN NEXT;
END $$;
"""


def _with_audit_guards_lifted(sql: str) -> str:
    """`sql` run with forced RLS and the append-only triggers lifted (this transaction only)."""
    return f"""
    ALTER TABLE audit_logs NO FORCE ROW LEVEL SECURITY;
    ALTER TABLE audit_logs DISABLE ROW LEVEL SECURITY;
    DO $$ DECLARE r regclass;
    BEGIN
      FOR r IN SELECT 'audit_logs'::regclass UNION ALL
               SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_logs'::regclass
      LOOP EXECUTE format('ALTER TABLE %s DISABLE TRIGGER USER', r); END LOOP;
    END $$;
    {sql}
    DO $$ DECLARE r regclass;
    BEGIN
      FOR r IN SELECT 'audit_logs'::regclass UNION ALL
               SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_logs'::regclass
      LOOP EXECUTE format('ALTER TABLE %s ENABLE TRIGGER USER', r); END LOOP;
    END $$;
    ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
    ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
    """


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        "ALTER TABLE audit_logs ADD COLUMN chain_seq bigint, ADD COLUMN prev_hash text, "
        "ADD COLUMN row_hash text"
    )
    op.execute(_CHAIN)
    op.execute(_with_audit_guards_lifted(_BACKFILL))
    op.execute(
        f"""
        ALTER TABLE audit_logs ALTER COLUMN chain_seq SET NOT NULL,
          ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN row_hash SET NOT NULL;
        CREATE TRIGGER audit_logs_chain BEFORE INSERT ON audit_logs
          FOR EACH ROW EXECUTE FUNCTION audit_chain_link();
        CREATE INDEX idx_audit_logs_tenant_chain ON audit_logs (tenant_id, chain_seq);
        CREATE INDEX idx_audit_logs_actor ON audit_logs (actor_id, created_at DESC);
        REVOKE ALL ON FUNCTION audit_chain_link() FROM PUBLIC;
        GRANT SELECT ON audit_chain_heads TO "{role}";
        """
    )
    op.execute(_SWEEPS)
    for function in SYSTEM_FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{role}"')


def downgrade() -> None:
    for function in SYSTEM_FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.execute(
        """
        DROP INDEX idx_audit_logs_actor;
        DROP INDEX idx_audit_logs_tenant_chain;
        DROP TRIGGER audit_logs_chain ON audit_logs;
        DROP FUNCTION audit_chain_link();
        DROP FUNCTION audit_chain_hash(text, bigint, uuid, uuid, uuid, text, text, uuid, jsonb,
          jsonb, timestamptz);
        DROP TABLE audit_chain_heads;
        ALTER TABLE audit_logs DROP COLUMN row_hash, DROP COLUMN prev_hash,
          DROP COLUMN chain_seq;
        """
    )
