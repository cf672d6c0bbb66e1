"""Runtime role, UUIDv7 generator, tenant-scope helpers and the updated_at trigger.

Revision ID: 0001
Revises:
"""

from sqlalchemy import text

from alembic import op
from portal.settings import get_settings

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    settings = get_settings()
    role = settings.app_db_role
    # The runtime role owns nothing, is not a superuser and cannot bypass RLS. It is cluster-wide,
    # so another database on the same server may already have created it.
    op.execute(
        f"""
        DO $$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
            CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
          END IF;
        END $$;
        """
    )
    if settings.app_db_password:
        op.get_bind().execute(
            text(f'ALTER ROLE "{role}" PASSWORD :pw'),
            {"pw": settings.app_db_password.get_secret_value()},
        )
    op.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')

    # UUIDv7 in SQL (RFC 9562 layout) so PostgreSQL 15 and 18 behave alike; the app also
    # generates v7 ids in Python, this default covers rows made by triggers.
    op.execute(
        """
        CREATE FUNCTION uuid_generate_v7() RETURNS uuid
        LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
          SELECT encode(
            set_bit(set_bit(
              overlay(uuid_send(gen_random_uuid())
                      PLACING substring(int8send(
                        floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                      FROM 1 FOR 6),
              52, 1), 53, 1),
            'hex')::uuid
        $$;
        """
    )
    # The tenant named by app.tenant_id (NULL when unset: policies then match nothing).
    op.execute(
        """
        CREATE FUNCTION app_current_tenant() RETURNS uuid
        LANGUAGE sql STABLE AS $$
          SELECT nullif(current_setting('app.tenant_id', true), '')::uuid
        $$;
        CREATE FUNCTION app_current_user() RETURNS uuid
        LANGUAGE sql STABLE AS $$
          SELECT nullif(current_setting('app.user_id', true), '')::uuid
        $$;
        CREATE FUNCTION app_today() RETURNS date
        LANGUAGE sql STABLE AS $$
          SELECT (now() AT TIME ZONE coalesce(nullif(current_setting('app.timezone', true), ''),
                                              'Australia/Sydney'))::date
        $$;
        CREATE FUNCTION set_updated_at() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          NEW.updated_at := now();
          RETURN NEW;
        END $$;
        """
    )


def downgrade() -> None:
    role = get_settings().app_db_role
    op.execute(
        """
        DROP FUNCTION IF EXISTS set_updated_at();
        DROP FUNCTION IF EXISTS app_today();
        DROP FUNCTION IF EXISTS app_current_user();
        DROP FUNCTION IF EXISTS app_current_tenant();
        DROP FUNCTION IF EXISTS uuid_generate_v7();
        """
    )
    op.execute(f'REVOKE ALL ON SCHEMA public FROM "{role}"')
    # Other databases on this server may still use the role: drop it only when nothing depends.
    op.execute(
        f"""
        DO $$
        BEGIN
          DROP ROLE IF EXISTS "{role}";
        EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
          RAISE NOTICE 'role {role} kept: still used elsewhere on this server';
        END $$;
        """
    )
