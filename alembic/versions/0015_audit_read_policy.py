"""Audit read policy the planner can size: `coalesce(tenant_id = ANY (scope), false)`.

The read policy `tenant_id = ANY ((SELECT app_tenant_scope())::uuid[])` compares with an array
the planner cannot see (an InitPlan), so it assumes ten tenants. For a studio admin whose scope
is every agency (1,001 tenants at the benchmark's scale) that made a sparse filter over a year
look like a few hundred rows: the planner ANDed the tenant index with the other indexes in every
partition and sorted the result (12 s at 10,000,000 rows) instead of walking
`idx_audit_logs_created` newest first and stopping after one page, as the superuser does.

Wrapped in `coalesce(…, false)` the condition passes exactly the same rows (RLS already treats
NULL as "not visible"), but it is no longer an index condition and the planner gives it its
default selectivity (one half) rather than "ten tenants": the studio admin's page walks the
date index and filters the scope row by row. A one-tenant scope loses nothing: the audit page
names the tenant explicitly (portal/services/compliance/audit_log.py), and every other reader of
audit_logs filters on tenant_id itself (chain verification, residency record counts).
The INSERT policy is unchanged.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SCOPE = "tenant_id = ANY ((SELECT app_tenant_scope())::uuid[])"


def upgrade() -> None:
    op.execute(f"ALTER POLICY tenant_read ON audit_logs USING (coalesce({SCOPE}, false))")


def downgrade() -> None:
    op.execute(f"ALTER POLICY tenant_read ON audit_logs USING ({SCOPE})")
