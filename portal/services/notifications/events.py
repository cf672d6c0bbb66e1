"""Events that notify someone: each finds its recipients and calls `fan_out`.

Other services call these with one line where the event happens (task comments, assignment,
asset status, invitation acceptance). Approvals and share-link views have no service yet; their
functions are here for those issues to call.

Payloads hold no personal data: who acted is `actor_id` beside the `action` ("commented on
“Cut”"), a comment is its `comment_id`; names and excerpts are read when the notification is
shown (notification_inbox.displayed), so an erased or renamed user or a deleted comment is
never left copied in someone's bell or a later digest.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from sqlalchemy import String, cast, select, text
from sqlmodel import Session

from portal import routes
from portal.integrations.job_queue import SHARE_VERSION_QUEUE, SHARE_VERSION_TASK, defer_job
from portal.models import (
    Asset,
    AuthToken,
    Comment,
    Milestone,
    Notification,
    ShareDecision,
    ShareLink,
    Task,
    Tenant,
    User,
)
from portal.services.core.versions import deliverable_version
from portal.services.notifications.fan_out import fan_out, link_for_project


def _actor(session: Session) -> UUID | None:
    """The signed-in user of this transaction (app.user_id), if any."""
    raw = session.scalar(text("SELECT nullif(current_setting('app.user_id', true), '')"))
    return UUID(raw) if raw else None


def _by(actor: UUID | None, action: str) -> dict[str, str | None]:
    """Who did what, as stored: the actor's id (named at read time) and the words after it."""
    return {"actor_id": str(actor) if actor else None, "action": action}


def _project_of_task(session: Session, task: Task) -> UUID:
    return session.scalar(select(Milestone.project_id).where(Milestone.id == task.milestone_id))


def _commenters(session: Session, parent_type: str, parent_id: UUID) -> set[UUID | None]:
    """Everyone who has commented on a task or asset: they follow its thread."""
    return set(
        session.scalars(
            select(Comment.author_id).where(
                Comment.parent_type == parent_type, Comment.parent_id == parent_id
            )
        )
    )


def on_task_comment(*, session: Session, comment: Comment) -> Comment:
    """@mentions hear first; the assignee and earlier commenters hear of the comment."""
    task = session.get(Task, comment.parent_id)
    if task is None:
        return comment
    author = comment.author_id
    payload = {
        **_by(author, f"commented on “{task.title}”"),
        "link": link_for_project(_project_of_task(session, task)),
        "task_id": str(task.id),
        "comment_id": str(comment.id),
    }
    mentioned = {UUID(m) for m in comment.meta.get("mentions", [])}
    common = {"session": session, "tenant_id": comment.tenant_id, "actor_id": author}
    mention_payload = {**payload, **_by(author, "mentioned you")}
    fan_out(type_="mention", recipients=mentioned, payload=mention_payload, **common)
    watchers = _commenters(session, "task", task.id) | {task.assignee_id}
    fan_out(type_="comment", recipients=watchers - mentioned, payload=payload, **common)
    return comment


def on_asset_comment(*, session: Session, comment: Comment) -> Comment:
    """The uploader and earlier commenters on a version hear of a new comment on it."""
    asset = session.get(Asset, comment.parent_id)
    if asset is None:
        return comment
    watchers = _commenters(session, "asset", asset.id) | {asset.uploader_id}
    fan_out(
        session=session,
        type_="comment",
        tenant_id=comment.tenant_id,
        actor_id=comment.author_id,
        recipients=watchers,
        payload={
            **_by(comment.author_id, f"commented on “{asset.title}”"),
            "link": link_for_project(asset.project_id),
            "asset_id": str(asset.id),
            "comment_id": str(comment.id),
        },
    )
    return comment


def on_review_decision(*, session: Session, asset: Asset, decision: str) -> None:
    """Back in review: the tenant's reviewers are asked; a decision tells the uploader."""
    if decision == "in_review":
        reviewers = session.scalars(
            select(User.id).where(
                User.tenant_id == asset.tenant_id, User.role != "guest", User.status == "active"
            )
        ).all()
        on_approval(
            session=session,
            asset_id=asset.id,
            kind="approval_requested",
            recipients=list(reviewers),
        )
        return
    kind = "approval_given" if decision == "approved" else "changes_requested"
    on_approval(session=session, asset_id=asset.id, kind=kind, recipients=[asset.uploader_id])


def on_task_assigned(*, session: Session, task: Task, previous: UUID | None) -> Task:
    """The new assignee hears of it (not when they assigned themselves, nor unchanged)."""
    if task.assignee_id is None or task.assignee_id == previous:
        return task
    actor = _actor(session)
    fan_out(
        session=session,
        type_="task_assigned",
        tenant_id=task.tenant_id,
        actor_id=actor,
        recipients=[task.assignee_id],
        payload={
            **_by(actor, f"assigned you “{task.title}”"),
            "link": link_for_project(_project_of_task(session, task)),
            "task_id": str(task.id),
        },
    )
    return task


