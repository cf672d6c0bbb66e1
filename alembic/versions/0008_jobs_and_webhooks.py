"""Jobs and webhooks: procrastinate's schema, webhook retry columns, email delivery columns,
and the narrow SECURITY DEFINER functions system jobs use to work across tenants.

- procrastinate's own schema (tables, types, functions named `procrastinate_*`) is applied from
  the installed, pinned package (`procrastinate/sql/schema.sql`); a later procrastinate upgrade
  needs a revision applying its `sql/migrations/` files.
- webhook_events: `next_attempt_at` (backoff) and status `ignored` (stored, nothing to do).
- notifications: `email_message_id` (Resend's email id), `email_status`; users: `email_bounced_at`.
- Cross-tenant work without a bypass role: `webhook_asset_lookup` / `webhook_notification_lookup`
  return only the ids and tenant of one row (a SELECT policy honours their flag only for the
  owning role, as in 0005); `system_expire_share_links`, `system_purge_retention` and
  `system_audit_partitions` visit tenants one at a time through the ordinary tenant policy.
  All are executable by the runtime role only.

Revision ID: 0008
Revises: 0007
"""

from importlib.resources import files

from alembic import op
from portal.settings import get_settings

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SYSTEM_FUNCTIONS = (
    "webhook_asset_lookup(uuid, text)",
    "webhook_notification_lookup(text)",
    "system_expire_share_links()",
    "system_purge_retention(integer, integer)",
    "system_audit_partitions(integer, integer)",
)
LOOKUP_POLICIES = {"assets": "webhook_lookup", "notifications": "webhook_lookup"}
WEBHOOK_STATUSES = "'received', 'processing', 'processed', 'failed', 'dead'"


def _procrastinate_schema() -> str:
    return files("procrastinate").joinpath("sql/schema.sql").read_text()


def upgrade() -> None:
    role = get_settings().app_db_role
    # Straight to the driver, no parameters: the schema's `%`, `:=` and `::` reach the server.
    with op.get_bind().connection.dbapi_connection.cursor() as cursor:
        cursor.execute(_procrastinate_schema())
    op.execute(
        f"""
        GRANT SELECT, INSERT, UPDATE, DELETE ON procrastinate_jobs, procrastinate_events,
          procrastinate_periodic_defers, procrastinate_workers TO "{role}";
        GRANT USAGE, SELECT, UPDATE ON SEQUENCE procrastinate_jobs_id_seq,
          procrastinate_events_id_seq, procrastinate_periodic_defers_id_seq,
          procrastinate_workers_id_seq TO "{role}";

        ALTER TABLE webhook_events ADD COLUMN next_attempt_at timestamptz;
        ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_status_check;
        ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_status_check
          CHECK (status IN ({WEBHOOK_STATUSES}, 'ignored'));
        CREATE INDEX idx_webhook_events_due ON webhook_events (next_attempt_at)
          WHERE status IN ('received', 'failed');

        ALTER TABLE notifications ADD COLUMN email_message_id text
          CHECK (length(email_message_id) BETWEEN 1 AND 255);
        ALTER TABLE notifications ADD COLUMN email_status text
          CHECK (email_status IN ('sent', 'delivered', 'bounced', 'complained'));
        CREATE UNIQUE INDEX uq_notifications_email_message ON notifications (email_message_id)
          WHERE email_message_id IS NOT NULL;
        ALTER TABLE users ADD COLUMN email_bounced_at timestamptz;
        CREATE INDEX idx_assets_mux_asset_id ON assets (mux_asset_id)
          WHERE mux_asset_id IS NOT NULL;
        """
    )
    for table, policy in LOOKUP_POLICIES.items():
        op.execute(
            f"""
            DO $$
            BEGIN
              EXECUTE format(
                'CREATE POLICY {policy} ON {table} FOR SELECT USING ('
                'current_user = %L AND current_setting(''app.webhook_lookup'', true) = ''on'')',
                current_user);
            END $$;
            """
        )
    op.execute(_LOOKUP_FUNCTIONS)
    op.execute(_SWEEP_FUNCTIONS)
    for function in SYSTEM_FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{role}"')


