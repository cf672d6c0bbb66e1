"""Rules that live in the database: tasks.is_overdue, share-link status, comment parents.

- `is_overdue(tasks)`: Postgres refuses a stored generated column calling now() (not
  immutable), so it is a STABLE function, readable as `t.is_overdue` by attribute notation and
  correct at read time ("today" in app.timezone, default Australia/Sydney).
- share_links: a BEFORE trigger moves an active link to `expired` once expires_at has passed and
  to `exhausted` when view_count reaches view_limit; `effective_status(share_links)` is right even
  before the periodic sweep `expire_share_links()` has written it.
- comments: the polymorphic parent must exist in the same tenant; comments go with their parent.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION is_overdue(t tasks) RETURNS boolean
        LANGUAGE sql STABLE AS $$
          SELECT t.status <> 'completed' AND t.due_date IS NOT NULL AND t.due_date < app_today()
        $$;

        CREATE FUNCTION share_links_apply_status() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.status = 'active' AND NEW.expires_at <= now() THEN
            NEW.status := 'expired';
          ELSIF NEW.status = 'active' AND NEW.view_limit IS NOT NULL
                AND NEW.view_count >= NEW.view_limit THEN
            NEW.status := 'exhausted';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER share_links_status BEFORE INSERT OR UPDATE ON share_links
          FOR EACH ROW EXECUTE FUNCTION share_links_apply_status();

        CREATE FUNCTION effective_status(s share_links) RETURNS text
        LANGUAGE sql STABLE AS $$
          SELECT CASE
            WHEN s.status = 'active' AND s.expires_at <= now() THEN 'expired'
            WHEN s.status = 'active' AND s.view_limit IS NOT NULL
                 AND s.view_count >= s.view_limit THEN 'exhausted'
            ELSE s.status
          END
        $$;

        -- The sweep: runs in the caller's RLS scope and returns how many links it expired.
        CREATE FUNCTION expire_share_links() RETURNS integer
        LANGUAGE plpgsql AS $$
        DECLARE n integer;
        BEGIN
          UPDATE share_links SET status = 'expired'
           WHERE status = 'active' AND expires_at <= now();
          GET DIAGNOSTICS n = ROW_COUNT;
          RETURN n;
        END $$;

        CREATE FUNCTION comments_check_parent() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE found boolean;
        BEGIN
          IF NEW.parent_type = 'task' THEN
            SELECT EXISTS (SELECT 1 FROM tasks WHERE id = NEW.parent_id
                                                AND tenant_id = NEW.tenant_id) INTO found;
          ELSE
            SELECT EXISTS (SELECT 1 FROM assets WHERE id = NEW.parent_id
                                                 AND tenant_id = NEW.tenant_id) INTO found;
          END IF;
          IF NOT found THEN
            RAISE EXCEPTION 'comment parent % % not found in this tenant',
              NEW.parent_type, NEW.parent_id
              USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'fk_comments_parent';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER comments_parent BEFORE INSERT OR UPDATE OF parent_type, parent_id, tenant_id
          ON comments FOR EACH ROW EXECUTE FUNCTION comments_check_parent();

        CREATE FUNCTION comments_delete_with_parent() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM comments WHERE parent_type = TG_ARGV[0] AND parent_id = OLD.id;
          RETURN NULL;
        END $$;
        CREATE TRIGGER tasks_delete_comments AFTER DELETE ON tasks
          FOR EACH ROW EXECUTE FUNCTION comments_delete_with_parent('task');
        CREATE TRIGGER assets_delete_comments AFTER DELETE ON assets
          FOR EACH ROW EXECUTE FUNCTION comments_delete_with_parent('asset');
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TRIGGER assets_delete_comments ON assets;
        DROP TRIGGER tasks_delete_comments ON tasks;
        DROP FUNCTION comments_delete_with_parent();
        DROP TRIGGER comments_parent ON comments;
        DROP FUNCTION comments_check_parent();
        DROP FUNCTION expire_share_links();
        DROP FUNCTION effective_status(share_links);
        DROP TRIGGER share_links_status ON share_links;
        DROP FUNCTION share_links_apply_status();
        DROP FUNCTION is_overdue(tasks);
        """
    )
