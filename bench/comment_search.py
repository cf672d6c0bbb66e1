"""Comment search over the data set's comments (1,000,000 at BENCH_SCALE=large), under RLS.

Goal (issue 5): p95 ≤ 30 ms using the GIN index, plan shown. Measured through the service
(`search_comments`, runtime role, RLS) for an agency member and for the studio admin (every
agency in scope), for a frequent pair of words, a rare word and a word no comment has. Baseline:
the same search as the superuser (no RLS, no function hop), scope given as a constant.
Run: `make bench-data SCALE=large` once, then `BENCH_SCALE=large python -m bench comment_search`.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from bench._data import Dataset, ensure
from bench._report import goal
from bench._timing import measure_pair, show_plan, superuser_engine
from portal.db import TenantContext, tenant_session
from portal.services.media.comments import search_comments

GOAL_MS = 30.0
QUERIES = ("flicker logo", "term2999", "zyzzyva")
# What comment_search_ids runs, with the caller's scope as a parameter (migration 0012).
INNER = (
    "SELECT s.comment_id FROM comment_search s"
    " WHERE s.body_tsv @@ websearch_to_tsquery('english', :q) AND s.tenant_id = ANY (:scope)"
    " ORDER BY s.created_at DESC, s.comment_id DESC LIMIT 50"
)
BASELINE = text(
    f"SELECT c.* FROM comments c WHERE c.id = ANY (ARRAY({INNER}))"
    " ORDER BY c.created_at DESC, c.id DESC"
)


def _contexts(data: Dataset) -> dict[str, TenantContext]:
    return {
        "agency member": TenantContext(tenant_id=data.tenant),
        "studio admin (all agencies)": TenantContext(
            tenant_id=data.studio, user_id=data.studio_admin, admin_scope=True
        ),
    }


def main() -> None:
    data = ensure()
    engine = superuser_engine(data.superuser)
    print(f"scale {data.scale}: {data.counts['comments']:,} comments", flush=True)
    for who, ctx in _contexts(data).items():
        with tenant_session(ctx) as session:
            scope = list(session.execute(text("SELECT app_tenant_scope()")).scalar_one())
        for query in QUERIES:
            found: list[int] = []

            def rls(ctx: TenantContext = ctx, query: str = query, found: list = found) -> None:
                with tenant_session(ctx) as session:
                    found[:] = [len(search_comments(session=session, query=query))]

            def baseline(query: str = query, scope: list = scope) -> None:
                with Session(engine) as session, session.begin():
                    session.execute(BASELINE, {"q": query, "scope": scope}).all()

            measured, base = measure_pair(rls, baseline)
            goal(
                f"comment search p95, {who}, {query!r} ({found[0]} shown)",
                f"{measured:.1f} ms",
                f"{base:.1f} ms (superuser, no RLS)",
                measured / base,
                f"≤ {GOAL_MS:.0f} ms over {data.counts['comments']:,} comments",
                measured <= GOAL_MS,
            )
        with engine.connect() as connection:
            show_plan(connection, INNER, {"q": QUERIES[0], "scope": scope}, f"{who}, frequent")
            show_plan(connection, INNER, {"q": QUERIES[1], "scope": scope}, f"{who}, rare")
    engine.dispose()


if __name__ == "__main__":
    main()
