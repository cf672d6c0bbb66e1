"""Production settings, real server process: a sign-in link goes out through Resend (issue 17).

The back end runs as `reflex run --env prod` runs it (granian serving `portal.portal:app`, the
in-process job worker on, `PORTAL_ENV=prod` with a real secret and URL), with `RESEND_API_KEY`
set and the SDK pointed at the local fake Resend. Only the back end is served: the front end
plays no part in sending mail, and `reflex run --backend-only` refuses the one-port config.
A stranger asks for a sign-in link over HTTP; the job worker sends it through the `resend`
package; the link in the email signs the user in.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.settings import ROOT
from tests.conftest import ScratchDatabase
from tests.e2e.conftest import _answers, _free_port, server_env, stop
from tests.factories import make_tenant, make_user
from tests.fake_resend import FakeResend, running_fake_resend

# How long the server may take to start, and the job worker to send: generous deadlines on a
# busy machine; the test proceeds as soon as the condition holds.
START_DEADLINE = 240.0
SEND_DEADLINE = 90.0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _post(url: str, data: dict[str, str], origin: str) -> urllib.response.addinfourl:
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(data).encode(),
        headers={"Origin": origin, "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=30)
    except urllib.error.HTTPError as exc:  # a 303 arrives as an "error" without redirects
        return exc


@pytest.fixture()
def prod_backend(database: ScratchDatabase) -> Iterator[tuple[str, FakeResend]]:
    port = _free_port()
    base = f"http://localhost:{port}"
    with running_fake_resend() as (fake, resend_env):
        env = server_env(
            database,
            port,
            PORTAL_ENV="prod",
            PORTAL_SECRET_KEY=secrets.token_urlsafe(48),
            PORTAL_URL=base,
            PORTAL_INPROCESS_WORKER="true",
            REFLEX_ENV_MODE="prod",
            RESEND_FROM="Motion Mavericks <portal@studio.test>",
            **resend_env,
        )
        env.pop("MAIL_BACKEND", None)
        log_path = ROOT / ".portal" / "e2e-prod-mail-server.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "granian"),
                    "--interface",
                    "asgi",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "portal.portal:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + START_DEADLINE
            while not _answers(f"http://127.0.0.1:{port}/ping"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the backend did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
            yield base, fake
        finally:
            stop(proc)


def test_a_sign_in_link_goes_out_through_resend_and_signs_in(prod_backend) -> None:
    backend, fake = prod_backend
    user = make_user(tenant=make_tenant(), email=f"prod.{secrets.token_hex(4)}@agency.test")
    origin = backend  # PORTAL_URL: same-site requests carry it as Origin

    answer = _post(f"{backend}/api/auth/magic-link", {"email": user.email}, origin)
    assert answer.status == 303 and "magic_sent" in answer.headers["location"]

    deadline = time.monotonic() + SEND_DEADLINE
    while not fake.to(user.email):
        assert time.monotonic() < deadline, f"no email reached Resend; requests: {fake.requests}"
        time.sleep(0.2)
    [email] = fake.to(user.email)
    request = next(r for r in fake.requests if r["body"].get("to") == [user.email])
    assert request["auth"] == "Bearer re_test_key" and request["key"]  # idempotency key sent
    assert "sign" in email["subject"].lower()
    link = re.search(r"https?://\S+/login/magic\?token=[\w-]+", email["text"])
    assert link and link.group(0).startswith(origin)  # links use the configured PORTAL_URL

    token = urllib.parse.parse_qs(urllib.parse.urlsplit(link.group(0)).query)["token"][0]
    signed_in = _post(f"{backend}/api/auth/magic", {"token": token}, origin)
    assert signed_in.status == 303
    assert "portal_session=" in (signed_in.headers.get("set-cookie") or "")
