"""This backend process as operators see it: which worker it is, and whether the job worker it
runs in process still beats.

The HTTP side (/healthz, the X-Portal-Worker header) and the state side (the bell's
`served_by`) both show the worker id; the in-process job worker (portal.jobs.worker) registers
itself here while it runs and /healthz reads its heartbeat. So api, state and jobs meet here,
below them, instead of importing each other.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from typing import Protocol

log = logging.getLogger(__name__)
# /healthz calls the job worker stale when it has not beaten for this long.
STALE_SECONDS = 30.0
_ids: dict[int, str] = {}


def worker_id() -> str:
    """This process's id (computed per process: workers are forked after the app is imported).
    Opaque: a hash of host and process id, logged once so it can be matched to a process."""
    pid = os.getpid()
    if pid not in _ids:
        _ids[pid] = hashlib.sha256(f"{socket.gethostname()}:{pid}".encode()).hexdigest()[:12]
        log.info("backend worker %s is pid %s on %s", _ids[pid], pid, socket.gethostname())
    return _ids[pid]


class JobWorkerStatus(Protocol):
    """What /healthz reads of the in-process job worker (portal.jobs.worker.Supervisor)."""

    restarts: int
    last_error: str

    def heartbeat_age(self) -> float | None: ...

    def alive(self) -> bool: ...


# The in-process job worker of this process while it runs (None: none runs here).
current_job_worker: JobWorkerStatus | None = None
