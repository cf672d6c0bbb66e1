"""Comment search that can use a GIN index under row-level security.

Under RLS a query's own conditions may use an index only when their operators are LEAKPROOF
(otherwise they could leak rows the policy hides); `@@` is not, and only a superuser can mark it.
So the seed's GIN index on `to_tsvector('english', comments.body)` was never used by the runtime
role: a search read every comment in scope and computed each tsvector again.

- `comment_search` keeps each comment's tsvector (computed once, on write) with its tenant and
  time, GIN-indexed, plus a (tenant_id, created_at) index for newest-first scans within a tenant.
  It has no RLS and no grants: the runtime role reaches it only through `comment_search_ids`,
  which applies the caller's tenant scope (`app_tenant_scope()`) itself.
- `comment_search_ids(query, limit)` plans the query with the actual scope (EXECUTE ... USING),
  so the planner picks the tenant index for one tenant and the GIN index across many.
- A trigger keeps `comment_search` in step with comments; deletes cascade through its foreign key.
- The unusable expression index `idx_comments_body_fts` is dropped.

Revision ID: 0012
Revises: 0011
"""

from alembic import op
from portal.settings import get_settings

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        """
        CREATE TABLE comment_search (
          comment_id uuid PRIMARY KEY,
          tenant_id uuid NOT NULL,
          created_at timestamptz NOT NULL,
          body_tsv tsvector NOT NULL,
          CONSTRAINT fk_comment_search_comment FOREIGN KEY (comment_id, tenant_id)
            REFERENCES comments (id, tenant_id) ON DELETE CASCADE
        );

        -- Forced RLS hides comments from their owner too: lift it for the backfill only.
        ALTER TABLE comments NO FORCE ROW LEVEL SECURITY;
        INSERT INTO comment_search (comment_id, tenant_id, created_at, body_tsv)
          SELECT id, tenant_id, created_at, to_tsvector('english', body) FROM comments;
        ALTER TABLE comments FORCE ROW LEVEL SECURITY;

        CREATE INDEX idx_comment_search_tsv ON comment_search USING gin (body_tsv);
        CREATE INDEX idx_comment_search_tenant_created
          ON comment_search (tenant_id, created_at DESC);
        -- Newest first across many tenants: a common word matches within the latest rows.
        CREATE INDEX idx_comment_search_created ON comment_search (created_at DESC, comment_id DESC);
        DROP INDEX idx_comments_body_fts;

        CREATE FUNCTION comment_search_sync() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        BEGIN
          INSERT INTO comment_search (comment_id, tenant_id, created_at, body_tsv)
          VALUES (NEW.id, NEW.tenant_id, NEW.created_at, to_tsvector('english', NEW.body))
          ON CONFLICT (comment_id) DO UPDATE
            SET tenant_id = excluded.tenant_id, created_at = excluded.created_at,
                body_tsv = excluded.body_tsv;
          RETURN NULL;
        END $$;
        CREATE TRIGGER comments_search AFTER INSERT OR UPDATE OF body, created_at, tenant_id
          ON comments FOR EACH ROW EXECUTE FUNCTION comment_search_sync();
        REVOKE ALL ON FUNCTION comment_search_sync() FROM PUBLIC;

        -- The newest comments in the caller's tenant scope matching a web-search query (at
        -- most 200); callers read the comments themselves under RLS. One tenant's comments
        -- (thousands) are read newest first through the tenant index, matching each stored
        -- tsvector (ts_match_vq: a function call, so the planner cannot pick the GIN index,
        -- whose posting lists for common words are far longer than one tenant's comments);
        -- a wider scope goes through the GIN index, planned with the actual scope.
        CREATE FUNCTION comment_search_ids(p_query text, p_limit integer)
        RETURNS TABLE (comment_id uuid)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        ROWS 50 AS $$
        DECLARE
          scope uuid[] := app_tenant_scope();
          q tsquery := websearch_to_tsquery('english', p_query);
          n integer := least(greatest(p_limit, 1), 200);
        BEGIN
          IF cardinality(scope) = 1 THEN
            RETURN QUERY
              SELECT s.comment_id FROM comment_search s
               WHERE s.tenant_id = scope[1] AND ts_match_vq(s.body_tsv, q)
               ORDER BY s.created_at DESC, s.comment_id DESC
               LIMIT n;
          ELSE
            RETURN QUERY EXECUTE
              'SELECT s.comment_id FROM comment_search s
                WHERE s.body_tsv @@ $1 AND s.tenant_id = ANY ($2)
                ORDER BY s.created_at DESC, s.comment_id DESC
                LIMIT $3'
              USING q, scope, n;
          END IF;
        END $$;
        REVOKE ALL ON FUNCTION comment_search_ids(text, integer) FROM PUBLIC;
        """
    )
    op.execute(f'GRANT EXECUTE ON FUNCTION comment_search_ids(text, integer) TO "{role}"')


def downgrade() -> None:
    op.execute(
        """
        DROP FUNCTION comment_search_ids(text, integer);
        DROP TRIGGER comments_search ON comments;
        DROP FUNCTION comment_search_sync();
        DROP TABLE comment_search;
        CREATE INDEX idx_comments_body_fts ON comments USING gin (to_tsvector('english', body));
        """
    )
