"""Push, not poll: what changed is announced on `portal_changes` for the open pages.

Issue 18: the asset page, the project page's deliverables and /operations re-read the database
every 1-3 s per open tab. These triggers announce each committed change instead, with a key that
names what changed (ids only, never content; the listener is the app's own LISTEN connection,
portal/integrations/pg_listen.py), and each open page re-reads only what its key says:

- `asset:<id>` and `project:<project id>`: a version row was added, changed (status, review,
  title…) or removed (the version's page; the project's deliverables and every version stack);
- `comments:<asset id>`: a review comment (or its drawing) on that version was added, edited,
  resolved or removed;
- `ops`: job runs or webhook events changed (the operations page), once per statement.

Postgres sends a transaction's notifications on commit only, identical ones once.

Revision ID: 0028
Revises: 0027
"""

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION live_asset_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
          r assets;
        BEGIN
          IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
          PERFORM pg_notify('portal_changes', 'asset:' || r.id::text);
          PERFORM pg_notify('portal_changes', 'project:' || r.project_id::text);
          RETURN NULL;
        END $$;
        CREATE TRIGGER assets_live_rows AFTER INSERT OR DELETE ON assets
          FOR EACH ROW EXECUTE FUNCTION live_asset_changed();
        CREATE TRIGGER assets_live_changes AFTER UPDATE ON assets
          FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
          EXECUTE FUNCTION live_asset_changed();

        CREATE FUNCTION live_comment_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
          r comments;
        BEGIN
          IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
          IF r.parent_type = 'asset' THEN
            PERFORM pg_notify('portal_changes', 'comments:' || r.parent_id::text);
          END IF;
          RETURN NULL;
        END $$;
        CREATE TRIGGER comments_live_rows AFTER INSERT OR DELETE ON comments
          FOR EACH ROW EXECUTE FUNCTION live_comment_changed();
        CREATE TRIGGER comments_live_changes AFTER UPDATE ON comments
          FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
          EXECUTE FUNCTION live_comment_changed();

        CREATE FUNCTION live_ops_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('portal_changes', 'ops');
          RETURN NULL;
        END $$;
        CREATE TRIGGER job_runs_live AFTER INSERT OR UPDATE OR DELETE ON job_runs
          FOR EACH STATEMENT EXECUTE FUNCTION live_ops_changed();
        CREATE TRIGGER webhook_events_live AFTER INSERT OR UPDATE OR DELETE ON webhook_events
          FOR EACH STATEMENT EXECUTE FUNCTION live_ops_changed();
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TRIGGER webhook_events_live ON webhook_events;
        DROP TRIGGER job_runs_live ON job_runs;
        DROP FUNCTION live_ops_changed();
        DROP TRIGGER comments_live_changes ON comments;
        DROP TRIGGER comments_live_rows ON comments;
        DROP FUNCTION live_comment_changed();
        DROP TRIGGER assets_live_changes ON assets;
        DROP TRIGGER assets_live_rows ON assets;
        DROP FUNCTION live_asset_changed();
        """
    )
