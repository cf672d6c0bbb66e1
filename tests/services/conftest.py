"""Fixtures of the service tests: a milestone and a task in the studio's project."""

from __future__ import annotations

import pytest

from portal.db import tenant_session
from portal.models import Milestone, Task
from portal.services.projects.milestones import create_milestone
from portal.services.projects.tasks import create_task
from tests.factories import Studio


@pytest.fixture()
def milestone(studio: Studio) -> Milestone:
    """An "Edit" milestone in the studio's project."""
    with tenant_session(studio.admin_ctx) as session:
        return create_milestone(session=session, project_id=studio.project.id, title="Edit")


@pytest.fixture()
def task(studio: Studio, milestone: Milestone) -> Task:
    """A "Cut" task of that milestone, assigned (by the studio admin) to the agency member."""
    with tenant_session(studio.admin_ctx) as session:
        return create_task(
            session=session, milestone_id=milestone.id, title="Cut", assignee_id=studio.member.id
        )
