"""Migration 0018 brings rows written before it in line: no personal data left copied."""

from __future__ import annotations

import psycopg
from psycopg.types.json import Jsonb

from portal.cli import migrate
from tests.conftest import ScratchDatabase

RESEND = {
    "type": "email.delivered",
    "created_at": "2026-12-01T10:00:00Z",
    "data": {"email_id": "re_old", "to": ["jo@client.test"], "subject": "Jo, your cut"},
}


def _old_rows(conn: psycopg.Connection) -> dict[str, str]:
    """A tenant with a task comment, its notification and a Resend event, as 0017 stored them."""
    tenant = conn.execute(
        "INSERT INTO tenants (name, type) VALUES ('Old studio', 'admin') RETURNING id"
    ).fetchone()[0]
    conn.execute("SELECT set_config('app.tenant_id', %s, false)", (str(tenant),))

    def one(sql: str, *args: object) -> str:
        return conn.execute(sql + " RETURNING id", (tenant, *args)).fetchone()[0]

    user = one(
        "INSERT INTO users (tenant_id, role, email, name) VALUES (%s, 'admin', 'a@o.test', 'Ada')"
    )
    project = one("INSERT INTO projects (tenant_id, client_name, title) VALUES (%s, 'C', 'P')")
    milestone = one(
        "INSERT INTO milestones (tenant_id, project_id, title) VALUES (%s, %s, 'M')", project
    )
    task = one(
        "INSERT INTO tasks (tenant_id, milestone_id, title) VALUES (%s, %s, 'Cut')", milestone
    )
    comment = one(
        "INSERT INTO comments (tenant_id, parent_type, parent_id, author_id, body)"
        " VALUES (%s, 'task', %s, %s, 'mail jo@client.test or +61 412 345 678')",
        task,
        user,
    )
    payload = {"title": "Ada commented", "link": "/", "comment_id": str(comment), "excerpt": "x"}
    one(
        "INSERT INTO notifications (tenant_id, user_id, type, payload)"
        " VALUES (%s, %s, 'comment', %s)",
        user,
        Jsonb(payload),
    )
    conn.execute(
        "INSERT INTO webhook_events (source, event_id, payload, status)"
        " VALUES ('resend', 'old-1', %s, 'processed')",
        (Jsonb(RESEND),),
    )
    return {"tenant": str(tenant), "comment": str(comment)}


def test_0018_masks_task_comments_drops_excerpts_and_reduces_resend_payloads(
    empty_database: ScratchDatabase,
) -> None:
    migrate(empty_database.owner_url, "0017")
    with psycopg.connect(empty_database.owner_conninfo, autocommit=True) as conn:
        ids = _old_rows(conn)
    migrate(empty_database.owner_url)
    with psycopg.connect(empty_database.owner_conninfo, autocommit=True) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", (ids["tenant"],))
        body = conn.execute("SELECT body FROM comments WHERE id = %s", (ids["comment"],)).fetchone()
        payload = conn.execute("SELECT payload FROM notifications").fetchone()[0]
        event = conn.execute(
            "SELECT payload FROM webhook_events WHERE event_id = 'old-1'"
        ).fetchone()
    assert body[0] == "mail [email removed] or [phone removed]"
    assert "excerpt" not in payload and payload["comment_id"] == ids["comment"]
    assert event[0] == {
        "type": "email.delivered",
        "created_at": "2026-12-01T10:00:00Z",
        "data": {"email_id": "re_old", "to": ["j•••@client.test"]},
    }
