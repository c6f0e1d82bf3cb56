"""Export the marts as JSON signals: funnel_progress.json, the per-log drilldowns and latest.json.

Each list of rows is turned into JSON by DuckDB (`to_json`) in one query, so no Python loop
walks the log rows. Files are returned as bytes keyed by their path under signals/; the build
writes them. With the same inputs, --as-of and SOURCE_DATE_EPOCH the bytes are identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os

from .run_results import compare_progress, encode, published_changes
from .sql import literal, quote_identifier

FINDING_KINDS = ("bad_date", "bad_flag", "date_out_of_range", "unknown_status", "conflicting_completion",
                 "duplicate_id")
STATUSES = ("completed", "in_progress", "cooled", "not_started")
REPO_SLUG = "trainer-model"
BROADCAST_VERSION = "1.0.0"


def generated_at() -> dt.datetime:
    """Return the build time: SOURCE_DATE_EPOCH when set (reproducible builds), else now (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _json_query(con, sql: str, params=None):
    value = con.execute(sql, params or {}).fetchone()[0]
    return json.loads(value) if value is not None else None


def export_signals(con, spec, as_of: dt.date, logs, warnings: list[str], test_results=(),
                   previous: dict | None = None) -> tuple[dict[str, bytes], dict]:
    """Return the signal files (path under signals/ to bytes) and the funnel_progress document.

    `previous` is the previous build's funnel_progress document, for the change list.
    """
    timestamp = generated_at()
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    trainings = _trainings(con, spec)
    balance = _json_query(con, """
        select to_json(coalesce(list({
            'file': source_file, 'kind': log_kind, 'encoding': encoding, 'rows_read': rows_read,
            'attributed': rows_attributed, 'orphans': rows_orphaned, 'skipped_rows': rows_skipped,
            'blank_lines': blank_lines_skipped, 'findings': findings, 'skipped_reason': skipped_reason
        } order by source_file), []))
        from marts.fct_log_balance
    """)
    orphans = _json_query(con, """
        select to_json(coalesce(list({
            'source_file': source_file, 'row': row_number, 'line': line_number, 'log_kind': log_kind,
            'id': logged_id, 'reason': orphan_reason, 'hint': orphan_hint
        } order by source_file, row_number), []))
        from marts.fct_orphans
    """)
    findings = _json_query(con, """
        select to_json(coalesce(list({
            'source_file': source_file, 'row': row_number, 'line': line_number, 'log_kind': log_kind,
            'id': logged_id, 'kind': finding_kind, 'column': column_name, 'value': value, 'detail': detail
        } order by source_file, row_number, finding_kind, detail), []))
        from marts.fct_findings
    """)
    weekly = _json_query(con, """
        select to_json(coalesce(list({
            'week_start': week_start, 'steps_completed': steps_completed,
            'chapters_completed': chapters_completed, 'steps_completed_to_date': steps_completed_to_date
        } order by week_start), []))
        from marts.fct_weekly_activity
        where learner_id = $learner
    """, {"learner": spec.defaults.learner.strip().lower()})

    summary = _summary(trainings, balance, orphans, findings, warnings, logs)
    progress = {
        "generated_at": stamp,
        "as_of": as_of.isoformat(),
        "learner": spec.defaults.learner.strip().lower(),
        "summary": summary,
        "skills": {skill.skill_id: skill.label for skill in spec.skills},
        "trainings": {training["id"]: training for training in trainings},
        "orphans": orphans,
        "findings": findings,
        "warnings": _structured_warnings(logs, warnings),
        "logs": balance,
        "weekly_activity": weekly,
        "data_tests": [{"name": result.test.name, "status": result.status, "severity": result.test.severity,
                        "failing_rows": result.failing_rows, "table": result.table}
                       for result in test_results if result.status != "pass"],
    }
    progress["changes"] = compare_progress(previous, progress)
    # The files leave out since_as_of, so rebuilding the same inputs writes the same bytes even
    # though the first build had nothing to compare with and the second has.
    changes = published_changes(progress["changes"])
    progress_bytes = encode({**progress, "changes": changes})
    files = {"funnel_progress.json": progress_bytes}
    files.update(_drilldowns(con, logs, stamp))
    files["latest.json"] = encode(_broadcast(timestamp, as_of, summary, trainings, progress_bytes, changes))
    return files, progress


def _trainings(con, spec) -> list[dict]:
    """One object per spec training for the default learner, in spec order, with its steps."""
    return _json_query(con, """
        with steps as (
            select
                training_id,
                list({
                    'id': step_id, 'title': title, 'position': step_position, 'completed': is_completed,
                    'status': status, 'last_activity': last_activity_date,
                    'chapters_logged': chapters_logged, 'chapters_completed': chapters_completed
                } order by step_position) as steps
            from marts.fct_step_progress
            where learner_id = $learner
            group by training_id
        ),

        skills as (
            select training_id, list(skill_id order by skill_position) as skills
            from spec.funnel_skills
            group by training_id
        )

        select to_json(coalesce(list({
            'id': progress.training_id,
            'title': progress.title,
            'provider': progress.provider,
            'skills': coalesce(skills.skills, []),
            'status': progress.status,
            'logged_status': progress.logged_status,
            'training_flag': progress.is_completed_flag,
            'steps_total': progress.steps_total,
            'steps_completed': progress.steps_completed,
            'completed_step_ids': progress.completed_step_ids,
            'percent_complete': progress.percent_complete,
            'last_activity': progress.last_activity_date,
            'days_since_activity': progress.days_since_activity,
            'notes': progress.notes,
            'steps': coalesce(steps.steps, [])
        } order by progress.funnel_position), []))
        from marts.fct_training_progress as progress
        left join steps on steps.training_id = progress.training_id
        left join skills on skills.training_id = progress.training_id
        where progress.learner_id = $learner
    """, {"learner": spec.defaults.learner.strip().lower()})


def _summary(trainings, balance, orphans, findings, warnings, logs) -> dict:
    by_status = {status: 0 for status in STATUSES}
    for training in trainings:
        by_status[training["status"]] += 1
    findings_by_kind = {kind: 0 for kind in FINDING_KINDS}
    for finding in findings:
        findings_by_kind[finding["kind"]] = findings_by_kind.get(finding["kind"], 0) + 1
    steps_total = sum(training["steps_total"] for training in trainings)
    steps_completed = sum(training["steps_completed"] for training in trainings)
    return {
        "trainings": len(trainings),
        "trainings_by_status": by_status,
        "steps_completed": steps_completed,
        "steps_total": steps_total,
        "percent_complete": round(100.0 * steps_completed / steps_total, 2) if steps_total else 0.0,
        "logs": len(balance),
        "rows_read": sum(entry["rows_read"] for entry in balance),
        "rows_attributed": sum(entry["attributed"] for entry in balance),
        "orphans": len(orphans),
        "rows_skipped": sum(entry["skipped_rows"] for entry in balance),
        "blank_lines_skipped": sum(entry["blank_lines"] for entry in balance),
        "files_skipped": sum(1 for log in logs if log.skipped_reason),
        "findings": sum(findings_by_kind.values()),
        "findings_by_kind": findings_by_kind,
        "warnings": len(warnings),
    }


def _structured_warnings(logs, warnings: list[str]) -> list[dict]:
    """Return the build's warnings; a log of no known kind or a skipped file also gets its own kind."""
    structured = []
    for log in logs:
        if log.kind == "unrecognised":
            structured.append({"kind": "unrecognised_log", "source_file": log.file_name, "rows": log.rows})
        if log.skipped_reason:
            structured.append({"kind": "skipped_file", "source_file": log.file_name,
                               "reason": log.skipped_reason})
    structured.extend({"kind": "message", "message": message} for message in warnings)
    return structured


def _drilldowns(con, logs, stamp: str) -> dict[str, bytes]:
    files = {}
    index = []
    balance = {row[0]: row[1:] for row in con.execute(
        "select source_file, rows_attributed, rows_orphaned, rows_skipped, findings from marts.fct_log_balance"
    ).fetchall()}
    for log in logs:
        attributed, orphans, skipped, findings = balance.get(log.file_name, (0, 0, 0, 0))
        entry = {
            "file": log.file_name,
            "drilldown": None,
            "kind": log.kind or "skipped",
            "encoding": log.encoding,
            "rows": log.rows,
            "attributed": attributed,
            "orphans": orphans,
            "skipped_rows": skipped,
            "blank_lines": log.skipped_lines,
            "findings": findings,
            "skipped_reason": log.skipped_reason,
        }
        if log.table:
            name = f"funnel_logs/{log.table}.json"
            entry["drilldown"] = name
            files[name] = _drilldown(con, log, stamp)
        index.append(entry)
    files["funnel_logs/index.json"] = encode({"generated_at": stamp, "logs": index})
    return files


def _drilldown(con, log, stamp: str) -> bytes:
    """Every row of one CSV: its original fields, where it came from, its attribution and findings."""
    names = [text for text, _ in log.headers]
    unique_keys = len({name for name in names}) == len(names) and all(names)
    keys = names if unique_keys else [column for _, column in log.headers]
    fields = ", ".join(
        f"{literal(key)}: raw_rows.{quote_identifier(column)}"
        for key, (_, column) in zip(keys, log.headers)
    )
    # One row per line, serialised by DuckDB: readable in a diff, and no Python loop over rows.
    rows_text = con.execute(f"""
        select coalesce(string_agg(to_json({{
            'row': raw_rows.row_number,
            'line': raw_rows.line_number,
            'fields': {{{fields}}},
            'training_id': log_rows.training_id,
            'step_id': log_rows.step_id,
            'skill_id': log_rows.skill_id,
            'attributed_by': log_rows.attributed_by,
            'attributed_key': log_rows.attributed_key,
            'orphan_reason': log_rows.orphan_reason,
            'orphan_hint': log_rows.orphan_hint,
            'counted': log_rows.is_counted,
            'findings': coalesce(log_rows.finding_details, []),
            'finding_kinds': coalesce(log_rows.finding_kinds, [])
        }}), ',\n    ' order by raw_rows.row_number), '')
        from raw.{quote_identifier(log.table)} as raw_rows
        left join marts.fct_log_rows as log_rows
            on log_rows.source_file = raw_rows.source_file
            and log_rows.row_number = raw_rows.row_number
    """).fetchone()[0]
    skipped = _json_query(con, """
        select to_json(coalesce(list({'line': line_number, 'reason': reason} order by line_number), []))
        from raw.skipped_lines where source_file = $file
    """, {"file": log.file_name})
    head = {
        "generated_at": stamp,
        "file": log.file_name,
        "kind": log.kind,
        "encoding": log.encoding,
        "columns": keys,
        "skipped_lines": skipped,
    }
    members = "".join(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n" for key, value in head.items())
    rows = f"[\n    {rows_text}\n  ]" if rows_text else "[]"
    return f"{{\n{members}  \"rows\": {rows}\n}}\n".encode("utf-8")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def progress_sentence(summary: dict, as_of: dt.date) -> str:
    by_status = summary["trainings_by_status"]
    return (
        f"{summary['steps_completed']} of {_count(summary['steps_total'], 'step')} complete "
        f"({summary['percent_complete']:g}%) across {_count(summary['trainings'], 'training')} "
        f"as of {as_of.isoformat()}: {by_status['completed']} completed, {by_status['in_progress']} in progress, "
        f"{by_status['cooled']} cooled, {by_status['not_started']} not started; "
        f"{_count(summary['orphans'], 'orphan row')}, {_count(summary['findings'], 'finding')}."
    )


def _broadcast(timestamp: dt.datetime, as_of: dt.date, summary: dict, trainings: list[dict],
               progress_bytes: bytes, changes: dict) -> dict:
    """The constellation broadcast; its shape follows the constellation's latest.json schema."""
    in_progress = [
        {"id": training["id"], "title": training["title"], "percent_complete": training["percent_complete"]}
        for training in trainings if training["status"] == "in_progress"
    ]
    return {
        "id": f"{timestamp.strftime('%Y%m%dT%H%M%SZ')}-{REPO_SLUG}-funnel-progress",
        "ts_utc": timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date": timestamp.strftime("%Y-%m-%d"),
        "module": "Trainer Model",
        "repo": REPO_SLUG,
        "title": f"Training progress as of {as_of.isoformat()}",
        "summary": progress_sentence(summary, as_of),
        "tags": ["training", "progress", "funnel"],
        "rating": "high" if summary["orphans"] else "normal",
        "origin": {"name": "Trainer Model", "url": "index.html", "emoji": "\U0001F393"},
        "links": {"readme": "README.md", "page": "index.html", "data": "signals/funnel_progress.json"},
        "payload": {
            "as_of": as_of.isoformat(),
            "trainings": summary["trainings"],
            "trainings_by_status": summary["trainings_by_status"],
            "steps_completed": summary["steps_completed"],
            "steps_total": summary["steps_total"],
            "percent_complete": summary["percent_complete"],
            "orphans": summary["orphans"],
            "findings_by_kind": summary["findings_by_kind"],
            "in_progress": in_progress,
            "changes": changes,
        },
        "checksum": "sha256:" + hashlib.sha256(progress_bytes).hexdigest(),
        "version": BROADCAST_VERSION,
    }
