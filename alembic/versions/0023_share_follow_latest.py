"""Share links that follow the latest version, and clients told of a new one.

- `share_links.follow_latest`: when a newer version of the link's deliverable becomes ready, the
  link moves to it (`asset_id` changes: an audited update); otherwise the link stays on its
  version. `share_links.notify_new_versions`: the link's clients are emailed when a newer
  version is ready.
- `share_link_contacts`: the addresses clients gave on a link (commenting or deciding), one per
  link and address (case-insensitive), with the version they were last told of (so a retried
  job never emails twice) and when they unsubscribed. RLS enabled and forced; the runtime role
  may read, insert and update; rows go with their link.

Revision ID: 0023
Revises: 0022
"""

from alembic import op
from portal.settings import get_settings

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        f"""
        ALTER TABLE share_links
          ADD COLUMN follow_latest boolean NOT NULL DEFAULT false,
          ADD COLUMN notify_new_versions boolean NOT NULL DEFAULT false;

        CREATE TABLE share_link_contacts (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          share_link_id uuid NOT NULL,
          email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
          name text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
          notified_asset_id uuid,
          unsubscribed_at timestamptz,
          created_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT fk_share_link_contacts_link FOREIGN KEY (share_link_id, tenant_id)
            REFERENCES share_links (id, tenant_id) ON DELETE CASCADE
        );
        CREATE UNIQUE INDEX uq_share_link_contacts_email
          ON share_link_contacts (share_link_id, lower(email));
        CREATE INDEX idx_share_link_contacts_tenant ON share_link_contacts (tenant_id);
        ALTER TABLE share_link_contacts ENABLE ROW LEVEL SECURITY;
        ALTER TABLE share_link_contacts FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON share_link_contacts
          USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))
          WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]));
        GRANT SELECT, INSERT, UPDATE ON share_link_contacts TO "{role}";
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE share_link_contacts;
        ALTER TABLE share_links DROP COLUMN notify_new_versions, DROP COLUMN follow_latest;
        """
    )
