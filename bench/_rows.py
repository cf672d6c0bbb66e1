"""Row generators for the benchmark data set: COPY text lines, one tenant at a time.

Every agency tenant gets the same shape (PER_TENANT); the scale only sets how many agencies there
are. Rows are consistent with the schema's composite foreign keys (a child always carries its
parent's tenant), the share-link status trigger's rule and the comment-parent trigger's rule,
because the loader bypasses triggers and foreign-key checks (see bench/_data.py).
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from uuid_utils import uuid7

PROJECTS, MILESTONES_PER_PROJECT, TASKS_PER_PROJECT = 100, 4, 10
USERS, COMMENTS_PER_ASSET, TASK_COMMENTS = 5, 5, 500
AUDIT_ROWS = 10_000
PROJECT_STATUSES = ("active", "active", "planning", "completed", "on_hold")
TASK_STATUSES = ("pending", "in_progress", "in_review", "completed")
# Review vocabulary, most frequent first, drawn Zipf-like as words in real comments are: the
# common words match many comments, `term2999` a few hundred in a million, `zyzzyva` none.
WORDS = (
    "the cut here colour grade logo music pacing sunset titles subtitle audio mix voiceover "
    "frame transition crop exposure contrast flicker render export product shot client legal"
).split() + [f"term{i}" for i in range(3000)]
_CUM = []
for _rank in range(len(WORDS)):
    _CUM.append((_CUM[-1] if _CUM else 0.0) + 1 / (_rank + 1))


@dataclass
class TenantRows:
    """One agency's ids, kept for the rows that refer to them (comments, audit entries)."""

    id: str
    users: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    # (entity_type, entity id, title) of every audited row: projects, tasks, assets, links.
    entities: list[tuple[str, str, str]] = field(default_factory=list)


def new_id() -> str:
    return str(uuid7())


def ts(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


def line(*values: object) -> str:
    """One COPY text-format line (values are plain: no tabs, newlines or backslashes)."""
    return "\t".join(r"\N" if v is None else str(v) for v in values) + "\n"


def tenant_lines(index: int, studio: str) -> tuple[str, TenantRows]:
    """The agency tenant row (managed by the studio) and its id holder."""
    tenant = TenantRows(new_id())
    return line(tenant.id, f"Bench agency {index:04d}", "agency", studio), tenant


def user_lines(tenant: TenantRows, index: int) -> list[str]:
    lines = []
    for u in range(USERS):
        uid = new_id()
        tenant.users.append(uid)
        email = f"agency{index:04d}.user{u}@bench.example"
        lines.append(line(uid, tenant.id, "agency", email, f"Agency {index} user {u}", "active"))
    return lines


def project_tree_lines(tenant: TenantRows, rnd: random.Random, today: date) -> dict[str, list]:
    """Projects, milestones (4 each), tasks (10 each: 4 in the first milestone, 2 in the
    others), one ready asset per project and one share link per asset."""
    out: dict[str, list] = {"projects": [], "milestones": [], "tasks": [], "assets": []}
    out["share_links"] = []
    now = datetime.now(UTC)
    for p in range(PROJECTS):
        pid, start = new_id(), today - timedelta(days=rnd.randint(0, 360))
        title = f"Project {p}"
        out["projects"].append(
            line(
                pid,
                tenant.id,
                f"Client {p % 17}",
                title,
                rnd.choice(PROJECT_STATUSES),
                start,
                start + timedelta(days=300),
                tenant.users[0],
            )
        )
        tenant.entities.append(("projects", pid, title))
        for m in range(MILESTONES_PER_PROJECT):
            mid, due = new_id(), start + timedelta(days=60 * (m + 1))
            out["milestones"].append(
                line(
                    mid, tenant.id, pid, f"Phase {m}", due, rnd.choice(("pending", "completed")), m
                )
            )
            for k in range(4 if m == 0 else 2):
                tid, status = new_id(), rnd.choice(TASK_STATUSES)
                done = (
                    ts(now - timedelta(days=rnd.randint(1, 300))) if status == "completed" else None
                )
                assignee = rnd.choice(tenant.users) if rnd.random() < 0.8 else None
                out["tasks"].append(
                    line(
                        tid,
                        tenant.id,
                        mid,
                        assignee,
                        f"Task {m}.{k}",
                        status,
                        due - timedelta(days=k),
                        done,
                    )
                )
                tenant.tasks.append(tid)
                tenant.entities.append(("tasks", tid, f"Task {m}.{k}"))
        aid = new_id()
        out["assets"].append(
            line(
                aid,
                tenant.id,
                pid,
                tenant.users[0],
                f"Film {p}",
                1,
                "ready",
                "25.000",
                1920,
                1080,
                rnd.randint(30, 600),
            )
        )
        tenant.assets.append(aid)
        tenant.entities.append(("assets", aid, f"Film {p}"))
        out["share_links"].append(_share_link(tenant, aid, rnd, now))
    return out


def _share_link(tenant: TenantRows, asset: str, rnd: random.Random, now: datetime) -> str:
    """A link: a third expired (status set as the status trigger would), a tenth revoked."""
    lid = new_id()
    token = hashlib.sha256(f"bench-link-{lid}".encode()).hexdigest()
    expires = now + timedelta(days=rnd.randint(-200, 100))
    status = "revoked" if rnd.random() < 0.1 else ("expired" if expires <= now else "active")
    tenant.entities.append(("share_links", lid, "Share link"))
    return line(lid, tenant.id, asset, token, ts(expires), status, tenant.users[0])


def comment_lines(
    tenant: TenantRows, rnd: random.Random, start: datetime, span_s: int
) -> list[str]:
    """Five timecoded review comments per asset and TASK_COMMENTS on random tasks."""
    parents = [("asset", a) for a in tenant.assets for _ in range(COMMENTS_PER_ASSET)]
    parents += [("task", rnd.choice(tenant.tasks)) for _ in range(TASK_COMMENTS)]
    lines = []
    for kind, parent in parents:
        body = " ".join(rnd.choices(WORDS, cum_weights=_CUM, k=10))
        meta = json.dumps({"timecode": rnd.randint(0, 600)}) if kind == "asset" else "{}"
        when = start + timedelta(seconds=rnd.randrange(span_s))
        lines.append(
            line(new_id(), tenant.id, kind, parent, rnd.choice(tenant.users), body, meta, ts(when))
        )
    return lines
