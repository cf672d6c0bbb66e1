"""Comments on tasks: one level of threaded replies, @mentions, edit/delete own for 15 minutes.

Email addresses and phone numbers in bodies are masked before insert, as on asset comments (data
protection); @mentions are resolved to member ids first, so `@sam@agency.test` still notifies.
"""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session

from portal.models import Comment, Task, User
from portal.services.core.errors import InvalidInput, PermissionDenied
from portal.services.core.locale import format_datetime
from portal.services.core.rows import get_comment, get_milestone, get_project, get_task, insert_row
from portal.services.core.validation import clean_text, parse_uuid
from portal.services.media.comments import scrub_pii
from portal.services.notifications.events import on_task_comment
from portal.services.projects.tasks import assignee_options
from portal.services.projects.view_types import CommentView

EDIT_WINDOW = timedelta(minutes=15)
MAX_BODY = 10000
DELETED_BODY = "This comment was deleted."
# @handle: an email's local part (@sam) or a whole email (@sam@agency.test).
MENTION = re.compile(r"(?<![\w@])@([\w.%+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def add_comment(
    *,
    session: Session,
    task_id: UUID | str,
    author_id: UUID,
    body: str,
    reply_to_id: UUID | str | None = None,
) -> Comment:
    """Comment on a task, or reply in a thread; @mentions of project members are stored."""
    task = get_task(session=session, task_id=task_id)
    raw = clean_text(body, label="Comment", max_length=MAX_BODY)
    root = None
    if reply_to_id:
        parent = get_comment(session=session, comment_id=reply_to_id)
        if parent.parent_type != "task" or parent.parent_id != task.id:
            raise InvalidInput("You can only reply to a comment on the same task.")
        root = parent.reply_to_id or parent.id  # replies to replies join the same thread
    comment = Comment(
        tenant_id=task.tenant_id,
        parent_type="task",
        parent_id=task.id,
        author_id=author_id,
        reply_to_id=root,
        body=scrub_pii(raw),
        meta={"mentions": _mentions(session, task, raw)},
    )
    return on_task_comment(session=session, comment=insert_row(session, comment))  # notifications


def edit_comment(*, session: Session, comment_id: UUID | str, user_id: UUID, body: str) -> Comment:
    """Change one's own comment within the edit window; mentions are found again."""
    comment = _own_recent(session, comment_id, user_id)
    raw = clean_text(body, label="Comment", max_length=MAX_BODY)
    task = get_task(session=session, task_id=comment.parent_id)
    comment.body = scrub_pii(raw)
    comment.meta = {**comment.meta, "mentions": _mentions(session, task, raw), "edited": True}
    return insert_row(session, comment)


def delete_comment(*, session: Session, comment_id: UUID | str, user_id: UUID) -> None:
    """Delete one's own comment within the window; a thread's first comment with replies is
    blanked instead, so the replies keep their context."""
    comment = _own_recent(session, comment_id, user_id)
    has_replies = session.scalar(
        select(func.count()).select_from(Comment).where(Comment.reply_to_id == comment.id)
    )
    if has_replies:
        comment.body, comment.meta = DELETED_BODY, {"deleted": True, "mentions": []}
        insert_row(session, comment)
    else:
        session.delete(comment)
        session.flush()


def _own_recent(session: Session, comment_id: UUID | str, user_id: UUID) -> Comment:
    comment = get_comment(session=session, comment_id=comment_id)
    if comment.parent_type != "task" or comment.author_id != user_id:
        raise PermissionDenied("You can only change your own comments.")
    if comment.meta.get("deleted"):
        raise InvalidInput("That comment was deleted.")
    now = session.scalar(select(func.now()))
    if now - comment.created_at > EDIT_WINDOW:
        raise PermissionDenied("Comments can be changed for 15 minutes after posting.")
    return comment


def _mentions(session: Session, task: Task, body: str) -> list[str]:
    """Ids of the project members named by @handle in `body` (visible ones, in order)."""
    handles = {h.rstrip(".").lower() for h in MENTION.findall(body)}
    if not handles:
        return []
    milestone = get_milestone(session=session, milestone_id=task.milestone_id)
    project = get_project(session=session, project_id=milestone.project_id)
    member_ids = [UUID(i) for i, _ in assignee_options(session, project)]
    rows = session.execute(select(User.id, User.email).where(User.id.in_(member_ids))).all()
    return [
        str(uid)
        for uid, email in rows
        if email.lower() in handles or email.split("@")[0].lower() in handles
    ]


def task_thread(*, session: Session, task_id: UUID | str, viewer_id: UUID) -> list[CommentView]:
    """A task's comments, oldest thread first, each followed by its replies."""
    task = get_task(session=session, task_id=parse_uuid(task_id))
    now = session.scalar(select(func.now()))
    rows = session.execute(
        select(Comment, User.name, User.email)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.parent_type == "task", Comment.parent_id == task.id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    mentioned = {UUID(m) for c, _, _ in rows for m in c.meta.get("mentions", [])}
    names = {
        str(uid): name or email
        for uid, name, email in session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(mentioned))
        ).all()
    }
    replies: dict[UUID, list] = {}
    for row in rows:
        if row[0].reply_to_id:
            replies.setdefault(row[0].reply_to_id, []).append(row)
    views = []
    for row in (r for r in rows if r[0].reply_to_id is None):
        for c, name, email in [row, *replies.get(row[0].id, [])]:
            views.append(_view(c, name or email or "Studio team", viewer_id, now, names))
    return views


def _view(c: Comment, author: str, viewer_id: UUID, now, names: dict[str, str]) -> CommentView:  # type: ignore[no-untyped-def]
    deleted = bool(c.meta.get("deleted"))
    return CommentView(
        id=str(c.id),
        author_name=author,
        body=c.body,
        created_at=format_datetime(c.created_at),
        is_reply=c.reply_to_id is not None,
        can_edit=c.author_id == viewer_id and not deleted and now - c.created_at <= EDIT_WINDOW,
        edited=bool(c.meta.get("edited")),
        deleted=deleted,
        mentions=", ".join(names.get(m, "") for m in c.meta.get("mentions", []) if m in names),
    )
