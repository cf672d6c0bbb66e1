"""assets (video deliverables) and their share links."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import BigInteger, Column, Computed, DateTime, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from portal.models._base import id_field, jsonb_field, tenant_field, timestamp_field


# One version of an uploaded deliverable; (project_id, version) is unique.
class Asset(SQLModel, table=True):
    __tablename__ = "assets"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    project_id: UUID = Field(foreign_key="projects.id")
    milestone_id: UUID | None = Field(default=None, foreign_key="milestones.id")
    uploader_id: UUID | None = Field(default=None, foreign_key="users.id")
    title: str
    mux_asset_id: str | None = None
    version: int
    status: str = "uploading"  # uploading | processing | ready | errored | deleted
    duration: Decimal | None = None
    storage_checksum: str | None = None
    # Versions of one deliverable share this key (lower(btrim(title)), made by the database).
    deliverable_key: str | None = Field(
        default=None,
        sa_column=Column("deliverable_key", Text, Computed("lower(btrim(title))"), nullable=True),
    )
    backend: str = "local"  # local | mux
    original_filename: str | None = None
    # Bytes of the uploaded original (bigint: files of 2 GB and more).
    size_bytes: int | None = Field(default=None, sa_type=BigInteger)
    frame_rate: Decimal | None = None
    # Display size (after rotation).
    width: int | None = None
    height: int | None = None
    # What processing found: rotation, has_audio, renditions, codec.
    media_info: dict = jsonb_field()
    error_reason: str | None = None
    mux_upload_id: str | None = None
    mux_playback_id: str | None = None
    review_status: str = "in_review"  # in_review | changes_requested | approved
    reviewed_by: UUID | None = Field(default=None, foreign_key="users.id")
    reviewed_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


# An external view link; only sha256(token) and an argon2 passcode hash are stored.
class ShareLink(SQLModel, table=True):
    __tablename__ = "share_links"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    asset_id: UUID = Field(foreign_key="assets.id")
    hashed_token: str
    expires_at: datetime = timestamp_field()
    passcode_hash: str | None = None
    status: str = "active"  # active | expired | revoked | exhausted
    view_limit: int | None = None
    view_count: int = 0
    created_by: UUID | None = Field(default=None, foreign_key="users.id")
    # What the owner calls it ("For the client's legal team"); optional.
    name: str = ""
    allow_comments: bool = False
    allow_download: bool = False
    # The client page overlays the viewer, link and date; downloads get it burned in.
    watermark: bool = False
    # The client page offers Approve / Request changes (share_decisions).
    ask_decision: bool = False
    # Moves to each newer ready version of its deliverable (else stays on its version).
    follow_latest: bool = False
    # Its clients (share_link_contacts) are emailed when a newer version is ready.
    notify_new_versions: bool = False
    last_viewed_at: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


# One counted view of a share link: when, and a salted daily hash of the viewer (never an IP).
class ShareLinkView(SQLModel, table=True):
    __tablename__ = "share_link_views"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    share_link_id: UUID = Field(foreign_key="share_links.id")
    viewed_at: datetime | None = timestamp_field()
    viewer_hash: str


# A resumable (tus) upload in progress: its durable state; the bytes are a file under MEDIA_DIR.
class TusUpload(SQLModel, table=True):
    __tablename__ = "tus_uploads"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    project_id: UUID = Field(foreign_key="projects.id")
    milestone_id: UUID | None = Field(default=None, foreign_key="milestones.id")
    uploader_id: UUID | None = Field(default=None, foreign_key="users.id")
    title: str
    filename: str
    upload_length: int = Field(sa_type=BigInteger)
    upload_offset: int = Field(default=0, sa_type=BigInteger)
    asset_id: UUID | None = Field(default=None, foreign_key="assets.id")
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    # Sent by a client through an upload request (then there is no member uploader).
    upload_request_id: UUID | None = Field(default=None, foreign_key="upload_requests.id")
    sender_name: str | None = None
    sender_email: str | None = None
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


# A link through which a client sends files to a project (the token stored as sha256 only).
class UploadRequest(SQLModel, table=True):
    __tablename__ = "upload_requests"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    project_id: UUID = Field(foreign_key="projects.id")
    created_by: UUID | None = Field(default=None, foreign_key="users.id")
    name: str
    message: str = ""
    hashed_token: str
    passcode_hash: str | None = None
    kinds: list[str] = Field(sa_column=Column("kinds", ARRAY(Text), nullable=False))
    max_file_bytes: int = Field(sa_type=BigInteger)
    max_files: int
    status: str = "active"  # active | revoked (expired: expires_at passed)
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


# One finished file a client sent through an upload request.
class ClientFile(SQLModel, table=True):
    __tablename__ = "client_files"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    project_id: UUID = Field(foreign_key="projects.id")
    upload_request_id: UUID | None = Field(default=None, foreign_key="upload_requests.id")
    sender_name: str
    sender_email: str
    filename: str
    kind: str  # video | images | documents | audio | archives
    size_bytes: int = Field(sa_type=BigInteger)
    sha256: str
    created_at: datetime | None = timestamp_field()


# A client's decision through a share link: one row per press, never updated (the latest per
# link, version and client counts). Name and email as the client gave them when deciding.
class ShareDecision(SQLModel, table=True):
    __tablename__ = "share_decisions"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    share_link_id: UUID = Field(foreign_key="share_links.id")
    asset_id: UUID = Field(foreign_key="assets.id")
    guest_id: UUID | None = Field(default=None, foreign_key="users.id")
    name: str
    email: str
    decision: str  # approved | changes_requested
    note: str = ""
    # The client page's key for one press: unique per link, so a double click is one row.
    request_key: UUID
    created_at: datetime | None = timestamp_field()


# An address a client gave on a link (commenting or deciding): told of new versions when the
# link says so, until they unsubscribe.
class ShareLinkContact(SQLModel, table=True):
    __tablename__ = "share_link_contacts"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    share_link_id: UUID = Field(foreign_key="share_links.id")
    email: str
    name: str = ""
    # The version they were last told of (a retried job does not tell them twice).
    notified_asset_id: UUID | None = None
    unsubscribed_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime | None = timestamp_field()
