"""The build lock: one build at a time writes a warehouse and its signals.

The lock is an advisory `flock` on `.<warehouse name>.lock` beside the warehouse. The kernel
drops it when its process ends, however it ends, so a killed build never leaves a lock that
blocks the next one. The file contains the pid of the build that has the lock. A build that
finishes empties it, so a pid found there by the next build means that build was killed. The
file itself is never deleted: deleting it while another build waits on it would let a third
build lock a new file of the same name, and two builds would both hold "the" lock.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from .errors import BuildLockedError, OutputError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

WAIT_SECONDS = 60.0
WAIT_ENVIRONMENT_VARIABLE = "TRAINER_LOCK_WAIT"
POLL_SECONDS = 0.1
PROGRESS_EVERY_SECONDS = 10.0


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}.lock")


def wait_seconds() -> float:
    """Return how long a build waits for another one: TRAINER_LOCK_WAIT seconds, else 60."""
    text = os.environ.get(WAIT_ENVIRONMENT_VARIABLE, "").strip()
    try:
        return max(0.0, float(text)) if text else WAIT_SECONDS
    except ValueError:
        return WAIT_SECONDS


class BuildLock:
    """The held lock; `release` empties the pid file and unlocks it."""

    def __init__(self, path: Path, descriptor: int, killed_pid: int | None):
        self.path = path
        self.descriptor = descriptor
        self.killed_pid = killed_pid  # the pid of a killed build whose lock this one took over

    def release(self):
        if self.descriptor < 0:
            return
        try:
            os.ftruncate(self.descriptor, 0)
        except OSError:
            pass  # the pid left behind only makes the next build report a killed build
        if fcntl is not None:
            fcntl.flock(self.descriptor, fcntl.LOCK_UN)
        os.close(self.descriptor)
        self.descriptor = -1


def acquire_build_lock(warehouse: Path, display: str, notify: Callable[[str], None],
                       wait: float | None = None) -> BuildLock:
    """Lock the warehouse for one build, waiting up to `wait` seconds for a running build.

    `notify` receives the progress messages printed while waiting. Raises BuildLockedError
    naming the other build's pid when the wait runs out.
    """
    wait = wait_seconds() if wait is None else wait
    path = lock_path(warehouse)
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise OutputError(f"{display}: cannot create the build lock {path.name} ({err.strerror}); "
                          "check the folder's permissions") from err
    try:
        _wait_for_lock(descriptor, display, notify, wait)
        killed_pid = _read_pid(descriptor)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
    except BaseException:
        os.close(descriptor)
        raise
    return BuildLock(path, descriptor, killed_pid if killed_pid != os.getpid() else None)


def _wait_for_lock(descriptor: int, display: str, notify: Callable[[str], None], wait: float):
    if fcntl is None:
        # NOTE: without flock (Windows) builds are not serialised; two at once can mix outputs.
        return
    deadline = time.monotonic() + wait
    next_progress = 0.0
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _read_pid(descriptor)
        holder_text = f"pid {holder}" if holder else "pid unknown"
        now = time.monotonic()
        if now >= deadline:
            raise BuildLockedError(
                f"{display}: another build ({holder_text}) is running; waited {wait:g} s. "
                f"Build again when it ends, or set {WAIT_ENVIRONMENT_VARIABLE}=SECONDS to wait longer"
            )
        if not next_progress:
            notify(f"another build ({holder_text}) is running on {display}; waiting up to {wait:g} s for it to finish")
            next_progress = now + PROGRESS_EVERY_SECONDS
        elif now >= next_progress:
            notify(f"still waiting for the build ({holder_text}) on {display}; {deadline - now:.0f} s left")
            next_progress = now + PROGRESS_EVERY_SECONDS
        time.sleep(POLL_SECONDS)


def _read_pid(descriptor: int) -> int | None:
    text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None
