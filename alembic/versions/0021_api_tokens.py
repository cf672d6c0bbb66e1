"""Personal access tokens for the REST API (/api/v1), their rate counters and idempotency keys.

- `api_tokens`: tenant-owned, RLS enabled and forced (one tenant policy, like auth_tokens), only
  SHA-256 of each token stored. Audited on insert, delete and changes of name, scopes, expiry or
  revocation (not on `last_used_at`, written at most once a minute while the token is used);
  the hash never reaches the audit log.
- `api_token_check(hash, touch, limit)`: the one statement each API call runs before anything
  else (SECURITY DEFINER, like `auth_session_check` in 0019): the live token's user (token not
  revoked or expired, user active and not a guest, tenant active), its scopes, `last_used_at`
  moved when more than a minute old (in the token's tenant context), and the call counted in
  the token's fixed one-minute window (`api_rate_counters`, one row per token, an atomic
  upsert: correct under any concurrency). `calls` over `limit` means 429.
- `api_idempotency_keys`: a create's stored answer per (token, key), RLS forced; claimed by an
  INSERT in the create's own transaction, so two concurrent requests with one key make one row.

Revision ID: 0021
Revises: 0020
"""

from alembic import op
from portal.settings import get_settings

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

FAMILIES = ("projects", "reviews", "sharing", "notifications", "admin")
SCOPES = ", ".join(f"'{f}:{a}'" for f in FAMILIES for a in ("read", "write"))
CHECK_FUNCTION = "api_token_check(text, boolean, integer)"

_TABLES = f"""
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{{64}}$'),
  prefix text NOT NULL CHECK (length(prefix) BETWEEN 4 AND 16),
  scopes text[] NOT NULL CHECK (scopes <@ ARRAY[{SCOPES}]::text[]),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid,
  CONSTRAINT uq_api_tokens_token_hash UNIQUE (token_hash),
  CONSTRAINT fk_api_tokens_user FOREIGN KEY (user_id, tenant_id)
    REFERENCES users (id, tenant_id) ON DELETE CASCADE
);
CREATE INDEX idx_api_tokens_tenant_user ON api_tokens (tenant_id, user_id, created_at DESC);
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_tokens
  USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))
  WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]));
DO $$
BEGIN
  EXECUTE format(
    'CREATE POLICY auth_lookup ON api_tokens FOR SELECT USING ('
    'current_user = %L AND current_setting(''app.auth_lookup'', true) = ''on'')',
    current_user);
END $$;
CREATE TRIGGER api_tokens_audit
  AFTER INSERT OR DELETE OR UPDATE OF name, scopes, expires_at, revoked_at ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION audit_row_change('token_hash');

-- Written only by api_token_check (SECURITY DEFINER); the runtime role has no privilege on it.
CREATE TABLE api_rate_counters (
  token_id uuid PRIMARY KEY REFERENCES api_tokens (id) ON DELETE CASCADE,
  window_start timestamptz NOT NULL,
  calls integer NOT NULL
);

CREATE TABLE api_idempotency_keys (
  tenant_id uuid NOT NULL,
  token_id uuid NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  request_hash text NOT NULL,
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (token_id, key)
);
ALTER TABLE api_idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_idempotency_keys
  USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))
  WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]));
"""

_CHECK = """
CREATE FUNCTION api_token_check(p_token_hash text, p_touch boolean, p_limit integer)
RETURNS TABLE (token_id uuid, user_id uuid, tenant_id uuid, role text, name text,
               email text, tenant_name text, tenant_type text, scopes text[],
               calls integer, retry_after integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE
  r record;
  live boolean;
  saved text := current_setting('app.tenant_id', true);
  v_window timestamptz := to_timestamp(floor(extract(epoch FROM now()) / 60) * 60);
  v_calls integer;
BEGIN
  PERFORM set_config('app.auth_lookup', 'on', true);
  SELECT a.id AS tid_, u.id AS uid, u.tenant_id AS ten, u.role AS urole, u.name AS uname,
         u.email AS uemail, t.name AS tname, t.type AS ttype, a.scopes AS sc,
         a.last_used_at AS used
    INTO r
    FROM api_tokens a
    JOIN users u ON u.id = a.user_id AND u.tenant_id = a.tenant_id
    JOIN tenants t ON t.id = u.tenant_id
   WHERE a.token_hash = p_token_hash
     AND a.revoked_at IS NULL
     AND (a.expires_at IS NULL OR a.expires_at > now())
     AND u.status = 'active' AND u.role <> 'guest'
     AND t.status = 'active';
  live := FOUND;
  PERFORM set_config('app.auth_lookup', '', true);
  IF NOT live THEN
    RETURN;
  END IF;
  IF p_touch AND (r.used IS NULL OR r.used < now() - interval '1 minute') THEN
    PERFORM set_config('app.tenant_id', r.ten::text, true);
    UPDATE api_tokens a SET last_used_at = now() WHERE a.id = r.tid_;
    PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
  END IF;
  INSERT INTO api_rate_counters AS c (token_id, window_start, calls)
  VALUES (r.tid_, v_window, 1)
  ON CONFLICT ON CONSTRAINT api_rate_counters_pkey DO UPDATE
    SET calls = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.calls + 1 ELSE 1 END,
        window_start = EXCLUDED.window_start
  RETURNING c.calls INTO v_calls;
  token_id := r.tid_; user_id := r.uid; tenant_id := r.ten; role := r.urole;
  name := r.uname; email := r.uemail; tenant_name := r.tname; tenant_type := r.ttype;
  scopes := r.sc; calls := v_calls;
  retry_after := CASE WHEN v_calls > p_limit
    THEN greatest(1, ceil(extract(epoch FROM v_window + interval '1 minute' - now())))::integer
    ELSE 0 END;
  RETURN NEXT;
END $$;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(_TABLES)
    op.execute(_CHECK)
    op.execute(f"REVOKE ALL ON FUNCTION {CHECK_FUNCTION} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {CHECK_FUNCTION} TO "{role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON api_tokens TO "{role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON api_idempotency_keys TO "{role}"')


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {CHECK_FUNCTION}")
    op.execute("DROP TABLE api_idempotency_keys")
    op.execute("DROP TABLE api_rate_counters")
    op.execute("DROP TABLE api_tokens")
