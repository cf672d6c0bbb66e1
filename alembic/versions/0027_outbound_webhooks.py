"""Outbound webhooks: endpoints a tenant's admins register, and one delivery row per event sent.

- `webhook_endpoints`: URL, the events to send, the signing secret (encrypted with the portal's
  secret key; shown once when made), status and consecutive failures. RLS forced; audited
  (never the secret).
- `webhook_deliveries`: one per (event, endpoint): the payload, status (`pending`, `succeeded`,
  `failed` and due again at `next_attempt_at`, `dead`), attempts, and what the last attempt got
  back (HTTP status, latency, a response excerpt, the error). RLS forced.

Revision ID: 0027
Revises: 0026
"""

from alembic import op
from portal.settings import get_settings

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

_TABLES = """
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  events text[] NOT NULL CHECK (cardinality(events) > 0),
  secret text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  consecutive_failures integer NOT NULL DEFAULT 0,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
CREATE INDEX idx_webhook_endpoints_tenant ON webhook_endpoints (tenant_id, status);
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
  USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))
  WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]));
CREATE TRIGGER webhook_endpoints_audit
  AFTER INSERT OR DELETE OR UPDATE OF url, events, status ON webhook_endpoints
  FOR EACH ROW EXECUTE FUNCTION audit_row_change('secret');

CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT uuid_generate_v7(),
  tenant_id uuid NOT NULL,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'succeeded', 'failed', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  response_status integer,
  latency_ms integer,
  response_excerpt text,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz,
  next_attempt_at timestamptz
);
CREATE INDEX idx_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
  USING (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]))
  WITH CHECK (tenant_id = ANY ((SELECT app_tenant_scope())::uuid[]));
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(_TABLES)
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON webhook_endpoints TO "{role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO "{role}"')


def downgrade() -> None:
    op.execute("DROP TABLE webhook_deliveries")
    op.execute("DROP TABLE webhook_endpoints")
