"""The operations of /api/v1: each one checks the token's scope and the permission matrix, then
calls the same services as the pages inside the same tenant-scoped transaction (RLS decides which
rows exist: another tenant's id is a 404, exactly as on the pages)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlmodel import Session, SQLModel

from portal.api.v1.auth import permitted, scope
from portal.api.v1.problems import ApiProblem
from portal.api.v1.schemas import (
    AuditEntryOut,
    CommentIn,
    CommentOut,
    Created,
    DecisionIn,
    DeliverableOut,
    InviteIn,
    JobRunOut,
    NotificationOut,
    Page,
    ProjectOut,
    ShareLinkCreated,
    ShareLinkIn,
    ShareLinkOut,
    TenantOut,
    UserOut,
    VersionOut,
    WebhookDeliveryOut,
    WebhookEndpointCreated,
    WebhookEndpointIn,
    WebhookEndpointOut,
)
from portal.db import tenant_session
from portal.services.accounts import tenants as tenant_service
from portal.services.accounts import users as user_service
from portal.services.accounts.api_tokens import ApiPrincipal
from portal.services.api import resources
from portal.services.api.idempotency import request_hash, run_once
from portal.services.compliance.audit_log import audit_page, parse_filters
from portal.services.core.permissions import Action
from portal.services.media.comments import add_asset_comment
from portal.services.media.review import decide
from portal.services.notifications.inbox import mark_read
from portal.services.operations.job_runs import list_job_runs
from portal.services.outbound import webhooks as outbound
from portal.services.projects.projects import ProjectFilters, list_project_page, project_summary
from portal.services.projects.view_types import ProjectSummary
from portal.services.sharing.links import create_share_link, revoke_share_link


def no_unknown_query(request: Request) -> None:
    """A query parameter the operation does not declare is refused (422), not ignored: a typo
    in a filter must not silently widen a list."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    operation = request.app.openapi()["paths"][route.path_format][request.method.lower()]
    known = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"}
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        raise RequestValidationError(
            [
                {"loc": ("query", name[:100]), "msg": "Unknown query parameter.", "type": "extra"}
                for name in unknown[:20]
            ]
        )


router = APIRouter(dependencies=[Depends(no_unknown_query)])

Row = TypeVar("Row", bound=SQLModel)
Id = Annotated[UUID, Path(description="A resource id (UUID).")]
Cursor = Annotated[str, Query(max_length=500, description="`next_cursor` of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Repeat a create safely: the same key and body get the first answer back.",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=500,
        description="The ETag you read: the update is refused (412) if the resource changed.",
    ),
]


def IsoDay(alias: str) -> Any:  # noqa: N802 (a Query factory, used like one)
    """A yyyy-mm-dd query parameter, taken as text (never a number read as a timestamp)."""
    return Query(
        alias=alias,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        json_schema_extra={"format": "date"},
        description="A day, yyyy-mm-dd (UTC).",
    )


ProjectsRead = Annotated[ApiPrincipal, Depends(scope("projects"))]
ReviewsRead = Annotated[ApiPrincipal, Depends(scope("reviews"))]
ReviewsWrite = Annotated[ApiPrincipal, Depends(scope("reviews", write=True))]
SharingRead = Annotated[ApiPrincipal, Depends(scope("sharing"))]
SharingWrite = Annotated[ApiPrincipal, Depends(scope("sharing", write=True))]
NotesRead = Annotated[ApiPrincipal, Depends(scope("notifications"))]
NotesWrite = Annotated[ApiPrincipal, Depends(scope("notifications", write=True))]
AdminRead = Annotated[ApiPrincipal, Depends(scope("admin"))]
AdminWrite = Annotated[ApiPrincipal, Depends(scope("admin", write=True))]


