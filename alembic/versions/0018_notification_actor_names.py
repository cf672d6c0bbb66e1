"""Notification titles name their actor at read time: `notification_actor_names(ids)`.

Issue 17 section 3: `notifications.payload` no longer copies the actor's name (nor a comment
excerpt); it keeps the actor's id. An agency's session cannot read the studio's users (and a
job in the studio's tenant cannot read an agency's), so the name comes from this SECURITY
DEFINER function: for notifications in the caller's tenant scope only, the display name of the
user in `payload.actor_id`, when that user's tenant is the notification's own tenant, the
tenant managing it, or one it manages. It reads users through the `auth_lookup` policy (the
flag is switched on for its own query and off again, as in 0005). Executable by the runtime
role only.

Rows written before this revision are brought in line once (one tenant context at a time, as
the policies require): task comment bodies get the masking asset comments always had, stored
comment excerpts leave notification payloads (the bell reads them from the comment now), and
stored Resend payloads are reduced as new ones are (portal/services/compliance/redaction.py). Those data
changes are not undone by the downgrade.

Revision ID: 0018
Revises: 0017
"""

import json

from sqlalchemy import text

from alembic import op
from portal.settings import get_settings

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

FUNCTION = "notification_actor_names(uuid[])"

_ACTOR_NAMES = """
CREATE FUNCTION notification_actor_names(p_ids uuid[])
RETURNS TABLE (notification_id uuid, actor_name text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
#variable_conflict use_column
DECLARE
  n_ids uuid[];
  n_tenants uuid[];
  n_actors uuid[];
BEGIN
  SELECT array_agg(n.id), array_agg(n.tenant_id), array_agg((n.payload->>'actor_id')::uuid)
    INTO n_ids, n_tenants, n_actors
    FROM notifications n
   WHERE n.id = ANY (p_ids)
     AND n.tenant_id = ANY (app_tenant_scope())
     AND n.payload->>'actor_id' ~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$';
  IF n_ids IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config('app.auth_lookup', 'on', true);
  RETURN QUERY
    SELECT x.id, coalesce(nullif(btrim(u.name), ''), split_part(u.email, '@', 1))
      FROM unnest(n_ids, n_tenants, n_actors) AS x(id, tenant_id, actor)
      JOIN users u ON u.id = x.actor
      JOIN tenants nt ON nt.id = x.tenant_id
      JOIN tenants ut ON ut.id = u.tenant_id
     WHERE u.tenant_id = x.tenant_id OR nt.managed_by = u.tenant_id
        OR ut.managed_by = x.tenant_id;
  PERFORM set_config('app.auth_lookup', '', true);
END $$;
"""


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(_ACTOR_NAMES)
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
    op.execute(f'GRANT EXECUTE ON FUNCTION {FUNCTION} TO "{role}"')
    _scrub_existing_rows()


def _scrub_existing_rows() -> None:
    """Earlier rows: task comments masked, excerpts dropped, Resend payloads reduced."""
    from portal.services.compliance.redaction import stored_payload
    from portal.services.media.comments import scrub_pii

    bind = op.get_bind()
    for (tenant_id,) in bind.execute(text("SELECT id FROM tenants")).all():
        bind.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        comments = bind.execute(
            text("SELECT id, body FROM comments WHERE parent_type = 'task' AND body ~ '[@0-9]'")
        ).all()
        for comment_id, body in comments:
            if scrub_pii(body) != body:
                bind.execute(
                    text("UPDATE comments SET body = :b WHERE id = :i"),
                    {"b": scrub_pii(body), "i": comment_id},
                )
        bind.execute(
            text(
                "UPDATE notifications SET payload = payload - 'excerpt'"
                " WHERE payload ? 'excerpt' AND payload ? 'comment_id'"
            )
        )
    bind.execute(text("SELECT set_config('app.tenant_id', '', true)"))
    events = bind.execute(text("SELECT id, payload FROM webhook_events WHERE source = 'resend'"))
    for event_id, payload in events.all():
        reduced = stored_payload("resend", payload)
        if reduced != payload:
            bind.execute(
                text("UPDATE webhook_events SET payload = CAST(:p AS jsonb) WHERE id = :i"),
                {"p": json.dumps(reduced), "i": event_id},
            )


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {FUNCTION}")
