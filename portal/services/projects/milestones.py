"""Milestones: ordered phases of a project (create, edit, reorder, delete) and timeline data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session

from portal.models import Milestone, Project, Task
from portal.services.core.errors import InvalidInput
from portal.services.core.locale import format_date, format_short_date, today
from portal.services.core.rows import get_milestone, get_project, insert_row
from portal.services.core.validation import (
    MAX_TITLE,
    check_within,
    clean_text,
    parse_date,
    parse_uuid,
)
from portal.services.projects.view_types import MILESTONE_STATUSES, MilestoneView


def create_milestone(
    *,
    session: Session,
    project_id: UUID | str,
    title: str,
    due_date: date | str | None = None,
    sequence: int | None = None,
    status: str = "pending",
) -> Milestone:
    """Add a milestone at the end of a project; a duplicate title gets a clear message."""
    project = get_project(session=session, project_id=project_id)
    title, due = _check_fields(project, title, due_date, status)
    if sequence is None:
        last = session.scalar(
            select(func.max(Milestone.sequence)).where(Milestone.project_id == project.id)
        )
        sequence = 0 if last is None else last + 1
    milestone = Milestone(
        tenant_id=project.tenant_id,
        project_id=project.id,
        title=title,
        due_date=due,
        sequence=sequence,
        status=status,
    )
    return insert_row(session, milestone)


def update_milestone(
    *,
    session: Session,
    milestone_id: UUID | str,
    title: str,
    due_date: date | str | None,
    status: str,
) -> Milestone:
    """Edit a milestone's title, due date and status."""
    milestone = get_milestone(session=session, milestone_id=milestone_id)
    project = get_project(session=session, project_id=milestone.project_id)
    milestone.title, milestone.due_date = _check_fields(project, title, due_date, status)
    milestone.status = status
    return insert_row(session, milestone)


def _check_fields(project: Project, title: str, due_date, status: str):  # type: ignore[no-untyped-def]
    title = clean_text(title, label="Milestone title", max_length=MAX_TITLE)
    if status not in MILESTONE_STATUSES:
        raise InvalidInput(f"Unknown milestone status: {status}.")
    due = parse_date(due_date, label="Due date")
    check_within(due, project.start_date, project.end_date)
    return title, due


def reorder_milestones(
    *, session: Session, project_id: UUID | str, ordered_ids: list[str]
) -> list[Milestone]:
    """Renumber a project's milestones in the given order (every milestone exactly once)."""
    project = get_project(session=session, project_id=project_id)
    milestones = _ordered(session, project.id)
    by_id = {str(m.id): m for m in milestones}
    wanted = [str(parse_uuid(i)) for i in ordered_ids]
    if sorted(wanted) != sorted(by_id):
        raise InvalidInput("The new order must list each milestone of the project once.")
    for position, milestone_id in enumerate(wanted):
        by_id[milestone_id].sequence = position
    session.flush()
    return [by_id[i] for i in wanted]


def move_milestone(*, session: Session, milestone_id: UUID | str, offset: int) -> None:
    """Move a milestone up (offset -1) or down (+1) in its project's order."""
    milestone = get_milestone(session=session, milestone_id=milestone_id)
    ids = [str(m.id) for m in _ordered(session, milestone.project_id)]
    index = ids.index(str(milestone.id))
    target = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    reorder_milestones(session=session, project_id=milestone.project_id, ordered_ids=ids)


def delete_milestone(*, session: Session, milestone_id: UUID | str) -> None:
    """Delete a milestone and its tasks (their comments go with them)."""
    milestone = get_milestone(session=session, milestone_id=milestone_id)
    session.delete(milestone)
    session.flush()


def _ordered(session: Session, project_id: UUID) -> list[Milestone]:
    query = select(Milestone).where(Milestone.project_id == project_id)
    return list(session.scalars(query.order_by(Milestone.sequence, Milestone.created_at)))


@dataclass(frozen=True)
class Timeline:
    """A project's milestone bars, where today falls, and the span's first and last dates."""

    milestones: list[MilestoneView]
    today_left: str
    start: str
    end: str


def timeline(*, session: Session, project_id: UUID | str) -> Timeline:
    """A project's milestones in order, with bar positions on the project's date span."""
    project = get_project(session=session, project_id=project_id)
    milestones = _ordered(session, project.id)
    counts = {
        mid: (done, total)
        for mid, done, total in session.execute(
            select(
                Task.milestone_id,
                func.count().filter(Task.status == "completed"),
                func.count(),
            )
            .where(Task.milestone_id.in_([m.id for m in milestones]))
            .group_by(Task.milestone_id)
        ).all()
    }
    span = TimelineSpan.of(project, milestones)
    views, previous = [], span.start
    for m in milestones:
        end = m.due_date or previous
        begin = min(previous, end)
        views.append(_view(m, counts.get(m.id, (0, 0)), span, begin, end))
        previous = max(previous, end)
    return Timeline(
        milestones=views,
        today_left=f"{span.percent(today()):.2f}%",
        start=format_date(span.start),
        end=format_date(span.end),
    )


def _view(m: Milestone, counts, span: TimelineSpan, begin: date, end: date) -> MilestoneView:  # type: ignore[no-untyped-def]
    left = span.percent(begin)
    width = max(span.percent(end) - left, 1.5)
    return MilestoneView(
        id=str(m.id),
        title=m.title,
        status=m.status,
        due_date=format_date(m.due_date),
        due_input=format_short_date(m.due_date),
        sequence=m.sequence,
        overdue=bool(m.due_date and m.due_date < today() and m.status != "completed"),
        tasks_done=counts[0],
        tasks_total=counts[1],
        left=f"{left:.2f}%",
        width=f"{min(width, 100 - left):.2f}%",
    )


@dataclass(frozen=True)
class TimelineSpan:
    """The dates a project timeline covers: the project's dates, widened to fit milestones."""

    start: date
    end: date

    @classmethod
    def of(cls, project: Project, milestones: list[Milestone]) -> TimelineSpan:
        dates = [m.due_date for m in milestones if m.due_date]
        dates += [d for d in (project.start_date, project.end_date, today()) if d]
        start, end = min(dates), max(dates)
        return cls(start, end if end > start else date.fromordinal(start.toordinal() + 1))

    def percent(self, value: date) -> float:
        """Where `value` falls on the span, 0-100."""
        total = (self.end - self.start).days
        return max(0.0, min(100.0, (value - self.start).days * 100 / total))
