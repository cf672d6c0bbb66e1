"""The share-link open path, cheaper in the database (issue 8's benchmark; BENCHMARKS.md).

What an opening costs was mostly not the guarded UPDATE itself but what surrounds it. Now:
- `share_link_open()` is one statement: the guarded `UPDATE … RETURNING` and the view row's
  `INSERT` in one data-modifying CTE, instead of a lookup, two tenant switches and three
  statements. It runs under narrow policies named `share_open` (like 0014's `share_lookup`):
  the functions' owner, and only while `app.share_lookup` is on inside a SECURITY DEFINER share
  function, may update a share link, add (or delete) view rows, and write the audit row of the update
  that exhausts a link (that row carries the link's own tenant, taken from the link).
- A view no longer runs the updated_at and audit triggers' functions, and the status trigger
  runs only when it would change the status. The updated_at and audit triggers skip exactly the
  share functions' own updates (the functions' owner with `app.share_lookup` on: the view count
  and last-viewed time) unless the status changes, so the update that exhausts a link is still
  audited; any other update, by anyone, is audited as before. (Compared with 0014's two
  `to_jsonb` calls, or a column-by-column comparison, this test costs almost nothing.)
- `share_link_views` loses its foreign keys and its tenant index: its rows are written only by
  `share_link_open()`, for the link that statement just updated, with that link's tenant; the
  FK checks cost a third of the view insert. Deleting links (the 90-day purge, or an asset's
  deletion cascading) deletes their views through a statement trigger (SECURITY DEFINER, under
  the same `share_open` policy) instead of ON DELETE CASCADE.
- `share_links` keeps half of each page free (fillfactor 50) so that a view is a HOT update:
  no new entries in the table's seven indexes.

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

HIDDEN = "'hashed_token', 'passcode_hash'"
HIDDEN_QUOTED = HIDDEN.replace("'", "''")  # inside a format() string literal
ANALYTICS = "'{view_count,last_viewed_at,updated_at}'::text[]"
OPEN_SIGNATURE = "share_link_open(p_token_hash text, p_viewer_hash text, p_passcode_ok boolean)"
OPEN_RETURNS = """RETURNS TABLE (link_id uuid, tenant_id uuid, asset_id uuid, view_count integer,
               created_by uuid, allow_comments boolean, allow_download boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public"""

_OPEN = f"""
-- Count one view: one guarded UPDATE (concurrent openings never pass the view limit) and the
-- view row, in one statement. A link with a passcode opens only when the caller checked it.
-- No row: not opened (unknown, expired, revoked, exhausted, or a passcode is needed).
CREATE OR REPLACE FUNCTION {OPEN_SIGNATURE}
{OPEN_RETURNS} AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.share_lookup', 'on', true);
  RETURN QUERY
    WITH opened AS (
      UPDATE share_links s SET view_count = s.view_count + 1, last_viewed_at = now()
       WHERE s.hashed_token = p_token_hash AND s.status = 'active' AND s.expires_at > now()
         AND (s.view_limit IS NULL OR s.view_count < s.view_limit)
         AND (s.passcode_hash IS NULL OR p_passcode_ok)
      RETURNING s.id, s.tenant_id, s.asset_id, s.view_count, s.created_by, s.allow_comments,
                s.allow_download
    ), viewed AS (
      INSERT INTO share_link_views (tenant_id, share_link_id, viewer_hash)
      SELECT o.tenant_id, o.id, p_viewer_hash FROM opened o
    )
    SELECT * FROM opened;
  PERFORM set_config('app.share_lookup', '', true);
END $$;
"""

_OPEN_0014 = f"""
CREATE OR REPLACE FUNCTION {OPEN_SIGNATURE}
{OPEN_RETURNS} AS $$
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


def _share_open_policies() -> str:
    """Policies and trigger conditions naming the functions' owner (the migrating role)."""
    when = "current_user = %L AND current_setting(''app.share_lookup'', true) = ''on''"
    not_a_view = (
        "OLD.status IS DISTINCT FROM NEW.status OR current_user <> %L"
        " OR current_setting(''app.share_lookup'', true) IS DISTINCT FROM ''on''"
    )
    return f"""
    DO $$
    BEGIN
      EXECUTE format('CREATE TRIGGER share_links_updated_at BEFORE UPDATE ON share_links'
                     ' FOR EACH ROW WHEN ({not_a_view}) EXECUTE FUNCTION set_updated_at()',
                     current_user);
      EXECUTE format('CREATE TRIGGER share_links_audit_update AFTER UPDATE ON share_links'
                     ' FOR EACH ROW WHEN ({not_a_view})'
                     ' EXECUTE FUNCTION audit_row_change({HIDDEN_QUOTED})',
                     current_user);
      EXECUTE format('CREATE POLICY share_open ON share_links FOR UPDATE USING ({when})',
                     current_user);
      EXECUTE format('CREATE POLICY share_open ON share_link_views USING ({when})'
                     ' WITH CHECK ({when})', current_user, current_user);
      EXECUTE format('CREATE POLICY share_open ON audit_logs FOR INSERT WITH CHECK ({when})',
                     current_user);
    END $$;
    """


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE share_link_views DROP CONSTRAINT share_link_views_tenant_id_fkey;
        ALTER TABLE share_link_views DROP CONSTRAINT fk_share_link_views_link;
        DROP INDEX idx_share_link_views_tenant;
        CREATE FUNCTION share_links_delete_views() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE saved text := current_setting('app.share_lookup', true);
        BEGIN
          PERFORM set_config('app.share_lookup', 'on', true);
          DELETE FROM share_link_views v USING gone g
           WHERE v.share_link_id = g.id AND v.tenant_id = g.tenant_id;
          PERFORM set_config('app.share_lookup', coalesce(saved, ''), true);
          RETURN NULL;
        END $$;
        REVOKE ALL ON FUNCTION share_links_delete_views() FROM PUBLIC;
        CREATE TRIGGER share_links_delete_views AFTER DELETE ON share_links
          REFERENCING OLD TABLE AS gone
          FOR EACH STATEMENT EXECUTE FUNCTION share_links_delete_views();
        ALTER TABLE share_links SET (fillfactor = 50);

        DROP TRIGGER share_links_status ON share_links;
        CREATE TRIGGER share_links_status BEFORE INSERT OR UPDATE ON share_links
          FOR EACH ROW
          WHEN (NEW.status = 'active'
                AND (NEW.expires_at <= now() OR NEW.view_count >= NEW.view_limit))
          EXECUTE FUNCTION share_links_apply_status();
        DROP TRIGGER share_links_updated_at ON share_links;
        DROP TRIGGER share_links_audit_update ON share_links;
        """
    )
    op.execute(_share_open_policies())
    op.execute(_OPEN)


def downgrade() -> None:
    op.execute(_OPEN_0014)
    op.execute(
        f"""
        DROP POLICY share_open ON audit_logs;
        DROP POLICY share_open ON share_link_views;
        DROP POLICY share_open ON share_links;

        DROP TRIGGER share_links_audit_update ON share_links;
        CREATE TRIGGER share_links_audit_update AFTER UPDATE ON share_links
          FOR EACH ROW
          WHEN ((to_jsonb(OLD) - {ANALYTICS}) IS DISTINCT FROM (to_jsonb(NEW) - {ANALYTICS}))
          EXECUTE FUNCTION audit_row_change({HIDDEN});
        DROP TRIGGER share_links_updated_at ON share_links;
        CREATE TRIGGER share_links_updated_at BEFORE UPDATE ON share_links
          FOR EACH ROW EXECUTE FUNCTION set_updated_at();
        DROP TRIGGER share_links_status ON share_links;
        CREATE TRIGGER share_links_status BEFORE INSERT OR UPDATE ON share_links
          FOR EACH ROW EXECUTE FUNCTION share_links_apply_status();

        ALTER TABLE share_links RESET (fillfactor);
        DROP TRIGGER share_links_delete_views ON share_links;
        DROP FUNCTION share_links_delete_views();
        DELETE FROM share_link_views v
         WHERE NOT EXISTS (SELECT 1 FROM share_links s
                            WHERE s.id = v.share_link_id AND s.tenant_id = v.tenant_id);
        CREATE INDEX idx_share_link_views_tenant ON share_link_views (tenant_id);
        ALTER TABLE share_link_views ADD CONSTRAINT share_link_views_tenant_id_fkey
          FOREIGN KEY (tenant_id) REFERENCES tenants (id);
        ALTER TABLE share_link_views ADD CONSTRAINT fk_share_link_views_link
          FOREIGN KEY (share_link_id, tenant_id) REFERENCES share_links (id, tenant_id)
          ON DELETE CASCADE;
        """
    )
