"""Row-level security (enabled and forced), grants to the runtime role, auth lookups.

Policies compare tenant_id with `app_tenant_scope()`: `{app.tenant_id}` alone, nothing when it is
unset (fail closed), and with `app.admin_scope = 'on'` in the admin tenant, that tenant plus the
agency tenants it manages. Sign-in happens before a tenant is known, so two narrow SECURITY
DEFINER functions look up a login email or a session-token hash; they switch on a
transaction-local flag for their own query (and off again), which a policy honours only for the
owning role, i.e. only inside them: the runtime role gains nothing by setting the flag itself.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
from portal.settings import get_settings

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RLS_TABLES = (
    "users",
    "projects",
    "milestones",
    "tasks",
    "assets",
    "share_links",
    "comments",
    "notifications",
    "audit_logs",
    "user_sessions",
)
READ_WRITE = (
    "users",
    "user_sessions",
    "projects",
    "milestones",
    "tasks",
    "assets",
    "share_links",
    "comments",
    "notifications",
)
GRANTS = {
    "tenants": "SELECT, INSERT, UPDATE",
    "audit_logs": "SELECT, INSERT",
    "residency_evidence": "SELECT, INSERT",
    "webhook_events": "SELECT, INSERT, UPDATE",
    "job_runs": "SELECT, INSERT, UPDATE",
    **dict.fromkeys(READ_WRITE, "SELECT, INSERT, UPDATE, DELETE"),
}
AUTH_FUNCTIONS = ("auth_login_lookup(text)", "auth_session_lookup(text, integer)")


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        """
        CREATE FUNCTION app_tenant_scope() RETURNS uuid[]
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
    )
    for table in RLS_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        if table == "audit_logs":
            # Append-only: read and insert within scope; nothing else is granted or allowed.
            op.execute(
                "CREATE POLICY tenant_read ON audit_logs FOR SELECT "
                "USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))"
            )
            op.execute(
                "CREATE POLICY tenant_insert ON audit_logs FOR INSERT "
                "WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))"
            )
        else:
            op.execute(
                f"CREATE POLICY tenant_isolation ON {table} "
                "USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[])) "
                "WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))"
            )
    for table in ("users", "user_sessions"):
        op.execute(
            f"""
            DO $$
            BEGIN
              EXECUTE format(
                'CREATE POLICY auth_lookup ON {table} FOR SELECT USING ('
                'current_user = %L AND current_setting(''app.auth_lookup'', true) = ''on'')',
                current_user);
            END $$;
            """
        )
    op.execute(
        """
        CREATE FUNCTION auth_login_lookup(p_email text)
        RETURNS TABLE (user_id uuid, tenant_id uuid, role text, status text, password_hash text,
                       tenant_status text)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        #variable_conflict use_column
        BEGIN
          PERFORM set_config('app.auth_lookup', 'on', true);
          RETURN QUERY
            SELECT u.id, u.tenant_id, u.role, u.status, u.password_hash, t.status
              FROM users u JOIN tenants t ON t.id = u.tenant_id
             WHERE lower(u.email) = lower(btrim(p_email)) AND u.role <> 'guest';
          PERFORM set_config('app.auth_lookup', '', true);
        END $$;

        -- A live session: not revoked, within absolute and idle expiry, user and tenant active.
        CREATE FUNCTION auth_session_lookup(p_token_hash text, p_idle_minutes integer)
        RETURNS TABLE (session_id uuid, user_id uuid, tenant_id uuid, role text, name text,
                       email text, tenant_name text, tenant_type text, expires_at timestamptz)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        #variable_conflict use_column
        BEGIN
          PERFORM set_config('app.auth_lookup', 'on', true);
          RETURN QUERY
          SELECT s.id, u.id, u.tenant_id, u.role, u.name, u.email, t.name, t.type, s.expires_at
            FROM user_sessions s
            JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id
            JOIN tenants t ON t.id = u.tenant_id
           WHERE s.token_hash = p_token_hash
             AND s.revoked_at IS NULL
             AND s.expires_at > now()
             AND s.last_seen_at > now() - make_interval(mins => p_idle_minutes)
             AND u.status = 'active' AND u.role <> 'guest'
             AND t.status = 'active';
          PERFORM set_config('app.auth_lookup', '', true);
        END $$;
        """
    )
    for function in AUTH_FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{role}"')
    for table, privileges in GRANTS.items():
        op.execute(f'GRANT {privileges} ON {table} TO "{role}"')


def downgrade() -> None:
    role = get_settings().app_db_role
    for table in GRANTS:
        op.execute(f'REVOKE ALL ON {table} FROM "{role}"')
    for function in AUTH_FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    for table in ("users", "user_sessions"):
        op.execute(f"DROP POLICY auth_lookup ON {table}")
    for table in RLS_TABLES:
        if table == "audit_logs":
            op.execute("DROP POLICY tenant_insert ON audit_logs")
            op.execute("DROP POLICY tenant_read ON audit_logs")
        else:
            op.execute(f"DROP POLICY tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION app_tenant_scope()")
