"""/api/audit/export.csv: the filtered audit log as CSV, streamed in batches from the database.

The session cookie is checked like any page handler (signed in, an admin, VIEW_AUDIT), and the
rows come from a transaction in the user's tenant context, so RLS decides which tenants appear.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from portal import routes
from portal.api._session import no_store, session_user
from portal.db import tenant_session
from portal.services.accounts.auth import SessionUser
from portal.services.compliance.audit_log import (
    CSV_HEADER,
    AuditFilters,
    export_rows,
    parse_filters,
)
from portal.services.core.errors import PortalError
from portal.services.core.permissions import Action

BATCH_ROWS = 500
# Spreadsheet apps run cells starting with these as formulas: neutralise them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_lines(user: SessionUser, filters: AuditFilters) -> Iterator[str]:
    """CSV text in chunks of BATCH_ROWS rows, read inside one tenant-scoped transaction."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    with tenant_session(user.context) as session:
        for n, row in enumerate(export_rows(session=session, filters=filters), start=1):
            writer.writerow([_cell(v) for v in row])
            if n % BATCH_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


def _filters(user: SessionUser, params: dict[str, str]) -> AuditFilters:
    with tenant_session(user.context) as session:
        return parse_filters(session=session, params=params)


async def export_csv(request: Request) -> Response:
    """Stream the audit entries matching the query parameters (same filters as the page)."""
    user = await session_user(request, Action.VIEW_AUDIT)
    if isinstance(user, Response):
        return user
    params = {k: v[:400] for k, v in request.query_params.items()}
    try:
        filters = await run_in_threadpool(_filters, user, params)
    except PortalError as exc:
        return no_store(PlainTextResponse(exc.user_message, status_code=400))
    name = f"audit-{filters.date_from}-{filters.date_to}.csv"
    return no_store(
        StreamingResponse(
            csv_lines(user, filters),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    )


ROUTES = [Route(routes.API_AUDIT_EXPORT, export_csv, methods=["GET"])]
