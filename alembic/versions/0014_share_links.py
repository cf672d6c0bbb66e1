"""Share links: settings per link, view analytics, the client page's narrow lookups.

- share_links gains `name`, `allow_comments`, `allow_download`, `watermark` (stored for the
  watermark issue), `last_viewed_at` and `revoked_at`, and `UNIQUE (id, tenant_id)` for children.
- `share_link_views`: one row per counted view (when, and a salted hash of the viewer — never an
  address), RLS enabled and forced like every tenant table; it goes with its link.
- The client page has no session and no tenant: two SECURITY DEFINER functions (pinned
  search_path, executable by the runtime role only) reach one link by its token hash, as the
  auth lookups of 0005 do. A SELECT policy honours their transaction-local flag only for the
  owning role. `share_link_lookup(hash)` reads the link; `share_link_open(hash, viewer,
  passcode_ok)` counts one view with a single guarded UPDATE ... RETURNING inside the link's own
  tenant context (the view limit can never be exceeded) and records the view.
- Auditing: a view changes only `view_count`, `last_viewed_at` and `updated_at`; such updates are
  analytics, not changes, and are no longer written to the audit log (everything else still is,
  including the update that exhausts a link).
- login_attempts accepts kind `share_passcode` (passcode throttling per link and per address).

Revision ID: 0014
Revises: 0013
"""

from alembic import op
from portal.settings import get_settings

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FUNCTIONS = ("share_link_lookup(text)", "share_link_open(text, text, boolean)")
HIDDEN = "'hashed_token', 'passcode_hash'"
ANALYTICS = "'{view_count,last_viewed_at,updated_at}'::text[]"
LOGIN_KINDS = "'login', 'magic_link', 'password_reset'"

