"""Titles and names have one length limit (MAX_TITLE): a title of exactly that length is kept
whole, one character more is refused with a message naming the field and the limit, and
nothing is written (issue 20 item 7: a very long title broke every list it appeared in)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest
from sqlalchemy import func, select

from portal.db import tenant_session
from portal.models import Asset, Milestone, Project, ShareLink, Task
from portal.services.core.errors import InvalidInput
from portal.services.core.validation import MAX_TITLE
from portal.services.media.assets import create_asset_version
from portal.services.projects.milestones import create_milestone
from portal.services.projects.projects import create_project, update_project
from portal.services.projects.tasks import create_task, update_task
from portal.services.sharing.links import create_share_link
from tests.factories import Studio, ctx, make_graph

pytestmark = pytest.mark.usefixtures("database")

LONGEST, TOO_LONG = "t" * MAX_TITLE, "t" * (MAX_TITLE + 1)


def test_the_limit_is_two_hundred_characters() -> None:
    assert MAX_TITLE == 200


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _refused(studio: Studio, model, write: Callable, message: str):
    """`write(session, text)` refuses MAX_TITLE + 1 characters (writing nothing) and keeps
    MAX_TITLE; returns the row kept."""
    with tenant_session(studio.admin_ctx) as session:
        before = _count(session, model)
        with pytest.raises(InvalidInput) as refused:
            write(session, TOO_LONG)
        assert _count(session, model) == before
        kept = write(session, LONGEST)
    assert refused.value.user_message == message
    return kept


def test_project_title_and_client(studio: Studio) -> None:
    def title(session, value):
        return create_project(
            session=session, tenant_id=studio.agency.id, title=value, client_name="Acme"
        )

    def client(session, value):
        return create_project(
            session=session, tenant_id=studio.agency.id, title="Launch", client_name=value
        )

    assert (
        _refused(studio, Project, title, "Title must be at most 200 characters.").title == LONGEST
    )
    kept = _refused(studio, Project, client, "Client name must be at most 200 characters.")
    assert kept.client_name == LONGEST
    with tenant_session(studio.admin_ctx) as session:
        with pytest.raises(InvalidInput, match="Title must be at most 200 characters"):
            update_project(
                session=session,
                project_id=studio.project.id,
                title=TOO_LONG,
                client_name="Client",
                status="active",
                start_date=None,
                end_date=None,
            )
        assert session.get(Project, studio.project.id).title == studio.project.title


def test_milestone_title(studio: Studio) -> None:
    def write(session, value):
        return create_milestone(session=session, project_id=studio.project.id, title=value)

    kept = _refused(studio, Milestone, write, "Milestone title must be at most 200 characters.")
    assert kept.title == LONGEST


def test_task_title_on_create_and_edit(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        milestone = create_milestone(session=session, project_id=studio.project.id, title="Edit")

    def write(session, value):
        return create_task(session=session, milestone_id=milestone.id, title=value)

    kept = _refused(studio, Task, write, "Task title must be at most 200 characters.")
    assert kept.title == LONGEST
    with tenant_session(studio.admin_ctx) as session:
        task = create_task(session=session, milestone_id=milestone.id, title="Grade")
        with pytest.raises(InvalidInput, match="Task title must be at most 200 characters"):
            update_task(
                session=session,
                task_id=task.id,
                title=TOO_LONG,
                description="",
                due_date=None,
                effort_estimate=None,
                assignee_id=None,
            )


def test_deliverable_title(studio: Studio) -> None:
    def write(session, value):
        return create_asset_version(session=session, project_id=studio.project.id, title=value)

    kept = _refused(studio, Asset, write, "The deliverable title must be at most 200 characters.")
    assert kept.title == LONGEST


def test_share_link_name() -> None:
    graph = make_graph()
    with tenant_session(ctx(graph.tenant, graph.user)) as session:
        session.get(Asset, graph.asset.id).status = "ready"  # only a ready version is shared
        session.flush()
        before = _count(session, ShareLink)
        with pytest.raises(InvalidInput, match="^Name must be at most 200 characters.$"):
            create_share_link(
                session=session, asset_id=graph.asset.id, created_by=None, name=TOO_LONG
            )
        assert _count(session, ShareLink) == before
        kept = create_share_link(
            session=session, asset_id=graph.asset.id, created_by=None, name=LONGEST
        )
        assert session.get(ShareLink, UUID(kept.id)).name == LONGEST
