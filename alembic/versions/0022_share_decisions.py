"""Client decisions on share links: `share_links.ask_decision` and `share_decisions`.

- `share_links.ask_decision`: the owner's option; the client page then offers *Approve* and
  *Request changes* (with a note).
- `share_decisions`: one row per press, never updated (the latest per link, version and client
  counts; the rest is the history). It records the version (`asset_id`), the link, the guest
  user who decided, with the name and email given at that moment, the decision and the note.
  `request_key` (the page's key for one press) is unique per link: a double click, or the same
  press replayed, inserts one row. RLS enabled and forced like every tenant table; audited by
  the audit trigger (the key left out); the runtime role may read and insert (deletes come from
  the link's, the version's or — setting `guest_id` to NULL — the guest's deletion).
- login_attempts accepts kind `share_decision` (decisions throttled per link and per address).

Revision ID: 0022
Revises: 0021
"""

from alembic import op
from portal.settings import get_settings

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

LOGIN_KINDS = "'login', 'magic_link', 'password_reset', 'share_passcode'"


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        f"""
        ALTER TABLE share_links ADD COLUMN ask_decision boolean NOT NULL DEFAULT false;

        CREATE TABLE share_decisions (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          share_link_id uuid NOT NULL,
          asset_id uuid NOT NULL,
          guest_id uuid,
          name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
          email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
          decision text NOT NULL CHECK (decision IN ('approved', 'changes_requested')),
          note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
          request_key uuid NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT uq_share_decisions_press UNIQUE (share_link_id, request_key),
          CONSTRAINT fk_share_decisions_link FOREIGN KEY (share_link_id, tenant_id)
            REFERENCES share_links (id, tenant_id) ON DELETE CASCADE,
          CONSTRAINT fk_share_decisions_asset FOREIGN KEY (asset_id, tenant_id)
            REFERENCES assets (id, tenant_id) ON DELETE CASCADE,
          CONSTRAINT fk_share_decisions_guest FOREIGN KEY (guest_id, tenant_id)
            REFERENCES users (id, tenant_id) ON DELETE SET NULL (guest_id)
        );
        CREATE INDEX idx_share_decisions_asset ON share_decisions (asset_id, created_at DESC);
        CREATE INDEX idx_share_decisions_tenant ON share_decisions (tenant_id);
        CREATE INDEX idx_share_decisions_guest ON share_decisions (guest_id);
        ALTER TABLE share_decisions ENABLE ROW LEVEL SECURITY;
        ALTER TABLE share_decisions FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON share_decisions
          USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))
          WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]));
        GRANT SELECT, INSERT ON share_decisions TO "{role}";
        CREATE TRIGGER share_decisions_audit AFTER INSERT OR UPDATE OR DELETE ON share_decisions
          FOR EACH ROW EXECUTE FUNCTION audit_row_change('request_key');

        ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_kind_check;
        ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_kind_check
          CHECK (kind IN ({LOGIN_KINDS}, 'share_decision'));
        """
    )


def downgrade() -> None:
    op.execute(
        f"""
        DELETE FROM login_attempts WHERE kind = 'share_decision';
        ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_kind_check;
        ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_kind_check
          CHECK (kind IN ({LOGIN_KINDS}));
        DROP TABLE share_decisions;
        ALTER TABLE share_links DROP COLUMN ask_decision;
        """
    )
