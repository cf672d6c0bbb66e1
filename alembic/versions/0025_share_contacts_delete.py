"""Removing a guest drops their addresses on share links (`share_link_contacts`) in the same
transaction, so a removed guest is never told of new versions: the runtime role may now delete
those rows (RLS still limits them to the tenants in scope).

Revision ID: 0025
Revises: 0024
"""

from alembic import op
from portal.settings import get_settings

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = get_settings().app_db_role
    op.execute(f'GRANT DELETE ON share_link_contacts TO "{role}";')


def downgrade() -> None:
    role = get_settings().app_db_role
    op.execute(f'REVOKE DELETE ON share_link_contacts FROM "{role}";')