def _update_if_match(
    session: Session,
    response: Response,
    if_match: str | None,
    row: Row,
    etag_of: Callable[[Row], str],
    update: Callable[[Row], Row],
) -> Row:
    """An update guarded by If-Match: `row` (read FOR UPDATE) must still carry the ETag the caller
    read (else 412 and nothing written); the answer carries the updated row's new ETag."""
    if not resources.matches(if_match, etag_of(row)):
        raise ApiProblem(
            412, "precondition_failed", "The resource changed since you read it: read it again."
        )
    saved = update(row)
    session.flush()
    session.refresh(saved)
    response.headers["ETag"] = etag_of(saved)
    return saved


def _create_once(
    who: ApiPrincipal,
    request: Request,
    body: BaseModel,
    idempotency_key: str | None,
    create: Callable[[Session], Any],
    location: str,
) -> JSONResponse:
    """One create (201, `Location: {location}/{id}`) in the caller's tenant-scoped transaction,
    done once per Idempotency-Key: a repeat gets the stored answer (`Idempotent-Replayed`)."""
    with tenant_session(who.user.context) as session:
        answer = run_once(
            session=session,
            tenant_id=who.user.tenant_id,
            token_id=who.token_id,
            key=idempotency_key,
            fingerprint=request_hash("POST", request.url.path, body.model_dump(mode="json")),
            create=lambda: (201, jsonable_encoder(create(session))),
        )
    headers = {"Location": f"{location}/{answer.body['id']}"}
    if answer.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


def _project(summary: ProjectSummary) -> ProjectOut:
    return ProjectOut(
        id=UUID(summary.id),
        tenant_id=UUID(summary.tenant_id),
        tenant_name=summary.tenant_name,
        title=summary.title,
        client_name=summary.client_name,
        status=summary.status,
        start_date=date.fromisoformat(summary.start_iso) if summary.start_iso else None,
        end_date=date.fromisoformat(summary.end_iso) if summary.end_iso else None,
        open_tasks=summary.open_tasks,
        overdue_tasks=summary.overdue_tasks,
    )


# Projects


@router.get("/projects", tags=["projects"], summary="List projects")
def list_projects(
    who: ProjectsRead,
    status: Annotated[
        Literal["planning", "active", "on_hold", "completed", "archived", "all"] | None,
        Query(description="Default: every status but archived."),
    ] = None,
    search: Annotated[str, Query(max_length=200)] = "",
    client: Annotated[str, Query(max_length=200)] = "",
    tenant_id: Annotated[UUID | None, Query()] = None,
    sort: Literal["newest", "title", "client", "end_date"] = "newest",
    limit: Limit = 25,
    cursor: Cursor = "",
) -> Page[ProjectOut]:
    filters = ProjectFilters(
        search=search,
        status=status or "",
        client=client,
        tenant_id=str(tenant_id) if tenant_id else "",
        sort=sort,
        page_size=limit,
        after=cursor,
    )
    with tenant_session(who.user.context) as session:
        page = list_project_page(session=session, filters=filters)
    return Page[ProjectOut](
        data=[_project(p) for p in page.projects], next_cursor=page.next_cursor or None
    )


@router.get("/projects/{project_id}", tags=["projects"], summary="Get a project")
def get_project(project_id: Id, who: ProjectsRead) -> ProjectOut:
    with tenant_session(who.user.context) as session:
        return _project(project_summary(session=session, project_id=project_id))


@router.get(
    "/projects/{project_id}/deliverables",
    tags=["reviews"],
    summary="A project's deliverables and their versions",
)
def project_deliverables(project_id: Id, who: ReviewsRead) -> list[DeliverableOut]:
    with tenant_session(who.user.context) as session:
        return [DeliverableOut(**d) for d in resources.deliverables(session, project_id)]


# Versions, comments, review decisions


@router.get("/versions/{version_id}", tags=["reviews"], summary="Get a version (with its ETag)")
def get_version(version_id: Id, who: ReviewsRead, response: Response) -> VersionOut:
    with tenant_session(who.user.context) as session:
        asset = resources.version(session, version_id)
        response.headers["ETag"] = resources.version_etag(asset)
        return VersionOut(**resources.version_record(session, asset))


