"""signals/run_results.json, and what changed since the previous build.

run_results.json records, per model and data test, its status, rows and seconds, plus totals,
the as-of date and fingerprints (SHA-256) of the spec, each input log and the models. When
SOURCE_DATE_EPOCH is set (a reproducible build) the timings are null, so the file's bytes
depend on the inputs only.

The change list compares the new funnel_progress document with the one the previous build
wrote. Orphans and findings are matched by file, kind, id and reason (not by line), so
inserting a line above a row does not make its orphan look new.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

from .logs import find_logs

CHANGE_LISTS = ("completed_steps", "reopened_steps", "completed_trainings", "went_stale",
                "new_orphans", "resolved_orphans", "new_findings", "resolved_findings")


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def fingerprints(funnel_spec: Path, input_dir: Path, sql_dir: Path, variables: dict) -> dict:
    models = hashlib.sha256()
    for path in sorted(sql_dir.rglob("*")):
        if path.is_file() and path.suffix in (".sql", ".yml"):
            models.update(path.relative_to(sql_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return {
        "spec": _sha256(funnel_spec.read_bytes()),
        "inputs": {path.name: _sha256(path.read_bytes()) for path in find_logs(input_dir)},
        "models": "sha256:" + models.hexdigest(),
        "variables": {name: str(value) for name, value in sorted(variables.items())},
    }


def run_results_document(*, generated_at: str, as_of, selection, model_results, test_results, changes,
                         fingerprint: dict, seconds: float) -> dict:
    timed = "SOURCE_DATE_EPOCH" not in os.environ

    def timing(value: float):
        return round(value, 4) if timed else None

    models = [{
        "name": result.model.name,
        "relation": result.model.relation,
        "folder": result.model.schema,
        "materialized": result.model.materialized,
        "refs": result.model.refs,
        "status": result.status,
        "rows": result.rows,
        "seconds": timing(result.seconds),
    } for result in model_results]
    tests = [{
        "name": result.test.name,
        "kind": result.test.kind,
        "model": result.test.model,
        "column": result.test.column,
        "severity": result.test.severity,
        "status": result.status,
        "failing_rows": result.failing_rows,
        "failing_rows_table": result.table,
        "seconds": timing(result.seconds),
    } for result in test_results]
    statuses = Counter(result.status for result in test_results)
    return {
        "generated_at": generated_at,
        "as_of": as_of.isoformat(),
        "selection": list(selection) or None,
        "fingerprints": fingerprint,
        "models": models,
        "tests": tests,
        "totals": {
            "models": len(models),
            "models_built": sum(1 for result in model_results if result.status == "success"),
            "models_reused": sum(1 for result in model_results if result.status == "reused"),
            "rows_built": sum(result.rows for result in model_results if result.status == "success"),
            "tests": len(tests),
            "tests_passed": statuses["pass"],
            "tests_warned": statuses["warn"],
            "tests_failed": statuses["fail"],
            "seconds": timing(seconds),
        },
        "changes": changes,
    }


def compare_progress(previous: dict | None, current: dict) -> dict:
    """List what changed from the previous funnel_progress document to the current one."""
    changes = {"since_as_of": None, **{name: [] for name in CHANGE_LISTS}}
    if not previous:
        return changes
    changes["since_as_of"] = previous.get("as_of")
    before = previous.get("trainings", {})
    for training_id, training in current["trainings"].items():
        old = before.get(training_id, {})
        old_steps = set(old.get("completed_step_ids", []))
        new_steps = set(training["completed_step_ids"])
        changes["completed_steps"] += [{"training_id": training_id, "step_id": step}
                                       for step in training["completed_step_ids"] if step not in old_steps]
        changes["reopened_steps"] += [{"training_id": training_id, "step_id": step}
                                      for step in old.get("completed_step_ids", []) if step not in new_steps]
        if training["status"] == "completed" and old.get("status") != "completed":
            changes["completed_trainings"].append({"training_id": training_id})
        if training["status"] == "cooled" and old.get("status") == "in_progress":
            changes["went_stale"].append({"training_id": training_id,
                                          "last_activity": training["last_activity"]})
    changes["new_orphans"], changes["resolved_orphans"] = _difference(
        previous.get("orphans", []), current["orphans"], ("source_file", "log_kind", "id", "reason"))
    changes["new_findings"], changes["resolved_findings"] = _difference(
        previous.get("findings", []), current["findings"], ("source_file", "kind", "id", "column", "value"))
    return changes


def _difference(old_rows: list[dict], new_rows: list[dict], key: tuple[str, ...]) -> tuple[list, list]:
    """Return (rows only in new, rows only in old), matching rows by `key` and counting repeats."""

    def identity(row):
        return tuple(row.get(name) for name in key)

    def only_in(rows, other):
        remaining = Counter(identity(row) for row in other)
        kept = []
        for row in rows:
            if remaining[identity(row)]:
                remaining[identity(row)] -= 1
            else:
                kept.append(row)
        return kept

    return only_in(new_rows, old_rows), only_in(old_rows, new_rows)


def published_changes(changes: dict) -> dict:
    """Return the change lists as the signal files carry them: without since_as_of."""
    return {name: value for name, value in changes.items() if name != "since_as_of"}


def format_changes(changes: dict | None) -> list[str]:
    """Lines for the end of the build summary."""
    if changes is None or changes["since_as_of"] is None:
        return ["Changes: none to show, no previous build to compare with."]
    lines = []
    for entry in changes["completed_steps"]:
        lines.append(f"  completed  step {entry['step_id']} of {entry['training_id']}")
    for entry in changes["reopened_steps"]:
        lines.append(f"  reopened   step {entry['step_id']} of {entry['training_id']} is no longer complete")
    for entry in changes["completed_trainings"]:
        lines.append(f"  completed  training {entry['training_id']}")
    for entry in changes["went_stale"]:
        lines.append(f"  stale      training {entry['training_id']} (last activity {entry['last_activity']})")
    for label, key in (("new", "new_orphans"), ("resolved", "resolved_orphans")):
        for orphan in changes[key]:
            lines.append(f"  {label + ' orphan':<10} {orphan['source_file']}:{orphan['line']} "
                         f"{orphan['log_kind']} {orphan['id']!r}: {orphan['reason']}")
    for label, key in (("new", "new_findings"), ("resolved", "resolved_findings")):
        for finding in changes[key]:
            lines.append(f"  {label + ' finding':<10} {finding['source_file']}:{finding['line']} "
                         f"{finding['kind']}: {finding['detail']}")
    header = f"Changes since the previous build (as of {changes['since_as_of']}):"
    return [header, *lines] if lines else [f"{header} none."]


def read_previous_progress(signals_dir: Path) -> dict | None:
    """Return the funnel_progress document of the previous build, or None when there is none to read."""
    try:
        return json.loads((signals_dir / "funnel_progress.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def encode(document: dict) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