_LOOKUP_FUNCTIONS = """
-- The asset a Mux event is about (by our id, sent as passthrough, or by Mux's asset id).
CREATE FUNCTION webhook_asset_lookup(p_asset_id uuid, p_mux_asset_id text)
RETURNS TABLE (asset_id uuid, tenant_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.webhook_lookup', 'on', true);
  RETURN QUERY
    SELECT a.id, a.tenant_id FROM assets a
     WHERE (p_asset_id IS NOT NULL AND a.id = p_asset_id)
        OR (p_mux_asset_id IS NOT NULL AND a.mux_asset_id = p_mux_asset_id)
     ORDER BY (a.id = p_asset_id) DESC NULLS LAST
     LIMIT 1;
  PERFORM set_config('app.webhook_lookup', '', true);
END $$;

-- The notification a Resend event is about (by Resend's email id).
CREATE FUNCTION webhook_notification_lookup(p_email_id text)
RETURNS TABLE (notification_id uuid, tenant_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.webhook_lookup', 'on', true);
  RETURN QUERY
    SELECT n.id, n.tenant_id FROM notifications n WHERE n.email_message_id = p_email_id;
  PERFORM set_config('app.webhook_lookup', '', true);
END $$;
"""

_SWEEP_FUNCTIONS = """
-- Share-link expiry over every tenant, one tenant context at a time (audit rows stay scoped).
CREATE FUNCTION system_expire_share_links() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE t uuid; n integer := 0; saved text := current_setting('app.tenant_id', true);
BEGIN
  PERFORM set_config('app.admin_scope', '', true);
  FOR t IN SELECT id FROM tenants ORDER BY id LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    n := n + expire_share_links();
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
  RETURN n;
END $$;

-- Retention: share links `p_link_days` after expiry, notifications after `p_notification_days`.
CREATE FUNCTION system_purge_retention(p_link_days integer, p_notification_days integer)
RETURNS TABLE (share_links integer, notifications integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE t uuid; k integer; saved text := current_setting('app.tenant_id', true);
BEGIN
  share_links := 0; notifications := 0;
  PERFORM set_config('app.admin_scope', '', true);
  FOR t IN SELECT id FROM tenants ORDER BY id LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    DELETE FROM share_links s
     WHERE s.expires_at < now() - make_interval(days => p_link_days);
    GET DIAGNOSTICS k = ROW_COUNT; share_links := share_links + k;
    DELETE FROM notifications x
     WHERE x.created_at < now() - make_interval(days => p_notification_days);
    GET DIAGNOSTICS k = ROW_COUNT; notifications := notifications + k;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
  RETURN NEXT;
END $$;

-- Audit partitions: create `p_months_ahead` months ahead; detach and drop monthly partitions
-- whose whole month is older than `p_retention_days` (rows are never deleted one by one).
CREATE FUNCTION system_audit_partitions(p_months_ahead integer, p_retention_days integer)
RETURNS TABLE (created text[], dropped text[])
-- public first: the partitions it creates belong there (only the owner can create in it).
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog, pg_temp AS $$
DECLARE part text; month_start date;
BEGIN
  created := ARRAY(SELECT audit_ensure_partitions(p_months_ahead));
  dropped := '{}';
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'public.audit_logs'::regclass
       AND c.relname ~ '^audit_logs_y[0-9]{4}m[0-9]{2}$'
     ORDER BY c.relname
  LOOP
    month_start := to_date(substr(part, 13, 4) || substr(part, 18, 2), 'YYYYMM');
    IF (month_start + interval '1 month') < now() - make_interval(days => p_retention_days) THEN
      EXECUTE format('ALTER TABLE audit_logs DETACH PARTITION %I', part);
      EXECUTE format('DROP TABLE %I', part);
      dropped := dropped || part;
    END IF;
  END LOOP;
  RETURN NEXT;
END $$;
"""


def downgrade() -> None:
    for function in SYSTEM_FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    for table, policy in LOOKUP_POLICIES.items():
        op.execute(f"DROP POLICY {policy} ON {table}")
    op.execute(
        f"""
        DROP INDEX idx_assets_mux_asset_id;
        ALTER TABLE users DROP COLUMN email_bounced_at;
        DROP INDEX uq_notifications_email_message;
        ALTER TABLE notifications DROP COLUMN email_status, DROP COLUMN email_message_id;
        UPDATE webhook_events SET status = 'processed' WHERE status = 'ignored';
        ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_status_check;
        ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_status_check
          CHECK (status IN ({WEBHOOK_STATUSES}));
        DROP INDEX idx_webhook_events_due;
        ALTER TABLE webhook_events DROP COLUMN next_attempt_at;
        """
    )
    # Everything procrastinate's schema created is named procrastinate_*.
    op.execute(
        """
        DROP TABLE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
          procrastinate_workers CASCADE;
        DO $$
        DECLARE f regprocedure;
        BEGIN
          FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
                    WHERE p.pronamespace = 'public'::regnamespace
                      AND p.proname LIKE 'procrastinate\\_%'
          LOOP
            EXECUTE format('DROP FUNCTION %s', f);
          END LOOP;
        END $$;
        DROP TYPE procrastinate_job_to_defer_v1, procrastinate_job_event_type,
          procrastinate_job_status;
        """
    )
