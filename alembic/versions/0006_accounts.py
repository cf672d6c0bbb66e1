"""Accounts: one-time tokens (magic link, password reset, invite), sign-in throttling, mail outbox.

auth_tokens is tenant-owned (RLS forced) and stores only SHA-256 of each token; a SECURITY
DEFINER lookup finds a token's tenant by its hash, like the session lookup in 0005. Consumption is
a single `UPDATE ... WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
RETURNING` in the tenant's context, so a token works exactly once.

Revision ID: 0006
Revises: 0005
"""

from alembic import op
from portal.settings import get_settings

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        """
        CREATE TABLE auth_tokens (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL,
          user_id uuid NOT NULL,
          purpose text NOT NULL CHECK (purpose IN ('magic_link', 'password_reset', 'invite')),
          token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          used_at timestamptz,
          revoked_at timestamptz,
          CONSTRAINT uq_auth_tokens_token_hash UNIQUE (token_hash),
          CONSTRAINT fk_auth_tokens_user FOREIGN KEY (user_id, tenant_id)
            REFERENCES users (id, tenant_id) ON DELETE CASCADE
        );
        CREATE INDEX idx_auth_tokens_user ON auth_tokens (user_id, purpose, created_at DESC);
        ALTER TABLE auth_tokens ENABLE ROW LEVEL SECURITY;
        ALTER TABLE auth_tokens FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON auth_tokens
          USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))
          WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]));
        DO $$
        BEGIN
          EXECUTE format(
            'CREATE POLICY auth_lookup ON auth_tokens FOR SELECT USING ('
            'current_user = %L AND current_setting(''app.auth_lookup'', true) = ''on'')',
            current_user);
        END $$;

        -- Which tenant and user a one-time token belongs to (valid or not: callers report why).
        CREATE FUNCTION auth_token_lookup(p_token_hash text, p_purpose text)
        RETURNS TABLE (token_id uuid, tenant_id uuid, user_id uuid, email text, name text,
                       user_status text, tenant_name text, expires_at timestamptz,
                       used_at timestamptz, revoked_at timestamptz)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        #variable_conflict use_column
        BEGIN
          PERFORM set_config('app.auth_lookup', 'on', true);
          RETURN QUERY
            SELECT a.id, a.tenant_id, a.user_id, u.email, u.name, u.status, t.name,
                   a.expires_at, a.used_at, a.revoked_at
              FROM auth_tokens a
              JOIN users u ON u.id = a.user_id AND u.tenant_id = a.tenant_id
              JOIN tenants t ON t.id = a.tenant_id
             WHERE a.token_hash = p_token_hash AND a.purpose = p_purpose;
          PERFORM set_config('app.auth_lookup', '', true);
        END $$;

        -- Sign-in attempts, keyed by SHA-256 of the account email or of the client address.
        CREATE TABLE login_attempts (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          kind text NOT NULL CHECK (kind IN ('login', 'magic_link', 'password_reset')),
          key_hash text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
          scope text NOT NULL CHECK (scope IN ('account', 'ip')),
          succeeded boolean NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX idx_login_attempts_key ON login_attempts (key_hash, created_at DESC)
          WHERE NOT succeeded;

        -- Emails kept locally when Resend is not configured (the dev mailbox page shows them).
        CREATE TABLE mail_outbox (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
          to_address text NOT NULL,
          subject text NOT NULL,
          text_body text NOT NULL,
          html_body text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX idx_mail_outbox_created ON mail_outbox (created_at DESC);
        """
    )
    op.execute("REVOKE ALL ON FUNCTION auth_token_lookup(text, text) FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION auth_token_lookup(text, text) TO "{role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON auth_tokens TO "{role}"')
    op.execute(f'GRANT SELECT, INSERT, DELETE ON login_attempts TO "{role}"')
    op.execute(f'GRANT SELECT, INSERT, DELETE ON mail_outbox TO "{role}"')


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE mail_outbox;
        DROP TABLE login_attempts;
        DROP FUNCTION auth_token_lookup(text, text);
        DROP TABLE auth_tokens;
        """
    )
