"""Notifications: email preferences, email delivery states, live NOTIFY, cross-tenant insert.

- users.notification_prefs: per type `immediately` | `digest` | `off` (missing → the type's default).
- notifications.email_status gains the states before Resend reports anything: `queued` (a job will
  decide), `digest` (waits for the daily digest), `skipped` (off, bounced address), `failed`
  (unknown type, template error, send failed after retries); `email_note` says why.
- idx_notifications_unread_count covers tenant_id (read by RLS): the unread count is index-only.
- A row trigger sends `NOTIFY portal_notifications, '<user id>'` on insert and on read changes:
  the payload is only the recipient's id, so listeners learn *whom* to refresh, nothing more.
- `notification_insert_managing(user, type, payload)`: an agency's session cannot see or write the
  studio's users, yet a studio admin assigned to an agency task should hear about comments on it.
  The function inserts a notification only for an active admin of the tenant managing the
  caller's current tenant (nothing else); executable by the runtime role only.

Revision ID: 0011
Revises: 0010
"""

from alembic import op
from portal.settings import get_settings

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

EMAIL_STATUSES = "'sent', 'delivered', 'bounced', 'complained'"
NEW_STATUSES = "'queued', 'digest', 'skipped', 'failed'"
FUNCTION = "notification_insert_managing(uuid, text, jsonb)"


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        f"""
        ALTER TABLE users ADD COLUMN notification_prefs jsonb NOT NULL DEFAULT '{{}}'::jsonb
          CHECK (jsonb_typeof(notification_prefs) = 'object');
        ALTER TABLE notifications DROP CONSTRAINT notifications_email_status_check;
        ALTER TABLE notifications ADD CONSTRAINT notifications_email_status_check
          CHECK (email_status IN ({EMAIL_STATUSES}, {NEW_STATUSES}));
        ALTER TABLE notifications ADD COLUMN email_note text
          CHECK (length(email_note) <= 500);
        CREATE INDEX idx_notifications_email_pending ON notifications (tenant_id, user_id)
          WHERE email_status IN ('queued', 'digest');
        -- The seed's unread index lacks tenant_id, which the RLS policy reads: with it covered,
        -- the bell's unread count is an index-only scan.
        CREATE INDEX idx_notifications_unread_count ON notifications (user_id)
          INCLUDE (tenant_id) WHERE read_at IS NULL;

        CREATE FUNCTION notifications_notify() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('portal_notifications', NEW.user_id::text);
          RETURN NULL;
        END $$;
        CREATE TRIGGER notifications_notify AFTER INSERT OR UPDATE OF read_at ON notifications
          FOR EACH ROW EXECUTE FUNCTION notifications_notify();
        """
    )
    op.execute(_INSERT_MANAGING)
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {FUNCTION} TO "{role}"')


_INSERT_MANAGING = """
-- A notification for an active admin of the studio that manages the caller's tenant; else NULL.
CREATE FUNCTION notification_insert_managing(p_user_id uuid, p_type text, p_payload jsonb)
RETURNS TABLE (notification_id uuid, tenant_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE
  saved text := current_setting('app.tenant_id', true);
  scope text := current_setting('app.admin_scope', true);
  studio uuid;
BEGIN
  SELECT t.managed_by INTO studio FROM tenants t
   WHERE t.id = nullif(saved, '')::uuid AND t.managed_by IS NOT NULL;
  IF studio IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config('app.tenant_id', studio::text, true);
  PERFORM set_config('app.admin_scope', '', true);
  RETURN QUERY
    INSERT INTO notifications (tenant_id, user_id, type, payload, email_status)
    SELECT u.tenant_id, u.id, p_type, p_payload, 'queued' FROM users u
     WHERE u.id = p_user_id AND u.tenant_id = studio AND u.role = 'admin'
       AND u.status = 'active'
    RETURNING id, tenant_id;
  PERFORM set_config('app.tenant_id', coalesce(saved, ''), true);
  PERFORM set_config('app.admin_scope', coalesce(scope, ''), true);
END $$;
"""


def downgrade() -> None:
    op.execute(
        f"""
        DROP FUNCTION {FUNCTION};
        DROP TRIGGER notifications_notify ON notifications;
        DROP FUNCTION notifications_notify();
        DROP INDEX idx_notifications_email_pending, idx_notifications_unread_count;
        ALTER TABLE notifications DROP COLUMN email_note;
        DO $$
        DECLARE t uuid;
        BEGIN  -- RLS is forced on the owner too: visit each tenant.
          FOR t IN SELECT id FROM tenants LOOP
            PERFORM set_config('app.tenant_id', t::text, true);
            UPDATE notifications SET email_status = NULL
             WHERE email_status IN ({NEW_STATUSES});
          END LOOP;
          PERFORM set_config('app.tenant_id', '', true);
        END $$;
        ALTER TABLE notifications DROP CONSTRAINT notifications_email_status_check;
        ALTER TABLE notifications ADD CONSTRAINT notifications_email_status_check
          CHECK (email_status IN ({EMAIL_STATUSES}));
        ALTER TABLE users DROP COLUMN notification_prefs;
        """
    )
