"""Upload requests: links through which a client sends files to a project (issue 22).

- `upload_requests`: one link per row (name, message, allowed kinds, per-file size and file
  count limits, expiry, optional passcode), the token stored as sha256 only, the passcode as
  argon2 — as share links. Status `active` or `revoked`; an expired link is one whose
  `expires_at` has passed. Audited (token and passcode hashes left out).
- `client_files`: one finished file a client sent (who: name and email as given; when; kind
  sniffed from its content; size; SHA-256). Audited. The file is MEDIA_DIR/<tenant>/client-files/<id>.
- `tus_uploads` gains `upload_request_id` (an upload made through a link has no member:
  `uploader_id` may be NULL then, never both) and the sender's name and email.
- The client page has no session: `upload_request_lookup(hash)` (SECURITY DEFINER, pinned
  search_path, runtime role only) reads one link by its token hash under a transaction-local
  flag that a SELECT policy honours for the owning role only (as share_link_lookup does).
All tables: RLS enabled and forced, tenant isolation like every tenant table.

Revision ID: 0024
Revises: 0023
"""

from alembic import op
from portal.settings import get_settings

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

KINDS = "'video', 'images', 'documents', 'audio', 'archives'"

_LOOKUP = """
CREATE FUNCTION upload_request_lookup(p_token_hash text)
RETURNS TABLE (request_id uuid, tenant_id uuid, project_id uuid, status text,
               passcode_hash text, created_by uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
BEGIN
  PERFORM set_config('app.upload_request_lookup', 'on', true);
  RETURN QUERY
    SELECT r.id, r.tenant_id, r.project_id,
           CASE WHEN r.status = 'active' AND r.expires_at <= now() THEN 'expired'
                ELSE r.status END,
           r.passcode_hash, r.created_by
      FROM upload_requests r WHERE r.hashed_token = p_token_hash;
  PERFORM set_config('app.upload_request_lookup', '', true);
END $$;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        f"""
        CREATE TABLE upload_requests (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
          message text NOT NULL DEFAULT '' CHECK (length(message) <= 2000),
          hashed_token text NOT NULL UNIQUE CHECK (hashed_token ~ '^[0-9a-f]{{64}}$'),
          passcode_hash text,
          kinds text[] NOT NULL CHECK (cardinality(kinds) > 0 AND kinds <@ ARRAY[{KINDS}]),
          max_file_bytes bigint NOT NULL CHECK (max_file_bytes > 0),
          max_files integer NOT NULL CHECK (max_files BETWEEN 1 AND 1000),
          status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
          expires_at timestamptz NOT NULL,
          revoked_at timestamptz,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT uq_upload_requests_id_tenant UNIQUE (id, tenant_id)
        );
        CREATE INDEX idx_upload_requests_project ON upload_requests (project_id, created_at DESC);
        CREATE INDEX idx_upload_requests_tenant ON upload_requests (tenant_id);

        CREATE TABLE client_files (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
          upload_request_id uuid REFERENCES upload_requests (id) ON DELETE SET NULL,
          sender_name text NOT NULL CHECK (length(sender_name) BETWEEN 1 AND 100),
          sender_email text NOT NULL CHECK (length(sender_email) BETWEEN 3 AND 320),
          filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
          kind text NOT NULL CHECK (kind IN ({KINDS})),
          size_bytes bigint NOT NULL CHECK (size_bytes > 0),
          sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
          created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX idx_client_files_project ON client_files (project_id, created_at DESC);
        CREATE INDEX idx_client_files_tenant ON client_files (tenant_id, created_at);

        ALTER TABLE tus_uploads
          ALTER COLUMN uploader_id DROP NOT NULL,
          ADD COLUMN upload_request_id uuid REFERENCES upload_requests (id) ON DELETE CASCADE,
          ADD COLUMN sender_name text CHECK (length(sender_name) <= 100),
          ADD COLUMN sender_email text CHECK (length(sender_email) <= 320),
          ADD CONSTRAINT tus_uploads_sender CHECK (
            (uploader_id IS NOT NULL AND upload_request_id IS NULL)
            OR (upload_request_id IS NOT NULL AND sender_name IS NOT NULL
                AND sender_email IS NOT NULL));
        CREATE INDEX idx_tus_uploads_request ON tus_uploads (upload_request_id);
        """
    )
    for table, verbs, hidden in (
        ("upload_requests", "SELECT, INSERT, UPDATE, DELETE", "'hashed_token', 'passcode_hash'"),
        ("client_files", "SELECT, INSERT, DELETE", ""),
    ):
        op.execute(
            f"""
            ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
            ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON {table}
              USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))
              WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]));
            GRANT {verbs} ON {table} TO "{role}";
            CREATE TRIGGER {table}_audit AFTER INSERT OR UPDATE OR DELETE ON {table}
              FOR EACH ROW EXECUTE FUNCTION audit_row_change({hidden});
            """
        )
    op.execute(
        """
        DO $$
        BEGIN
          EXECUTE format(
            'CREATE POLICY upload_request_lookup ON upload_requests FOR SELECT USING ('
            'current_user = %L AND current_setting(''app.upload_request_lookup'', true) = ''on'')',
            current_user);
        END $$;
        """
    )
    op.execute(_LOOKUP)
    op.execute("REVOKE ALL ON FUNCTION upload_request_lookup(text) FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION upload_request_lookup(text) TO "{role}"')


def downgrade() -> None:
    op.execute(
        """
        DROP FUNCTION upload_request_lookup(text);
        DELETE FROM tus_uploads WHERE upload_request_id IS NOT NULL;
        ALTER TABLE tus_uploads
          DROP CONSTRAINT tus_uploads_sender,
          DROP COLUMN sender_email,
          DROP COLUMN sender_name,
          DROP COLUMN upload_request_id,
          ALTER COLUMN uploader_id SET NOT NULL;
        DROP TABLE client_files;
        DROP TABLE upload_requests;
        """
    )
