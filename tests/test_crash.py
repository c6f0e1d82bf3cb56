"""A build stopped at any moment leaves the previous outputs or the new ones as a whole set.

One test stops a build just before each rename of its publishing step, where the outputs
change. Another kills a build of a larger sample with SIGKILL at 20 moments spread over its
run time.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time

import pytest

from conftest import CHAPTER_HEADER, STEP_HEADER
from published import build_command, build_environment, published_set, run_build, temporary_outputs
from trainer.lock import acquire_build_lock
from trainer.publish import finish_interrupted_publish, journal_path, remove_leftovers

FIRST_EPOCH = 1761000000

# Runs cli.py with os.replace patched to end the process (exit status 9, no clean-up) just
# before rename number `limit`, counting from 0.
STOP_BEFORE_RENAME = """
import os, runpy, sys
limit = int(sys.argv.pop(1))
real_replace = os.replace
def replace(source, destination):
    global limit
    if limit == 0:
        os._exit(9)
    limit -= 1
    real_replace(source, destination)
os.replace = replace
sys.argv[0] = sys.argv[1]
del sys.argv[1]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def stamp(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def step_rows(count: int) -> list[str]:
    ids = ("SQL-1", "SQL-2", "SQL-10", "PY-1")
    rows = [f"Step {number},{ids[number % 4]},completed,2025-10-{number % 20 + 1:02d},True"
            for number in range(min(count, 4))]
    # Unknown ids are orphans, so a large log costs no duplicate checks between its rows.
    rows += [f"Generated {number},GEN-{number},active,2025-09-{number % 28 + 1:02d},False"
             for number in range(4, count)]
    return rows


def recover(root):
    """Do what the next build does first: take the lock, complete a swap, delete leftovers."""
    warehouse = root / "warehouse" / "trainer.duckdb"
    lock = acquire_build_lock(warehouse, "warehouse/trainer.duckdb", lambda message: None, wait=0)
    try:
        finish_interrupted_publish(warehouse)
        remove_leftovers(warehouse, root / "signals")
    finally:
        lock.release()


@pytest.fixture
def small_project(basic_project):
    basic_project.log("steps.csv", STEP_HEADER, *step_rows(1))
    first = run_build(basic_project.root, FIRST_EPOCH)
    assert first.returncode == 0, first.stderr
    return basic_project


def test_stop_before_each_rename_keeps_one_set(small_project):
    root = small_project.root
    previous = published_set(root)
    assert previous == (stamp(FIRST_EPOCH), {"steps.csv": 1, "training.csv": 1})
    small_project.log("steps.csv", STEP_HEADER, *step_rows(2))
    stopped_during_swap = 0
    for limit in range(30):
        epoch = FIRST_EPOCH + 100 + limit
        command = [sys.executable, "-c", STOP_BEFORE_RENAME, str(limit), *build_command()[1:]]
        result = subprocess.run(command, cwd=root, env=build_environment(epoch), capture_output=True, text=True)
        if result.returncode == 0:
            break
        assert result.returncode == 9, result.stderr
        new = (stamp(epoch), {"steps.csv": 2, "training.csv": 1})
        if journal_path(root / "warehouse" / "trainer.duckdb").exists():
            stopped_during_swap += 1
            recover(root)
            assert published_set(root) == new
        else:
            assert published_set(root) == previous
            recover(root)
        assert temporary_outputs(root) == []
        previous = published_set(root)
    else:
        pytest.fail("the build never finished: it renames more than 30 paths")
    assert stopped_during_swap >= 5  # funnel_logs (two renames), three signal files, the warehouse
    assert published_set(root) == (stamp(epoch), {"steps.csv": 2, "training.csv": 1})


def test_next_build_completes_interrupted_swap(small_project):
    root = small_project.root
    small_project.log("steps.csv", STEP_HEADER, *step_rows(2))
    command = [sys.executable, "-c", STOP_BEFORE_RENAME, "3", *build_command()[1:]]
    stopped = subprocess.run(command, cwd=root, env=build_environment(FIRST_EPOCH + 1), capture_output=True)
    assert stopped.returncode == 9
    assert journal_path(root / "warehouse" / "trainer.duckdb").exists()
    (root / "data" / "internal" / "steps.csv").write_bytes(b"\x00binary")
    failed = subprocess.run([arg for arg in build_command() if arg != "-q"], cwd=root,
                            env=build_environment(FIRST_EPOCH + 2), capture_output=True, text=True)
    assert failed.returncode == 2
    assert "warehouse/.trainer.duckdb.publish: completed the swap of the outputs of the build with pid" in failed.stderr
    assert published_set(root) == (stamp(FIRST_EPOCH + 1), {"steps.csv": 2, "training.csv": 1})
    assert temporary_outputs(root) == []


def chapter_rows(count: int) -> list[str]:
    # Chapter codes extend step ids, so every row is attributed and funnel_progress.json stays small.
    ids = ("SQL-1", "SQL-2", "SQL-10", "PY-1")
    return [f"Chapter {number},{ids[number % 4]}-{number},2025-09-{number % 28 + 1:02d},{number % 3 == 0}"
            for number in range(count)]


def test_killed_build_leaves_previous_or_new_set(basic_project):
    """SIGKILL a build of a 100,000-row log at 20 moments spread over 1.2 times its measured run."""
    root = basic_project.root
    sizes = (100_000, 100_010)  # two inputs that differ in their row counts
    contents = ["\n".join([CHAPTER_HEADER, *chapter_rows(size)]).encode() for size in sizes]
    basic_project.log_bytes("chapters.csv", contents[0])
    started = time.monotonic()
    first = run_build(root, FIRST_EPOCH)
    build_seconds = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    previous = published_set(root)
    killed_while_running = 0
    for moment in range(20):
        size = sizes[(moment + 1) % 2]
        basic_project.log_bytes("chapters.csv", contents[(moment + 1) % 2])
        epoch = FIRST_EPOCH + 1 + moment
        process = subprocess.Popen(build_command(), cwd=root, env=build_environment(epoch),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(build_seconds * 1.2 * (moment + 0.5) / 20)
        process.send_signal(signal.SIGKILL)
        killed_while_running += process.wait() == -signal.SIGKILL
        new = (stamp(epoch), {"chapters.csv": size, "training.csv": 1})
        if journal_path(root / "warehouse" / "trainer.duckdb").exists():
            recover(root)
            outputs = published_set(root)
            assert outputs == new
        else:
            outputs = published_set(root)
            assert outputs in (previous, new)
            recover(root)
        assert temporary_outputs(root) == []
        previous = outputs
    # A kill after the build ended proves nothing; most moments fall inside the measured run.
    assert killed_while_running >= 10
    last = run_build(root, FIRST_EPOCH + 99)
    assert last.returncode == 0, last.stderr
    assert temporary_outputs(root) == []
    assert (root / "warehouse" / ".trainer.duckdb.lock").read_text() == ""
