"""projects, milestones and tasks."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import and_, func
from sqlalchemy.orm import column_property
from sqlmodel import Field, SQLModel

from portal.models._base import id_field, tenant_field, timestamp_field


# A production engagement for one client of a tenant.
class Project(SQLModel, table=True):
    __tablename__ = "projects"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    client_name: str
    title: str
    status: str = "active"  # planning | active | on_hold | completed | archived
    start_date: date | None = None
    end_date: date | None = None
    created_by: UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


# An ordered phase of a project; titles are unique per project.
class Milestone(SQLModel, table=True):
    __tablename__ = "milestones"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    project_id: UUID = Field(foreign_key="projects.id")
    title: str
    due_date: date | None = None
    status: str = "pending"  # pending | in_progress | completed | blocked
    sequence: int = 0
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


# An action item under a milestone.
class Task(SQLModel, table=True):
    __tablename__ = "tasks"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    milestone_id: UUID = Field(foreign_key="milestones.id")
    assignee_id: UUID | None = Field(default=None, foreign_key="users.id")
    title: str
    description: str = ""
    status: str = "pending"  # pending | in_progress | in_review | completed
    due_date: date | None = None
    completed_at: datetime | None = timestamp_field(nullable=True)
    effort_estimate: Decimal | None = None
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


# Same rule as the SQL function is_overdue(tasks): open and due before "today" (app.timezone).
Task.is_overdue = column_property(
    and_(
        Task.__table__.c.status != "completed",
        Task.__table__.c.due_date.is_not(None),
        Task.__table__.c.due_date < func.app_today(),
    )
)
