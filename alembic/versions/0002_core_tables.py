"""The seed's tables: tenants, users, sessions, projects, milestones, tasks, assets, share links,
comments, notifications, residency evidence, webhook events and job runs.

Every tenant-owned row carries tenant_id; child rows are tied to their parent's tenant by
composite foreign keys, so a row can never point across tenants.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIMESTAMPS = """
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
"""

UPDATED_AT_TABLES = (
    "tenants",
    "users",
    "projects",
    "milestones",
    "tasks",
    "assets",
    "share_links",
    "comments",
)


def upgrade() -> None:
    op.execute(
        f"""
        CREATE TABLE tenants (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
          type text NOT NULL CHECK (type IN ('admin', 'agency')),
          residency_policy text NOT NULL DEFAULT 'AU',
          branding jsonb NOT NULL DEFAULT '{{}}'::jsonb,
          managed_by uuid REFERENCES tenants (id),
          status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
          {TIMESTAMPS},
          CONSTRAINT ck_tenants_admin_unmanaged CHECK (type = 'agency' OR managed_by IS NULL)
        );
        CREATE UNIQUE INDEX uq_tenants_name ON tenants (lower(name));
        CREATE INDEX idx_tenants_managed_by ON tenants (managed_by);

        CREATE TABLE users (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          role text NOT NULL CHECK (role IN ('admin', 'agency', 'guest')),
          email text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' AND length(email) <= 320),
          name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
          password_hash text,
          status text NOT NULL DEFAULT 'active'
            CHECK (status IN ('active', 'invited', 'deactivated')),
          last_login_at timestamptz,
          {TIMESTAMPS},
          CONSTRAINT uq_users_id_tenant UNIQUE (id, tenant_id)
        );
        CREATE UNIQUE INDEX uq_users_tenant_email ON users (tenant_id, lower(email));
        -- Portal accounts sign in by email alone, so a login email names one account.
        CREATE UNIQUE INDEX uq_users_login_email ON users (lower(email)) WHERE role <> 'guest';

        CREATE TABLE user_sessions (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL,
          user_id uuid NOT NULL,
          token_hash text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{{64}}$'),
          created_at timestamptz NOT NULL DEFAULT now(),
          last_seen_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          revoked_at timestamptz,
          user_agent text NOT NULL DEFAULT '' CHECK (length(user_agent) <= 500),
          CONSTRAINT uq_user_sessions_token_hash UNIQUE (token_hash),
          CONSTRAINT fk_user_sessions_user FOREIGN KEY (user_id, tenant_id)
            REFERENCES users (id, tenant_id) ON DELETE CASCADE
        );
        CREATE INDEX idx_user_sessions_user ON user_sessions (user_id);

        CREATE TABLE projects (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          client_name text NOT NULL CHECK (length(btrim(client_name)) BETWEEN 1 AND 200),
          title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
          status text NOT NULL DEFAULT 'active'
            CHECK (status IN ('planning', 'active', 'on_hold', 'completed', 'archived')),
          start_date date,
          end_date date,
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          {TIMESTAMPS},
          CONSTRAINT uq_projects_id_tenant UNIQUE (id, tenant_id),
          CONSTRAINT ck_projects_dates CHECK (end_date IS NULL OR start_date IS NULL
                                              OR end_date >= start_date)
        );
        CREATE INDEX idx_projects_tenant_status ON projects (tenant_id, status);

        CREATE TABLE milestones (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL,
          project_id uuid NOT NULL,
          title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
          due_date date,
          status text NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'in_progress', 'completed', 'blocked')),
          sequence integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
          {TIMESTAMPS},
          CONSTRAINT uq_milestones_project_title UNIQUE (project_id, title),
          CONSTRAINT uq_milestones_id_tenant UNIQUE (id, tenant_id),
          CONSTRAINT uq_milestones_id_project UNIQUE (id, project_id),
          CONSTRAINT fk_milestones_project FOREIGN KEY (project_id, tenant_id)
            REFERENCES projects (id, tenant_id) ON DELETE CASCADE
        );
        CREATE INDEX idx_milestones_project_due ON milestones (project_id, due_date);

        CREATE TABLE tasks (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL,
          milestone_id uuid NOT NULL,
          assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
          title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
          description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
          status text NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'in_progress', 'in_review', 'completed')),
          due_date date,
          completed_at timestamptz,
          effort_estimate numeric(7, 2) CHECK (effort_estimate >= 0),
          {TIMESTAMPS},
          CONSTRAINT uq_tasks_id_tenant UNIQUE (id, tenant_id),
          CONSTRAINT fk_tasks_milestone FOREIGN KEY (milestone_id, tenant_id)
            REFERENCES milestones (id, tenant_id) ON DELETE CASCADE,
          CONSTRAINT ck_tasks_completed_at CHECK ((status = 'completed') = (completed_at IS NOT NULL))
        );
        -- Open tasks by due date: dashboards' overdue and due-soon queries.
        CREATE INDEX idx_tasks_pending_due ON tasks (milestone_id, due_date)
          WHERE status IN ('pending', 'in_progress', 'in_review');
        CREATE INDEX idx_tasks_tenant_open_due ON tasks (tenant_id, due_date)
          WHERE status <> 'completed';
        CREATE INDEX idx_tasks_assignee ON tasks (assignee_id);

        CREATE TABLE assets (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL,
          project_id uuid NOT NULL,
          milestone_id uuid,
          uploader_id uuid REFERENCES users (id) ON DELETE SET NULL,
          title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
          mux_asset_id text,
          version integer NOT NULL CHECK (version >= 1),
          status text NOT NULL DEFAULT 'uploading'
            CHECK (status IN ('uploading', 'processing', 'ready', 'errored', 'deleted')),
          duration numeric(12, 3) CHECK (duration >= 0),
          storage_checksum text CHECK (storage_checksum ~ '^[0-9a-f]{{64}}$'),
          {TIMESTAMPS},
          CONSTRAINT uq_assets_project_version UNIQUE (project_id, version),
          CONSTRAINT uq_assets_id_tenant UNIQUE (id, tenant_id),
          CONSTRAINT fk_assets_project FOREIGN KEY (project_id, tenant_id)
            REFERENCES projects (id, tenant_id) ON DELETE CASCADE,
          CONSTRAINT fk_assets_milestone FOREIGN KEY (milestone_id, project_id)
            REFERENCES milestones (id, project_id) ON DELETE SET NULL (milestone_id)
        );
        CREATE INDEX idx_assets_project_status ON assets (project_id, status);
        CREATE INDEX idx_assets_tenant ON assets (tenant_id);

        CREATE TABLE share_links (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL,
          asset_id uuid NOT NULL,
          hashed_token text NOT NULL CHECK (hashed_token ~ '^[0-9a-f]{{64}}$'),
          expires_at timestamptz NOT NULL,
          passcode_hash text,
          status text NOT NULL DEFAULT 'active'
            CHECK (status IN ('active', 'expired', 'revoked', 'exhausted')),
          view_limit integer CHECK (view_limit > 0),
          view_count integer NOT NULL DEFAULT 0 CHECK (view_count >= 0),
          created_by uuid REFERENCES users (id) ON DELETE SET NULL,
          {TIMESTAMPS},
          CONSTRAINT uq_share_links_hashed_token UNIQUE (hashed_token),
          CONSTRAINT fk_share_links_asset FOREIGN KEY (asset_id, tenant_id)
            REFERENCES assets (id, tenant_id) ON DELETE CASCADE,
          CONSTRAINT ck_share_links_view_limit CHECK (view_limit IS NULL OR view_count <= view_limit)
        );
        CREATE INDEX idx_share_links_expires_at ON share_links (expires_at);
        CREATE INDEX idx_share_links_active ON share_links (asset_id) WHERE status = 'active';
        CREATE INDEX idx_share_links_tenant ON share_links (tenant_id);

        CREATE TABLE comments (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          parent_type text NOT NULL CHECK (parent_type IN ('task', 'asset')),
          parent_id uuid NOT NULL,
          author_id uuid REFERENCES users (id) ON DELETE SET NULL,
          body text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 10000),
          metadata jsonb NOT NULL DEFAULT '{{}}'::jsonb,
          {TIMESTAMPS}
        );
        CREATE INDEX idx_comments_parent ON comments (parent_type, parent_id, created_at);
        CREATE INDEX idx_comments_metadata ON comments USING gin (metadata jsonb_path_ops);
        CREATE INDEX idx_comments_body_fts ON comments USING gin (to_tsvector('english', body));
        CREATE INDEX idx_comments_tenant ON comments (tenant_id);

        CREATE TABLE notifications (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL,
          user_id uuid NOT NULL,
          type text NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
          payload jsonb NOT NULL DEFAULT '{{}}'::jsonb,
          delivered_at timestamptz,
          read_at timestamptz,
          created_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT fk_notifications_user FOREIGN KEY (user_id, tenant_id)
            REFERENCES users (id, tenant_id) ON DELETE CASCADE
        );
        CREATE INDEX idx_notifications_user_read ON notifications (user_id, read_at);
        CREATE INDEX idx_notifications_unread ON notifications (user_id, created_at DESC)
          WHERE read_at IS NULL;
        CREATE INDEX idx_notifications_tenant ON notifications (tenant_id);

        CREATE TABLE residency_evidence (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          tenant_id uuid NOT NULL REFERENCES tenants (id),
          generated_at timestamptz NOT NULL DEFAULT now(),
          report_url text NOT NULL,
          checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{{64}}$')
        );
        CREATE INDEX idx_residency_evidence_tenant ON residency_evidence (tenant_id, generated_at DESC);

        CREATE TABLE webhook_events (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          source text NOT NULL CHECK (source IN ('mux', 'resend')),
          event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
          payload jsonb NOT NULL,
          status text NOT NULL DEFAULT 'received'
            CHECK (status IN ('received', 'processing', 'processed', 'failed', 'dead')),
          received_at timestamptz NOT NULL DEFAULT now(),
          processed_at timestamptz,
          retry_count integer NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
          last_error text,
          CONSTRAINT uq_webhook_events_source_event UNIQUE (source, event_id)
        );
        CREATE INDEX idx_webhook_events_status ON webhook_events (status, received_at);

        CREATE TABLE job_runs (
          id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
          job_name text NOT NULL CHECK (length(job_name) BETWEEN 1 AND 200),
          started_at timestamptz NOT NULL DEFAULT now(),
          completed_at timestamptz,
          result text NOT NULL DEFAULT 'running'
            CHECK (result IN ('running', 'succeeded', 'failed', 'skipped')),
          metadata jsonb NOT NULL DEFAULT '{{}}'::jsonb
        );
        CREATE INDEX idx_job_runs_name_started ON job_runs (job_name, started_at DESC);
        """
    )
    for table in UPDATED_AT_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_updated_at BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
        )


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE job_runs, webhook_events, residency_evidence, notifications, comments,
                   share_links, assets, tasks, milestones, projects, user_sessions, users, tenants;
        """
    )