def on_asset_status(*, session: Session, asset: Asset, status: str) -> None:
    """Processing ended: the uploader hears (ready or errored); a ready version also reaches the
    agency members of the project, who review it (on_version_ready)."""
    if status not in ("ready", "errored"):
        return
    number = deliverable_version(session, asset)
    word = "is ready to review" if status == "ready" else "could not be processed"
    fan_out(
        session=session,
        type_=f"asset_{status}",
        tenant_id=asset.tenant_id,
        actor_id=None,
        recipients=[asset.uploader_id],
        payload={
            "title": f"“{asset.title}” v{number} {word}",
            "link": routes.asset_url(str(asset.id)),
            "asset_id": str(asset.id),
        },
    )
    if status == "ready":
        on_version_ready(session=session, asset=asset, number=number)
        # Share links of the deliverable: follow the new version, tell their clients.
        defer_job(
            session,
            task=SHARE_VERSION_TASK,
            queue=SHARE_VERSION_QUEUE,
            args={"asset_id": str(asset.id), "tenant_id": str(asset.tenant_id)},
            queueing_lock=f"share-new-version:{asset.id}",
        )


def on_version_ready(*, session: Session, asset: Asset, number: int) -> None:
    """A new cut waits for review: every active member of the agency that owns the project
    hears of it (per their preferences), never whoever uploaded it. A studio's own project
    has no agency to tell."""
    reviewers = session.scalars(
        select(User.id)
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(
            User.tenant_id == asset.tenant_id,
            Tenant.type == "agency",
            User.role != "guest",
            User.status == "active",
        )
    ).all()
    what = f"“{asset.title}” v{number}"
    words = (
        _by(asset.uploader_id, f"uploaded {what}: ready to review")
        if asset.uploader_id
        else {"title": f"{what} is ready to review"}
    )
    fan_out(
        session=session,
        type_="version_ready",
        tenant_id=asset.tenant_id,
        actor_id=asset.uploader_id,
        recipients=reviewers,
        payload={**words, "link": routes.asset_url(str(asset.id)), "asset_id": str(asset.id)},
    )


def on_approval(*, session: Session, asset_id: UUID, kind: str, recipients: list[UUID]) -> None:
    """approval_requested (to reviewers), approval_given / changes_requested (to the uploader)."""
    asset = session.get(Asset, asset_id)
    if asset is None:
        return
    actor = _actor(session)
    verbs = {
        "approval_requested": "asks you to approve",
        "approval_given": "approved",
        "changes_requested": "requested changes to",
    }
    fan_out(
        session=session,
        type_=kind,
        tenant_id=asset.tenant_id,
        actor_id=actor,
        recipients=recipients,
        payload={
            **_by(actor, f"{verbs.get(kind, kind)} “{asset.title}”"),
            "link": link_for_project(asset.project_id),
            "asset_id": str(asset.id),
        },
    )


def on_share_viewed(*, session: Session, share_link: ShareLink) -> None:
    """The link's creator hears when it is opened for the first time (view_count == 1)."""
    if share_link.view_count != 1:
        return
    asset = session.get(Asset, share_link.asset_id)
    fan_out(
        session=session,
        type_="share_viewed",
        tenant_id=share_link.tenant_id,
        actor_id=None,
        recipients=[share_link.created_by],
        payload={
            "title": f"Your share link to “{asset.title if asset else 'an asset'}” was opened",
            "link": link_for_project(asset.project_id) if asset else routes.DASHBOARD,
            "share_link_id": str(share_link.id),
        },
    )


def on_client_decision(*, session: Session, decision: ShareDecision, link: ShareLink) -> None:
    """A client approved or asked for changes through a share link: the link's creator and the
    version's uploader hear of it (the client is named at read time, as any actor)."""
    asset = session.get(Asset, decision.asset_id)
    if asset is None:
        return
    what = f"“{asset.title}” v{deliverable_version(session, asset)}"
    verb = "approved" if decision.decision == "approved" else "requested changes to"
    fan_out(
        session=session,
        type_="client_decision",
        tenant_id=decision.tenant_id,
        actor_id=decision.guest_id,
        recipients=[link.created_by, asset.uploader_id],
        payload={
            **_by(decision.guest_id, f"{verb} {what} through a share link"),
            "link": routes.asset_url(str(asset.id)),
            "asset_id": str(asset.id),
            "share_link_id": str(link.id),
        },
    )


def on_invite_accepted(*, session: Session, token_id: UUID, user_id: UUID) -> None:
    """Whoever sent the invitation hears that it was accepted."""
    inviter = session.scalar(select(AuthToken.created_by).where(AuthToken.id == token_id))
    fan_out(
        session=session,
        type_="invite_accepted",
        tenant_id=session.scalar(select(User.tenant_id).where(User.id == user_id)),
        actor_id=user_id,
        recipients=[inviter],
        payload={
            **_by(user_id, "accepted your invitation"),
            "link": routes.ADMIN_USERS,
        },
    )


def notify_due_tomorrow(*, session: Session, today: date) -> int:
    """Assignees of open tasks due tomorrow, once per task and due date (this tenant)."""
    due = today + timedelta(days=1)
    already = select(Notification.id).where(
        Notification.type == "task_due",
        Notification.payload["task_id"].astext == cast(Task.id, String),
        Notification.payload["due"].astext == due.isoformat(),
    )
    tasks = session.scalars(
        select(Task).where(
            Task.due_date == due,
            Task.status != "completed",
            Task.assignee_id.is_not(None),
            ~already.exists(),
        )
    ).all()
    for task in tasks:
        fan_out(
            session=session,
            type_="task_due",
            tenant_id=task.tenant_id,
            actor_id=None,
            recipients=[task.assignee_id],
            payload={
                "title": f"“{task.title}” is due tomorrow",
                "link": link_for_project(_project_of_task(session, task)),
                "task_id": str(task.id),
                "due": due.isoformat(),
            },
        )
    return len(tasks)
