"""Helpers for the crash and concurrency tests: run builds as separate processes and read back
the published outputs as one set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from conftest import AS_OF, REPO

TEMPORARY_MARKS = (".tmp-", ".publish")


def build_command(*extra: str) -> list[str]:
    """Return the command line of `trainer build` with the repo's models, as a user runs it."""
    return [sys.executable, str(REPO / "cli.py"), "build", "--models", str(REPO / "sql"), "--as-of", AS_OF,
            "-q", *extra]


def build_environment(epoch: int, **extra: str) -> dict[str, str]:
    """Return the environment of a build whose signals carry the time `epoch` (SOURCE_DATE_EPOCH)."""
    return {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), **extra}


def run_build(root: Path, epoch: int, *extra: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(build_command(*extra), cwd=root, env=build_environment(epoch, **environment),
                          capture_output=True, text=True, check=False)


def published_set(root: Path) -> tuple[str, dict[str, int]]:
    """Return the build time and the rows read per log of the outputs under `root`.

    Fails the test unless every signal file parses and carries the same build time, and the
    warehouse opens and contains the same rows per log as funnel_progress.json.
    """
    signals = root / "signals"
    progress = json.loads((signals / "funnel_progress.json").read_text(encoding="utf-8"))
    stamp = progress["generated_at"]
    stamps = {"latest.json": json.loads((signals / "latest.json").read_text(encoding="utf-8"))["ts_utc"]}
    for path in sorted((signals / "funnel_logs").glob("*.json")):
        stamps[f"funnel_logs/{path.name}"] = json.loads(path.read_text(encoding="utf-8"))["generated_at"]
    run_results = signals / "run_results.json"
    if run_results.exists():
        stamps["run_results.json"] = json.loads(run_results.read_text(encoding="utf-8")).get("generated_at", stamp)
    assert {name: value for name, value in stamps.items() if value != stamp} == {}, f"build time {stamp}"

    rows = {entry["file"]: entry["rows_read"] for entry in progress["logs"]}
    with duckdb.connect(str(root / "warehouse" / "trainer.duckdb"), read_only=True) as con:
        warehouse_rows = dict(con.execute("select source_file, rows_read from marts.fct_log_balance").fetchall())
    assert warehouse_rows == rows
    return stamp, rows


def temporary_outputs(root: Path) -> list[str]:
    """Return the temporary files and folders a build leaves only when it is stopped."""
    found = []
    for folder in (root / "warehouse", root / "signals"):
        found += [path.name for path in folder.iterdir() if any(mark in path.name for mark in TEMPORARY_MARKS)]
    return sorted(found)
