"""Retention the runtime role cannot shorten, and a narrower runtime role (issues 16 and 17).

Work in progress: filled in by the following commits of this session.

Revision ID: 0017
Revises: 0016
"""

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
