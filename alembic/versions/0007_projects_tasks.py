"""Projects, milestones and tasks: threaded task comments and indexes for lists and dashboards.

- comments.reply_to_id: a reply points at the first comment of its thread, in the same tenant
  (composite foreign key). Deleting a thread's first comment keeps its replies (the service marks
  it deleted instead), so the key refuses a hard delete while replies exist.
- Indexes for the project list's default order (newest first, keyset pagination per tenant) and
  for the dashboard's per-tenant queries (milestones due soon, tasks by status).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE comments ADD CONSTRAINT uq_comments_id_tenant UNIQUE (id, tenant_id);
        ALTER TABLE comments ADD COLUMN reply_to_id uuid;
        ALTER TABLE comments ADD CONSTRAINT fk_comments_reply_to
          FOREIGN KEY (reply_to_id, tenant_id) REFERENCES comments (id, tenant_id);
        CREATE INDEX idx_comments_reply_to ON comments (reply_to_id) WHERE reply_to_id IS NOT NULL;

        CREATE INDEX idx_projects_tenant_created ON projects (tenant_id, created_at DESC, id DESC);
        CREATE INDEX idx_milestones_tenant_due ON milestones (tenant_id, due_date);
        CREATE INDEX idx_tasks_tenant_milestone_status ON tasks (tenant_id, milestone_id, status);
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP INDEX idx_tasks_tenant_milestone_status;
        DROP INDEX idx_milestones_tenant_due;
        DROP INDEX idx_projects_tenant_created;
        DROP INDEX idx_comments_reply_to;
        ALTER TABLE comments DROP CONSTRAINT fk_comments_reply_to;
        ALTER TABLE comments DROP COLUMN reply_to_id;
        ALTER TABLE comments DROP CONSTRAINT uq_comments_id_tenant;
        """
    )
