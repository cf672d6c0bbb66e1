"""The audit page's newest-first order as an index: (created_at DESC, id DESC).

The page lists rows newest first with keyset paging on (created_at, id). For one tenant the
tenant index (tenant_id, created_at DESC) serves it; across many tenants (a studio admin's
scope) nothing did, so every row in the date range was read and sorted for each page (seconds
at 10,000,000 rows). With this index a page reads its 51 rows in order from the newest
partition down, filtering the scope as it goes.

Note for large existing logs: an index on a partitioned table is built partition by partition in
one transaction; on a live system build it per partition with CONCURRENTLY and attach instead.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX idx_audit_logs_created ON audit_logs (created_at DESC, id DESC)")


def downgrade() -> None:
    op.execute("DROP INDEX idx_audit_logs_created")
