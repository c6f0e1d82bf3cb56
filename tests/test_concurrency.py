"""Builds beside open query sessions and other builds: the build lock and the warehouse swap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import CHAPTER_HEADER, STEP_HEADER
from published import build_command, build_environment, published_set, run_build, temporary_outputs
from trainer.errors import BuildLockedError
from trainer.lock import acquire_build_lock, lock_path

EPOCH = 1761000000

# A query session: prints the rows read over all logs, waits for a line on stdin, prints them
# again on the same connection, then once more on a new connection.
QUERY_SESSION = """
import sys, duckdb
path, mode = sys.argv[1], sys.argv[2]
con = duckdb.connect(path, read_only=mode == "read_only")
def rows_read():
    return con.execute("select sum(rows_read) from marts.fct_log_balance").fetchone()[0]
print(rows_read(), flush=True)
sys.stdin.readline()
print(rows_read(), flush=True)
con.close()
con = duckdb.connect(path, read_only=True)
print(rows_read(), flush=True)
"""


def wait_for_lock_holder(root, process, timeout=60.0) -> int:
    """Return the pid written in the build lock once `process` holds it."""
    path = lock_path(root / "warehouse" / "trainer.duckdb")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip() == str(process.pid):
            return process.pid
        assert process.poll() is None, "the first build ended before it took the lock"
        time.sleep(0.01)
    pytest.fail("the first build did not take the lock")


@pytest.fixture
def built_project(basic_project):
    basic_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True")
    build = run_build(basic_project.root, EPOCH)
    assert build.returncode == 0, build.stderr
    return basic_project


@pytest.fixture
def slow_project(basic_project):
    """basic_project with a 150,000-row chapter log: a build that runs for a few seconds."""
    rows = [f"Chapter {number},SQL-1-{number},2025-09-01,True" for number in range(150_000)]
    basic_project.log("chapters.csv", CHAPTER_HEADER, *rows)
    return basic_project


@pytest.mark.parametrize("mode", ["read_only", "read_write"])
def test_open_session_keeps_previous_warehouse(built_project, mode):
    root = built_project.root
    session = subprocess.Popen(
        [sys.executable, "-c", QUERY_SESSION, str(root / "warehouse" / "trainer.duckdb"), mode],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert session.stdout.readline().strip() == "2"
        built_project.log("steps.csv", STEP_HEADER, "Select,SQL-1,completed,2025-10-01,True",
                          "Joins,SQL-2,completed,2025-10-02,True")
        build = run_build(root, EPOCH + 1)
        assert build.returncode == 0, build.stderr
        session.stdin.write("\n")
        session.stdin.flush()
        assert session.stdout.readline().strip() == "2"
        assert session.stdout.readline().strip() == "3"
    finally:
        session.kill()
        session.wait()
    assert published_set(root)[1] == {"steps.csv": 2, "training.csv": 1}


def build_during_first(root, wait: str):
    """Start a build, then run a second one with TRAINER_LOCK_WAIT=`wait` while the first holds the lock.

    Returns the first build's pid and exit status and the second build's result.
    """
    first = subprocess.Popen(build_command(), cwd=root, env=build_environment(EPOCH),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pid = wait_for_lock_holder(root, first)
        second = subprocess.run([arg for arg in build_command() if arg != "-q"], cwd=root,
                                env=build_environment(EPOCH + 1, TRAINER_LOCK_WAIT=wait),
                                capture_output=True, text=True)
    finally:
        first.wait()
    return pid, first.returncode, second


def test_second_build_gives_up_naming_first(slow_project):
    root = slow_project.root
    pid, first_returncode, second = build_during_first(root, wait="0.5")
    assert second.returncode == 1
    lines = second.stderr.splitlines()
    assert lines[0] == (f"warning: another build (pid {pid}) is running on warehouse/trainer.duckdb; "
                        "waiting up to 0.5 s for it to finish")
    assert lines[-1] == (f"error: warehouse/trainer.duckdb: another build (pid {pid}) is running; waited 0.5 s. "
                         "Build again when it ends, or set TRAINER_LOCK_WAIT=SECONDS to wait longer")
    assert first_returncode == 0
    assert published_set(root)[0] == "2025-10-20T22:40:00Z"


def test_second_build_waits_for_first(slow_project):
    root = slow_project.root
    pid, first_returncode, second = build_during_first(root, wait="120")
    assert first_returncode == 0
    assert second.returncode == 0, second.stderr
    assert (f"warning: another build (pid {pid}) is running on warehouse/trainer.duckdb; waiting up to 120 s "
            "for it to finish") in second.stderr.splitlines()
    assert published_set(root)[0] == "2025-10-20T22:40:01Z"
    assert temporary_outputs(root) == []


def test_killed_build_lock_is_taken_over(slow_project):
    root = slow_project.root
    first = subprocess.Popen(build_command(), cwd=root, env=build_environment(EPOCH),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pid = wait_for_lock_holder(root, first)
    first.send_signal(signal.SIGKILL)
    assert first.wait() == -signal.SIGKILL
    assert lock_path(root / "warehouse" / "trainer.duckdb").read_text().strip() == str(pid)
    second = subprocess.run([arg for arg in build_command() if arg != "-q"], cwd=root,
                            env=build_environment(EPOCH + 1, TRAINER_LOCK_WAIT="0"), capture_output=True,
                            text=True)
    assert second.returncode == 0, second.stderr
    assert (f"warning: warehouse/.trainer.duckdb.lock: the build with pid {pid} was stopped before it finished; "
            "taking over its lock") in second.stderr.splitlines()
    assert temporary_outputs(root) == []


def test_lock_held_in_process_rejects_second(tmp_path):
    warehouse = tmp_path / "trainer.duckdb"
    messages = []
    first = acquire_build_lock(warehouse, "trainer.duckdb", messages.append, wait=0)
    try:
        with pytest.raises(BuildLockedError) as raised:
            acquire_build_lock(warehouse, "trainer.duckdb", messages.append, wait=0)
    finally:
        first.release()
    assert str(raised.value).startswith(f"trainer.duckdb: another build (pid {os.getpid()}) is running")
    assert messages == []  # with no wait there is no progress message
    second = acquire_build_lock(warehouse, "trainer.duckdb", messages.append, wait=0)
    assert second.killed_pid is None
    second.release()
    assert lock_path(warehouse).read_text() == ""
