"""Resumable uploads (tus 1.0): one `tus_uploads` row per upload in progress.

The row is the upload's durable state: who sends what into which project, the declared length,
the offset stored so far (the bytes live in MEDIA_DIR/incoming/tus/<id>.part) and when it
expires. A finished upload keeps its row (with the asset it became) until it expires, so a
client that lost the last answer can still ask. RLS enabled and forced like every tenant table;
the runtime role may read, insert, update and delete (the expiry sweep deletes).

Revision ID: 0020
Revises: 0019
"""

from alembic import op
from portal.settings import get_settings

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        f"""
        CREATE TABLE tus_uploads (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
          milestone_id uuid REFERENCES milestones (id) ON DELETE SET NULL,
          uploader_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          title text NOT NULL CHECK (length(title) <= 300),
          filename text NOT NULL CHECK (length(filename) <= 255),
          upload_length bigint NOT NULL CHECK (upload_length > 0),
          upload_offset bigint NOT NULL DEFAULT 0
            CHECK (upload_offset >= 0 AND upload_offset <= upload_length),
          asset_id uuid REFERENCES assets (id) ON DELETE SET NULL,
          expires_at timestamptz NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX idx_tus_uploads_tenant ON tus_uploads (tenant_id);
        CREATE INDEX idx_tus_uploads_expires ON tus_uploads (expires_at);
        ALTER TABLE tus_uploads ENABLE ROW LEVEL SECURITY;
        ALTER TABLE tus_uploads FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON tus_uploads
          USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))
          WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]));
        GRANT SELECT, INSERT, UPDATE, DELETE ON tus_uploads TO "{role}";
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE tus_uploads")
