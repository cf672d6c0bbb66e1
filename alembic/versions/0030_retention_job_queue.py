"""Retention for the job queue: procrastinate jobs finished (succeeded, failed, cancelled or
aborted) more than 30 days ago are deleted by the daily purge, with their events (ON DELETE
CASCADE); procrastinate's own delete trigger unlinks any periodic defer that names one. The
queue's arguments are ids and ticks, never content; the job ledger (`job_runs`, 90 days) keeps
what each run did. Unfinished jobs are never touched.

The purge functions gain a result column, so they are dropped and created again with every
0017/0029 rule kept; still owner-only.

Revision ID: 0030
Revises: 0029
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from sqlalchemy import text

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

PERIOD = (30, "after the job's last event, once succeeded, failed, cancelled or aborted")


def _revision_0029() -> ModuleType:
    path = Path(__file__).with_name("0029_retention_new_tables.py")
    spec = importlib.util.spec_from_file_location(f"_revision_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_DELETE = """
  DELETE FROM procrastinate_jobs j
   WHERE j.status IN ('succeeded', 'failed', 'cancelled', 'aborted')
     AND (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id)
         < p_now - make_interval(days => retention_days('procrastinate_jobs'));
  GET DIAGNOSTICS procrastinate_jobs = ROW_COUNT;
  RETURN NEXT;
"""


def purge_sql(base: str) -> str:
    """0029's functions with the queue rule added (one more result column, one more delete)."""
    columns = "upload_requests integer, webhook_deliveries integer)"
    assert base.count(columns) == 2 and base.count("  RETURN NEXT;\n") == 1
    sql = base.replace(columns, columns[:-1] + ", procrastinate_jobs integer)")
    return sql.replace("  RETURN NEXT;\n", _DELETE)


def upgrade() -> None:
    op.get_bind().execute(
        text("INSERT INTO retention_periods VALUES ('procrastinate_jobs', :days, :counted)"),
        {"days": PERIOD[0], "counted": PERIOD[1]},
    )
    previous = _revision_0029()
    previous._replace_purge(purge_sql(previous._PURGE))


def downgrade() -> None:
    previous = _revision_0029()
    previous._replace_purge(previous._PURGE)
    op.execute("DELETE FROM retention_periods WHERE table_name = 'procrastinate_jobs'")
