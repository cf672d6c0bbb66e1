"""audit_logs: monthly partitions, append-only, written by triggers on key tables.

The seed's primary key omitted created_at; a partitioned table's key must include the partition
column, so the key is (id, created_at). A DEFAULT partition catches rows if a month's partition
was not created ahead (the partition job creates them; `audit_ensure_partitions` does the work).
UPDATE, DELETE and TRUNCATE are refused by triggers, for the owner too.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AUDITED = {
    "projects": "",
    "tasks": "",
    "assets": "",
    # Secrets (even hashed) stay out of the log; the log says whether a passcode is set.
    "share_links": "'hashed_token', 'passcode_hash'",
}


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE audit_logs (
          id uuid NOT NULL DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          actor_id uuid,
          action text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
          entity_type text NOT NULL,
          entity_id uuid NOT NULL,
          before jsonb,
          after jsonb,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (id, created_at)
        ) PARTITION BY RANGE (created_at);
        CREATE INDEX idx_audit_logs_entity_type ON audit_logs (entity_type);
        CREATE INDEX idx_audit_logs_entity_id ON audit_logs (entity_id);
        CREATE INDEX idx_audit_logs_tenant_created ON audit_logs (tenant_id, created_at DESC);

        CREATE FUNCTION audit_logs_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_logs is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER audit_logs_no_update_delete BEFORE UPDATE OR DELETE ON audit_logs
          FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change();
        -- Statement level too: refused even when RLS leaves no row for a row trigger to see.
        CREATE TRIGGER audit_logs_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_logs
          FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change();

        -- Create a partition of audit_logs for `p_month` (any day in it); no-op if it exists.
        CREATE FUNCTION audit_create_partition(p_month date) RETURNS text
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

        -- Ensure partitions exist from this month through `p_months_ahead` months ahead.
        CREATE FUNCTION audit_ensure_partitions(p_months_ahead integer DEFAULT 1)
        RETURNS SETOF text LANGUAGE sql AS $$
          SELECT audit_create_partition((date_trunc('month', now() AT TIME ZONE 'UTC')
                                         + make_interval(months => m))::date)
          FROM generate_series(0, p_months_ahead) AS m
        $$;

        CREATE TABLE audit_logs_default PARTITION OF audit_logs DEFAULT;
        CREATE TRIGGER audit_logs_default_no_change
          BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_logs_default
          FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change();
        SELECT audit_ensure_partitions(1);

        -- One audit row per change; actor from app.user_id; TG_ARGV lists keys kept out of the log.
        CREATE FUNCTION audit_row_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
          v_before jsonb;
          v_after jsonb;
          v_tenant uuid;
          v_id uuid;
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            v_before := to_jsonb(OLD) - coalesce(TG_ARGV, '{}'::text[]);
            v_tenant := OLD.tenant_id;
            v_id := OLD.id;
          END IF;
          IF TG_OP IN ('INSERT', 'UPDATE') THEN
            v_after := to_jsonb(NEW) - coalesce(TG_ARGV, '{}'::text[]);
            v_tenant := NEW.tenant_id;
            v_id := NEW.id;
          END IF;
          IF TG_TABLE_NAME = 'share_links' THEN
            IF v_before IS NOT NULL THEN
              v_before := v_before || jsonb_build_object('passcode_set', OLD.passcode_hash IS NOT NULL);
            END IF;
            IF v_after IS NOT NULL THEN
              v_after := v_after || jsonb_build_object('passcode_set', NEW.passcode_hash IS NOT NULL);
            END IF;
          END IF;
          INSERT INTO audit_logs (tenant_id, actor_id, action, entity_type, entity_id, before, after)
          VALUES (v_tenant, app_current_user(), lower(TG_OP), TG_TABLE_NAME, v_id, v_before, v_after);
          RETURN NULL;
        END $$;
        """
    )
    for table, hidden in AUDITED.items():
        args = hidden or ""
        op.execute(
            f"CREATE TRIGGER {table}_audit AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_row_change({args})"
        )


def downgrade() -> None:
    for table in AUDITED:
        op.execute(f"DROP TRIGGER {table}_audit ON {table}")
    op.execute(
        """
        DROP FUNCTION audit_row_change();
        DROP TABLE audit_logs;
        DROP FUNCTION audit_ensure_partitions(integer);
        DROP FUNCTION audit_create_partition(date);
        DROP FUNCTION audit_logs_refuse_change();
        """
    )
