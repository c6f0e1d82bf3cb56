"""`trainer explain`: why a log row lands where it does, read from the warehouse.

A row is named as FILE:LINE (the line number an editor shows and `trainer build -v` prints) or
by the id it logs. The explanation comes from marts.fct_log_rows (rule, key, orphan reason,
findings), the raw table of the file (the fields as logged) and the spec tables.
"""

from __future__ import annotations

import re

from .errors import InputError

LOCATION = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")

ORPHAN_REASONS = {
    "missing_id": "the row has no id",
    "unknown_training": "no training id or alias in the spec matches the logged id",
    "unknown_step": "no step id or alias in the spec matches the logged id",
    "unknown_chapter_step": "no step id or alias followed by '-' starts the chapter code",
    "unknown_skill": "no skill id in the spec matches the logged id",
}

ROWS_SQL = """
    select
        log_rows.source_file, log_rows.row_number, log_rows.line_number, log_rows.log_kind,
        log_rows.logged_id, log_rows.training_id, log_rows.step_id, log_rows.skill_id,
        log_rows.attributed_by, log_rows.attributed_key, log_rows.orphan_reason, log_rows.orphan_hint,
        log_rows.is_complete, log_rows.is_counted, log_rows.finding_details,
        funnels.label as training_label, steps.label as step_label, skills.label as skill_label,
        log_files.table_name
    from marts.fct_log_rows as log_rows
    left join spec.funnels as funnels on funnels.training_id = log_rows.training_id
    left join spec.steps as steps on steps.step_id = log_rows.step_id
    left join spec.skills as skills on skills.skill_id = log_rows.skill_id
    left join raw.log_files as log_files on log_files.source_file = log_rows.source_file
    where {condition}
    order by log_rows.source_file, log_rows.row_number
"""


def explain(con, target: str) -> str:
    """Return the explanation of every row `target` names; InputError when it names none."""
    location = LOCATION.match(target)
    if location:
        condition, params = "log_rows.source_file = $file and log_rows.line_number = $line", {
            "file": location["file"].replace("\\", "/").rsplit("/", 1)[-1], "line": int(location["line"])}
    else:
        condition, params = "normalised_id(log_rows.logged_id) = normalised_id($id)", {"id": target}
    cursor = con.execute(ROWS_SQL.format(condition=condition), params)
    columns = [column[0] for column in cursor.description]
    rows = [dict(zip(columns, values)) for values in cursor.fetchall()]
    if not rows:
        problem = "no data row at that line" if location else "no log row logs that id"
        raise InputError(f"{target}: {problem}; give FILE:LINE as trainer build -v prints it, or a logged id")
    return "\n\n".join(_explain_row(con, row) for row in rows)


def _explain_row(con, row: dict) -> str:
    lines = [f"{row['source_file']}:{row['line_number']} (data row {row['row_number']} of a {row['log_kind']} log)"]
    lines.append(f"  fields:      {_fields(con, row)}")
    if row["orphan_reason"]:
        reason = ORPHAN_REASONS.get(row["orphan_reason"], "no rule matched")
        lines.append(f"  orphan:      {row['orphan_reason']}: {reason} ({row['logged_id']!r})")
        if row["orphan_hint"]:
            lines.append(f"  hint:        did you mean {row['orphan_hint']}? Add it as an alias in the spec "
                         "if the logged id is right")
    else:
        lines.append(f"  attributed:  by {row['attributed_by']} on key {row['attributed_key']!r}: {_rule(row)}")
        lines.append(f"  counts:      {_target(row)}")
        counted = "yes" if row["is_counted"] else "no, a later row of the same id counts instead"
        lines.append(f"  counted:     {counted}; {'complete' if row['is_complete'] else 'not complete'}")
    findings = row["finding_details"] or []
    lines.append(f"  findings:    {'; '.join(findings) if findings else 'none'}")
    return "\n".join(lines)


def _rule(row: dict) -> str:
    thing = {"training": "training", "skill": "skill"}.get(row["log_kind"], "step")
    if row["attributed_by"] == "id":
        return f"the logged id {row['logged_id']!r} is the {thing} id (trimmed, case ignored)"
    if row["attributed_by"] == "alias":
        target = row["training_id"] if thing == "training" else row["step_id"]
        return f"the logged id {row['logged_id']!r} is an alias of {thing} {target} in the spec"
    return (f"the chapter code {row['logged_id']!r} starts with {row['attributed_key'] + '-'!r}; "
            "of the step ids and aliases that match, the longest wins")


def _target(row: dict) -> str:
    if row["log_kind"] == "skill":
        return f"skill {row['skill_id']} ({row['skill_label']})"
    training = f"training {row['training_id']} ({row['training_label']})"
    if row["log_kind"] == "training":
        return training
    return f"step {row['step_id']} ({row['step_label']}) of {training}"


def _fields(con, row: dict) -> str:
    """Return the row's fields as logged, read from its file's raw table."""
    table = row["table_name"]
    if not table:
        return "(the raw table of this file is missing)"
    cursor = con.execute(f"select * exclude (source_file, row_number, line_number) from {table} "
                         "where row_number = $row", {"row": row["row_number"]})
    names = [column[0] for column in cursor.description]
    values = cursor.fetchone() or ()
    return ", ".join(f"{name}={value!r}" for name, value in zip(names, values))
