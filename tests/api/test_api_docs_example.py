"""The example script in docs/api.md, run as written against the API (its `main` gets an httpx
client of the app as mounted, authenticated the way its `__main__` block does it)."""

from __future__ import annotations

import re

import pytest

from portal.settings import ROOT
from tests.api.api_v1_support import token_for
from tests.factories import Studio, ready_version

pytestmark = pytest.mark.usefixtures("database")


def example_code() -> str:
    text = (ROOT / "docs" / "api.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_the_documented_example_runs(client_for, studio: Studio, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    ready_version(studio, title="Hero film")
    latest = ready_version(studio, title="Hero film")
    token = token_for(studio.member, ["reviews:write"])
    monkeypatch.setenv("PORTAL_TOKEN", token)
    monkeypatch.setenv("PROJECT_ID", str(studio.project.id))
    namespace: dict = {"__name__": "docs_example"}
    exec(compile(example_code(), "docs/api.md", "exec"), namespace)

    client = client_for()
    client.base_url = client.base_url.join("/api/v1")
    client.headers["Authorization"] = f"Bearer {token}"
    comment = namespace["main"](client)
    assert comment["version_id"] == str(latest.id) and comment["timecode"] == "00:00:12:12"
    assert namespace["main"](client)["id"] == comment["id"]  # the retry is idempotent
    printed = capsys.readouterr().out
    assert "Hero film: v2 in_review" in printed and "Commented at 00:00:12:12" in printed
    listed = client.get(f"/versions/{latest.id}/comments").json()
    assert [c["body"] for c in listed] == ["The logo sits too low here."]