_FUNCTIONS = """
-- One link by its token hash, for the client page (no session, no tenant yet).
CREATE FUNCTION share_link_lookup(p_token_hash text)
RETURNS TABLE (link_id uuid, tenant_id uuid, asset_id uuid, status text, passcode_hash text,
               allow_comments boolean, allow_download boolean, watermark boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.share_lookup', 'on', true);
  RETURN QUERY
    SELECT s.id, s.tenant_id, s.asset_id, s.effective_status, s.passcode_hash,
           s.allow_comments, s.allow_download, s.watermark
      FROM share_links s WHERE s.hashed_token = p_token_hash;
  PERFORM set_config('app.share_lookup', '', true);
END $$;

-- Count one view: one guarded UPDATE in the link's tenant, so concurrent openings never pass
-- the view limit; a link with a passcode opens only when the caller checked it. No row: not
-- opened (unknown, expired, revoked, exhausted, or a passcode is needed).
CREATE FUNCTION share_link_open(p_token_hash text, p_viewer_hash text, p_passcode_ok boolean)
RETURNS TABLE (link_id uuid, tenant_id uuid, asset_id uuid, view_count integer,
               created_by uuid, allow_comments boolean, allow_download boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE
  v_tenant uuid; v_opened boolean; r record;
  saved text := current_setting('app.tenant_id', true);
BEGIN
  PERFORM set_config('app.share_lookup', 'on', true);
  SELECT s.tenant_id INTO v_tenant FROM share_links s WHERE s.hashed_token = p_token_hash;
  PERFORM set_config('app.share_lookup', '', true);
  IF v_tenant IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config('app.tenant_id', v_tenant::text, true);
  UPDATE share_links s SET view_count = s.view_count + 1, last_viewed_at = now()
   WHERE s.hashed_token = p_token_hash AND s.status = 'active' AND s.expires_at > now()
     AND (s.view_limit IS NULL OR s.view_count < s.view_limit)
     AND (s.passcode_hash IS NULL OR p_passcode_ok)
  RETURNING s.id, s.tenant_id, s.asset_id, s.view_count, s.created_by, s.allow_comments,
            s.allow_download INTO r;
  v_opened := FOUND;
  IF v_opened THEN
    INSERT INTO share_link_views (tenant_id, share_link_id, viewer_hash)
    VALUES (r.tenant_id, r.id, p_viewer_hash);
  END IF;
  PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
  IF v_opened THEN
    RETURN QUERY SELECT r.id, r.tenant_id, r.asset_id, r.view_count, r.created_by,
                        r.allow_comments, r.allow_download;
  END IF;
END $$;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        f"""
        ALTER TABLE share_links
          ADD COLUMN name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
          ADD COLUMN allow_comments boolean NOT NULL DEFAULT false,
          ADD COLUMN allow_download boolean NOT NULL DEFAULT false,
          ADD COLUMN watermark boolean NOT NULL DEFAULT false,
          ADD COLUMN last_viewed_at timestamptz,
          ADD COLUMN revoked_at timestamptz,
          ADD CONSTRAINT uq_share_links_id_tenant UNIQUE (id, tenant_id);
        CREATE INDEX idx_share_links_asset ON share_links (asset_id, created_at DESC);

        CREATE TABLE share_link_views (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          share_link_id uuid NOT NULL,
          viewed_at timestamptz NOT NULL DEFAULT now(),
          viewer_hash text NOT NULL CHECK (viewer_hash ~ '^[0-9a-f]{{64}}$'),
          CONSTRAINT fk_share_link_views_link FOREIGN KEY (share_link_id, tenant_id)
            REFERENCES share_links (id, tenant_id) ON DELETE CASCADE
        );
        CREATE INDEX idx_share_link_views_link ON share_link_views (share_link_id, viewed_at);
        CREATE INDEX idx_share_link_views_tenant ON share_link_views (tenant_id);
        ALTER TABLE share_link_views ENABLE ROW LEVEL SECURITY;
        ALTER TABLE share_link_views FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON share_link_views
          USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))
          WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]));
        GRANT SELECT, INSERT, DELETE ON share_link_views TO "{role}";

        DO $$
        BEGIN
          EXECUTE format(
            'CREATE POLICY share_lookup ON share_links FOR SELECT USING ('
            'current_user = %L AND current_setting(''app.share_lookup'', true) = ''on'')',
            current_user);
        END $$;

        DROP TRIGGER share_links_audit ON share_links;
        CREATE TRIGGER share_links_audit AFTER INSERT OR DELETE ON share_links
          FOR EACH ROW EXECUTE FUNCTION audit_row_change({HIDDEN});
        CREATE TRIGGER share_links_audit_update AFTER UPDATE ON share_links
          FOR EACH ROW
          WHEN ((to_jsonb(OLD) - {ANALYTICS}) IS DISTINCT FROM (to_jsonb(NEW) - {ANALYTICS}))
          EXECUTE FUNCTION audit_row_change({HIDDEN});

        ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_kind_check;
        ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_kind_check
          CHECK (kind IN ({LOGIN_KINDS}, 'share_passcode'));
        """
    )
    op.execute(_FUNCTIONS)
    for function in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f'GRANT EXECUTE ON FUNCTION {function} TO "{role}"')


def downgrade() -> None:
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.execute(
        f"""
        DELETE FROM login_attempts WHERE kind = 'share_passcode';
        ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_kind_check;
        ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_kind_check
          CHECK (kind IN ({LOGIN_KINDS}));
        DROP TRIGGER share_links_audit_update ON share_links;
        DROP TRIGGER share_links_audit ON share_links;
        CREATE TRIGGER share_links_audit AFTER INSERT OR UPDATE OR DELETE ON share_links
          FOR EACH ROW EXECUTE FUNCTION audit_row_change({HIDDEN});
        DROP POLICY share_lookup ON share_links;
        DROP TABLE share_link_views;
        DROP INDEX idx_share_links_asset;
        ALTER TABLE share_links
          DROP CONSTRAINT uq_share_links_id_tenant,
          DROP COLUMN revoked_at,
          DROP COLUMN last_viewed_at,
          DROP COLUMN watermark,
          DROP COLUMN allow_download,
          DROP COLUMN allow_comments,
          DROP COLUMN name;
        """
    )
