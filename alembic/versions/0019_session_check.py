"""The per-event session check in one statement: `auth_session_check(hash, idle, touch)`.

Issue 18: a Reflex event checked its session with two transactions (the 0005 lookup, then a
`last_seen_at` UPDATE in the session's tenant context) and a page load added two more for the
tenant's branding. This function answers the same question as `auth_session_lookup` — a live
session: not revoked, within absolute and idle expiry, user and tenant active, so sign-out,
revoke, deactivation and a role change show on the very next call — plus the tenant's branding,
and, when `p_touch` is set, moves `last_seen_at` to now() if it is more than a minute old (in
the session's own tenant context, as the row-level policy requires). One autocommit statement
per event; the caller asks for the touch at most once a minute per session.

Revision ID: 0019
Revises: 0018
"""

from alembic import op
from portal.settings import get_settings

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

FUNCTION = "auth_session_check(text, integer, boolean)"

_CHECK = """
CREATE FUNCTION auth_session_check(p_token_hash text, p_idle_minutes integer, p_touch boolean)
RETURNS TABLE (session_id uuid, user_id uuid, tenant_id uuid, role text, name text,
               email text, tenant_name text, tenant_type text, expires_at timestamptz,
               branding jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE
  r record;
  live boolean;
  saved text := current_setting('app.tenant_id', true);
BEGIN
  PERFORM set_config('app.auth_lookup', 'on', true);
  SELECT s.id AS sid, u.id AS uid, u.tenant_id AS tid, u.role AS urole, u.name AS uname,
         u.email AS uemail, t.name AS tname, t.type AS ttype, s.expires_at AS sexpires,
         t.branding AS tbranding, s.last_seen_at AS seen
    INTO r
    FROM user_sessions s
    JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id
    JOIN tenants t ON t.id = u.tenant_id
   WHERE s.token_hash = p_token_hash
     AND s.revoked_at IS NULL
     AND s.expires_at > now()
     AND s.last_seen_at > now() - make_interval(mins => p_idle_minutes)
     AND u.status = 'active' AND u.role <> 'guest'
     AND t.status = 'active';
  live := FOUND;
  PERFORM set_config('app.auth_lookup', '', true);
  IF NOT live THEN
    RETURN;
  END IF;
  IF p_touch AND r.seen < now() - interval '1 minute' THEN
    PERFORM set_config('app.tenant_id', r.tid::text, true);
    UPDATE user_sessions s SET last_seen_at = now() WHERE s.id = r.sid;
    PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
  END IF;
  session_id := r.sid; user_id := r.uid; tenant_id := r.tid; role := r.urole;
  name := r.uname; email := r.uemail; tenant_name := r.tname; tenant_type := r.ttype;
  expires_at := r.sexpires; branding := r.tbranding;
  RETURN NEXT;
END $$;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(_CHECK)
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {FUNCTION} TO "{role}"')


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {FUNCTION}")
