"""procrastinate's schema as portal/integrations/job_queue.py uses it: the installed release is
the one the migrations applied, and the migrated database has every table, column, type field,
function and index that module's SQL relies on (an upgrade that changes them fails here)."""

from __future__ import annotations

from importlib.metadata import version

import psycopg
import pytest

from portal.integrations.job_queue import PROCRASTINATE_VERSION, RELIES_ON
from portal.settings import get_settings

pytestmark = pytest.mark.usefixtures("database")


def test_the_installed_procrastinate_is_the_release_the_migrations_applied() -> None:
    assert version("procrastinate") == PROCRASTINATE_VERSION, (
        "procrastinate was upgraded: add a migration applying its sql/migrations/ files, check "
        "job_queue.RELIES_ON against the new schema, then bump PROCRASTINATE_VERSION"
    )


def test_the_migrated_schema_has_what_job_queue_relies_on(owner_conn: psycopg.Connection) -> None:
    for table, wanted in RELIES_ON["columns"].items():
        found = {
            row[0]
            for row in owner_conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                (table,),
            )
        }
        assert set(wanted) <= found, (table, set(wanted) - found)
    for type_name, fields in RELIES_ON["type_fields"].items():
        found_fields = [
            row[0]
            for row in owner_conn.execute(
                "SELECT a.attname FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid"
                " WHERE t.typname = %s AND a.attnum > 0 AND NOT a.attisdropped"
                " ORDER BY a.attnum",
                (type_name,),
            )
        ]
        assert tuple(found_fields) == fields, type_name
    for function, argument in RELIES_ON["functions"].items():
        signature = f"{function}({argument})"
        row = owner_conn.execute("SELECT to_regprocedure(%s)", (signature,)).fetchone()
        assert row is not None and row[0] is not None, signature
    index = owner_conn.execute(
        "SELECT indexdef FROM pg_indexes WHERE indexname = %s", (RELIES_ON["todo_lock_index"],)
    ).fetchone()
    assert index is not None
    assert "UNIQUE" in index[0] and "(queueing_lock) WHERE (status = 'todo'" in index[0]


def test_the_runtime_role_may_use_the_queue(owner_conn: psycopg.Connection) -> None:
    role = get_settings().app_db_role
    for table in RELIES_ON["tables"]:
        row = owner_conn.execute(
            "SELECT has_table_privilege(%s, %s, 'SELECT, INSERT, UPDATE, DELETE')", (role, table)
        ).fetchone()
        assert row == (True,), table
    for function in RELIES_ON["functions"]:
        row = owner_conn.execute(
            "SELECT has_function_privilege(%s, to_regprocedure(%s), 'EXECUTE')",
            (role, f"{function}({RELIES_ON['functions'][function]})"),
        ).fetchone()
        assert row == (True,), function
