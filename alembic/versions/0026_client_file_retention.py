"""Retention of client files per tenant: `tenants.client_file_retention_days` (NULL = kept until
deleted; 1–3650 days). The daily `client_files_retention` job deletes a tenant's client files
(rows, audited, and bytes) received longer ago than that.

Revision ID: 0026
Revises: 0025
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE tenants ADD COLUMN client_file_retention_days integer"
        " CHECK (client_file_retention_days BETWEEN 1 AND 3650)"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE tenants DROP COLUMN client_file_retention_days")
