"""schemathesis against /api/v1/openapi.json (the app as mounted): every operation with generated
valid and invalid input (bounded: a few examples per operation, derandomized so a run is
repeatable) finds no 500, no response that breaks its documented status, content type or schema,
and no invalid input accepted. Calls carry a write-scoped token of a studio admin (the widest
permission set), with a ready version and a share link of theirs to hit."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation

from portal.api import build_api
from portal.db import tenant_session
from portal.services.media.comments import add_asset_comment
from portal.services.outbound import webhooks as outbound
from portal.settings import get_settings
from tests.api.api_v1_support import token_for
from tests.factories import make_graph, make_studio, make_user, ready_version, session_of

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", build_api())


@pytest.fixture(scope="module")
def target(database) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A studio admin's token, and real ids of theirs for valid path parameters."""
    studio = make_studio()
    version = ready_version(studio)
    graph = make_graph(studio.agency)
    admin = session_of(studio.admin)
    settings = get_settings()
    settings.outbound_webhook_allow_private = True  # this module's receiver is local
    try:
        hook = outbound.register_endpoint(
            user=session_of(make_user(tenant=studio.agency, role="admin")),
            url="http://127.0.0.1:9/hook",
            events=["comment.created"],
        )
    finally:
        settings.outbound_webhook_allow_private = False
    with tenant_session(studio.admin_ctx) as session:
        add_asset_comment(
            session=session, asset_id=version.id, author_id=studio.admin.id, body="Hi"
        )
    (delivery,) = outbound.deliveries(user=admin, endpoint_id=hook.id)
    return {
        "headers": {"Authorization": f"Bearer {token_for(studio.admin)}"},
        "ids": {
            "project_id": str(studio.project.id),
            "version_id": str(version.id),
            "link_id": str(graph.share_link.id),
            "notification_id": str(graph.notification.id),
            "endpoint_id": hook.id,
            "delivery_id": str(delivery.id),
        },
    }


def with_real_ids(case, ids: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Valid path parameters name real rows (else every call would be a 404); a path
    generated invalid on purpose is left as it is."""
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if path is None or path.mode != GenerationMode.POSITIVE or not case.path_parameters:
        return
    for name in case.path_parameters:
        if name in ids:
            case.path_parameters[name] = ids[name]


@pytest.fixture(autouse=True)
def generous_rate_limit(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from tests.conftest import settings_from

    with settings_from(monkeypatch, {"API_RATE_LIMIT_PER_MINUTE": "100000"}):
        yield


@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_v1_conforms_to_its_openapi(case, target) -> None:  # type: ignore[no-untyped-def]
    with_real_ids(case, target["ids"])
    case.call_and_validate(headers=target["headers"], checks=CHECKS)