@router.post(
    "/versions/{version_id}/decision",
    tags=["reviews"],
    summary="Approve, request changes, or send back to review",
)
def decide_version(
    version_id: Id,
    body: DecisionIn,
    who: ReviewsWrite,
    response: Response,
    if_match: IfMatch = None,
) -> VersionOut:
    permitted(who, Action.APPROVE_ASSET)
    with tenant_session(who.user.context) as session:
        saved = _update_if_match(
            session,
            response,
            if_match,
            resources.version(session, version_id, for_update=True),
            resources.version_etag,
            lambda asset: decide(
                session=session,
                asset_id=asset.id,
                user_id=who.user.user_id,
                decision=body.decision,
                confirm_old=body.confirm_old_version,
            ),
        )
        return VersionOut(**resources.version_record(session, saved))


@router.get("/versions/{version_id}/comments", tags=["reviews"], summary="A version's comments")
def list_comments(version_id: Id, who: ReviewsRead) -> list[CommentOut]:
    with tenant_session(who.user.context) as session:
        return [CommentOut(**c) for c in resources.comments(session, version_id)]


@router.post(
    "/versions/{version_id}/comments",
    tags=["reviews"],
    summary="Comment at a timecode or over a range, optionally with a drawing, or reply",
    status_code=201,
    response_model=CommentOut,
)
def post_comment(
    version_id: Id,
    body: CommentIn,
    who: ReviewsWrite,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    permitted(who, Action.COMMENT)

    def create(session: Session) -> CommentOut:
        comment = add_asset_comment(
            session=session,
            asset_id=version_id,
            author_id=who.user.user_id,
            body=body.body,
            timecode=None if body.reply_to_id else (body.timecode_seconds or 0),
            end=None if body.reply_to_id else body.end_seconds,
            reply_to_id=body.reply_to_id,
            annotation=body.drawing,
        )
        return CommentOut(**resources.comment_of(session, comment))

    return _create_once(who, request, body, idempotency_key, create, request.url.path)


# Share links


@router.get(
    "/versions/{version_id}/share-links", tags=["sharing"], summary="A version's share links"
)
def list_share_links(version_id: Id, who: SharingRead) -> list[ShareLinkOut]:
    with tenant_session(who.user.context) as session:
        return [ShareLinkOut(**link) for link in resources.share_links(session, version_id)]


@router.post(
    "/versions/{version_id}/share-links",
    tags=["sharing"],
    summary="Create a share link (its URL is in this answer only)",
    status_code=201,
    response_model=ShareLinkCreated,
)
def post_share_link(
    version_id: Id,
    body: ShareLinkIn,
    who: SharingWrite,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    permitted(who, Action.SHARE)

    def create(session: Session) -> ShareLinkCreated:
        new = create_share_link(
            session=session,
            asset_id=version_id,
            created_by=who.user.user_id,
            name=body.name,
            expires_in_days=body.expires_in_days,
            passcode=body.passcode,
            view_limit=body.view_limit,
            allow_comments=body.allow_comments,
            allow_download=body.allow_download,
            watermark=body.watermark,
        )
        link = resources.share_link(session, UUID(new.id))
        session.refresh(link)
        return ShareLinkCreated(**resources.share_link_record(link), url=new.url)

    return _create_once(who, request, body, idempotency_key, create, "/api/v1/share-links")


@router.get("/share-links/{link_id}", tags=["sharing"], summary="Get a share link (with its ETag)")
def get_share_link(link_id: Id, who: SharingRead, response: Response) -> ShareLinkOut:
    with tenant_session(who.user.context) as session:
        link = resources.share_link(session, link_id)
        response.headers["ETag"] = resources.share_link_etag(link)
        return ShareLinkOut(**resources.share_link_record(link))


@router.post(
    "/share-links/{link_id}/revoke",
    tags=["sharing"],
    summary="Revoke a share link: it stops working at once",
)
def revoke_link(
    link_id: Id, who: SharingWrite, response: Response, if_match: IfMatch = None
) -> ShareLinkOut:
    permitted(who, Action.SHARE)
    with tenant_session(who.user.context) as session:
        revoked = _update_if_match(
            session,
            response,
            if_match,
            resources.share_link(session, link_id, for_update=True),
            resources.share_link_etag,
            lambda link: revoke_share_link(session=session, link_id=link.id),
        )
        return ShareLinkOut(**resources.share_link_record(revoked))


# Notifications


@router.get("/notifications", tags=["notifications"], summary="Your notifications, newest first")
def list_notifications(
    who: NotesRead, unread: bool = False, limit: Limit = 25, cursor: Cursor = ""
) -> Page[NotificationOut]:
    with tenant_session(who.user.context) as session:
        rows, next_cursor = resources.notifications(
            session, user_id=who.user.user_id, after=cursor, limit=limit, unread_only=unread
        )
    return Page[NotificationOut](
        data=[NotificationOut(**r) for r in rows], next_cursor=next_cursor or None
    )


@router.post(
    "/notifications/{notification_id}/read",
    tags=["notifications"],
    summary="Mark one of your notifications read",
    status_code=204,
)
def read_notification(notification_id: Id, who: NotesWrite) -> Response:
    with tenant_session(who.user.context) as session:
        mark_read(session=session, user_id=who.user.user_id, notification_id=notification_id)
    return Response(status_code=204)


# Administration


@router.get("/audit-log", tags=["admin"], summary="The audit log, newest first (admins)")
def list_audit_log(
    who: AdminRead,
    date_from: Annotated[str | None, IsoDay(alias="from")] = None,
    date_to: Annotated[str | None, IsoDay(alias="to")] = None,
    entity_type: Literal["projects", "tasks", "assets", "share_links", "api_tokens"] | None = None,
    entity_id: UUID | None = None,
    action: Literal["insert", "update", "delete"] | None = None,
    tenant_id: UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = "",
) -> Page[AuditEntryOut]:
    permitted(who, Action.VIEW_AUDIT)
    params = {
        "from": date_from or "",
        "to": date_to or "",
        "entity_type": entity_type or "",
        "entity_id": str(entity_id) if entity_id else "",
        "action": action or "",
        "tenant": str(tenant_id) if tenant_id else "",
    }
    with tenant_session(who.user.context) as session:
        filters = parse_filters(session=session, params=params)
        rows, more = audit_page(session=session, filters=filters, after=cursor, limit=limit)
    return Page[AuditEntryOut](
        data=[AuditEntryOut(**r.__dict__) for r in rows],
        next_cursor=rows[-1].key if more and rows else None,
    )


@router.get("/job-runs", tags=["admin"], summary="Background job runs, newest first (operators)")
def job_runs(
    who: AdminRead,
    job_name: Annotated[str | None, Query(max_length=100)] = None,
    result: Literal["running", "succeeded", "failed", "skipped"] | None = None,
    limit: Limit = 50,
) -> list[JobRunOut]:
    permitted(who, Action.OPERATE)
    with tenant_session(who.user.context) as session:
        runs = list_job_runs(session=session, job_name=job_name, result=result, limit=limit)
        return [
            JobRunOut(
                id=r.id,
                job_name=r.job_name,
                started_at=r.started_at,
                completed_at=r.completed_at,
                result=r.result,
            )
            for r in runs
        ]


@router.get("/tenants", tags=["admin"], summary="Tenants in your scope (studio admins)")
def list_tenants(who: AdminRead) -> list[TenantOut]:
    permitted(who, Action.MANAGE_TENANTS)
    return [
        TenantOut(
            id=UUID(t.id),
            name=t.name,
            type=t.type,
            residency_policy=t.residency_policy,
            status=t.status,
            users=t.users,
            projects=t.projects,
        )
        for t in tenant_service.list_tenants(user=who.user)
    ]


@router.get("/users", tags=["admin"], summary="Users in your scope (admins)")
def list_users(who: AdminRead, tenant_id: UUID | None = None) -> list[UserOut]:
    permitted(who, Action.MANAGE_USERS)
    rows = user_service.list_users(user=who.user, tenant_id=str(tenant_id) if tenant_id else "")
    return [
        UserOut(
            id=UUID(u.id),
            name=u.name,
            email=u.email,
            role=u.role,
            status=u.status,
            tenant_id=UUID(u.tenant_id),
            tenant_name=u.tenant_name,
        )
        for u in rows
    ]


@router.post(
    "/users/invitations",
    tags=["admin"],
    summary="Invite someone into a tenant (they get an email)",
    status_code=201,
    response_model=Created,
)
def invite(
    body: InviteIn, who: AdminWrite, request: Request, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    permitted(who, Action.MANAGE_USERS)

    def create(_session: Session) -> dict[str, str]:  # invite_user commits on its own
        new_id = user_service.invite_user(
            user=who.user,
            tenant_id=str(body.tenant_id),
            email=body.email,
            name=body.name,
            role=body.role,
        )
        return {"id": new_id}

    return _create_once(who, request, body, idempotency_key, create, "/api/v1/users")


# Outbound webhooks (admins of the tenant)


def _endpoint(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "url": row.url,
        "events": list(row.events),
        "status": row.status,
        "consecutive_failures": row.consecutive_failures,
        "created_at": row.created_at,
        "disabled_at": row.disabled_at,
    }


def _delivery(row: Any) -> WebhookDeliveryOut:
    return WebhookDeliveryOut.model_validate(row, from_attributes=True)


@router.get("/webhook-endpoints", tags=["webhooks"], summary="Your tenant's webhook endpoints")
def list_webhook_endpoints(who: AdminRead) -> list[WebhookEndpointOut]:
    permitted(who, Action.MANAGE_USERS)
    return [WebhookEndpointOut(**_endpoint(e)) for e in outbound.list_endpoints(user=who.user)]


@router.post(
    "/webhook-endpoints",
    tags=["webhooks"],
    summary="Register an endpoint (its signing secret is in this answer only)",
    status_code=201,
    response_model=WebhookEndpointCreated,
)
def post_webhook_endpoint(body: WebhookEndpointIn, who: AdminWrite) -> JSONResponse:
    permitted(who, Action.MANAGE_USERS)
    new = outbound.register_endpoint(user=who.user, url=body.url, events=list(body.events))
    out = WebhookEndpointCreated(**_endpoint(new.endpoint), secret=new.secret)
    return JSONResponse(
        jsonable_encoder(out),
        status_code=201,
        headers={"Location": f"/api/v1/webhook-endpoints/{new.id}"},
    )


@router.get(
    "/webhook-endpoints/{endpoint_id}/deliveries",
    tags=["webhooks"],
    summary="An endpoint's latest deliveries (status, latency, response excerpt)",
)
def list_webhook_deliveries(
    endpoint_id: Id, who: AdminRead, limit: Limit = 50
) -> list[WebhookDeliveryOut]:
    permitted(who, Action.MANAGE_USERS)
    rows = outbound.deliveries(user=who.user, endpoint_id=endpoint_id, limit=limit)
    return [_delivery(d) for d in rows]


@router.post(
    "/webhook-deliveries/{delivery_id}/replay",
    tags=["webhooks"],
    summary="Send a delivery again",
)
def replay_webhook_delivery(delivery_id: Id, who: AdminWrite) -> WebhookDeliveryOut:
    permitted(who, Action.MANAGE_USERS)
    return _delivery(outbound.replay(user=who.user, delivery_id=delivery_id))
