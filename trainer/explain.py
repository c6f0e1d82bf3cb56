"""`trainer explain`: why a log row lands where it does, read from the warehouse.

A row is named as FILE:LINE (the line number an editor shows and `trainer build -v` prints), by
the id it logs or by the spec id it is attributed to. The explanation comes from
marts.fct_log_rows (rule, key, orphan reason, findings), the raw table of the file (the fields as
logged) and the spec tables.
"""

from __future__ import annotations

import re

from .errors import InputError

LOCATION = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")

# The model that attributes each kind of log, as int_log_rows_attributed.sql combines them.
# Explanations name this file and never restate its rule, so they stay true when it is edited.
ATTRIBUTION_MODELS = {
    "training": "int_trainings_attributed",
    "step": "int_steps_attributed",
    "chapter": "int_chapters_attributed",
    "skill": "int_skills_attributed",
}

SKIPPED_REASONS = {
    "blank_line": "is blank",
    "blank_row": "has only empty fields",
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


# A row is found by the id it logs or by the spec id it is attributed to, so an alias finds the
# rows logged under it and the spec id finds them too. Chapter rows match their chapter code only,
# so a step id does not list every chapter of that step.
ID_CONDITION = """
    normalised_id($id) in (
        normalised_id(log_rows.logged_id),
        normalised_id(case log_rows.log_kind
            when 'training' then log_rows.training_id
            when 'step' then log_rows.step_id
            when 'skill' then log_rows.skill_id
        end))
"""


def explain(con, target: str) -> str:
    """Return the explanation of every row `target` names; InputError when it names none.

    A blank line that the build skipped is explained too, as one line.
    """
    location = LOCATION.match(target)
    if location:
        file_name = location["file"].replace("\\", "/").rsplit("/", 1)[-1]
        line = int(location["line"])
        condition, params = "log_rows.source_file = $file and log_rows.line_number = $line", {
            "file": file_name, "line": line}
    else:
        condition, params = ID_CONDITION, {"id": target}
    cursor = con.execute(ROWS_SQL.format(condition=condition), params)
    columns = [column[0] for column in cursor.description]
    rows = [dict(zip(columns, values)) for values in cursor.fetchall()]
    if rows:
        return "\n\n".join(_explain_row(con, row) for row in rows)
    if location:
        return _explain_missing_line(con, target, file_name, line)
    raise InputError(f"{target}: no log row logs that id or is attributed to it; "
                     "give FILE:LINE as trainer build -v prints it, or a logged id")


def _explain_missing_line(con, target: str, file_name: str, line: int) -> str:
    """Explain a FILE:LINE with no data row: a skipped line, or raise InputError naming the problem."""
    logs = [name for (name,) in con.execute("select source_file from raw.log_files order by source_file").fetchall()]
    if file_name not in logs:
        listed = ", ".join(logs) if logs else "none"
        raise InputError(f"{target}: no log named {file_name} in the warehouse (logs: {listed}); "
                         "give one of those names, as trainer build -v prints it")
    skipped = con.execute("select reason from raw.skipped_lines where source_file = $file and line_number = $line",
                          {"file": file_name, "line": line}).fetchone()
    if skipped:
        state = SKIPPED_REASONS.get(skipped[0], f"was skipped as {skipped[0]}")
        return f"{file_name}:{line}: this line {state} and was skipped, so no data row comes from it"
    raise InputError(f"{target}: no data row at that line; give FILE:LINE as trainer build -v prints it, "
                     "or a logged id")


def _explain_row(con, row: dict) -> str:
    model_file = _model_file(con, row["log_kind"])
    lines = [f"{row['source_file']}:{row['line_number']} (data row {row['row_number']} of a {row['log_kind']} log)"]
    lines.append(f"  fields:      {_fields(con, row)}")
    if row["orphan_reason"]:
        reason = ("the row has no id" if row["orphan_reason"] == "missing_id"
                  else f"no rule in {model_file} matched the logged id {row['logged_id']!r}")
        lines.append(f"  orphan:      {row['orphan_reason']}: {reason}")
        if row["orphan_hint"]:
            lines.append(f"  hint:        did you mean {row['orphan_hint']}? Add it as an alias in the spec "
                         "if the logged id is right")
    else:
        lines.append(f"  attributed:  matched by the {row['attributed_by']} rule in {model_file} "
                     f"on key {row['attributed_key']!r}")
        lines.append(f"  counts:      {_target(row)}")
        counted = "yes" if row["is_counted"] else "no, a later row of the same id counts instead"
        lines.append(f"  counted:     {counted}; {'complete' if row['is_complete'] else 'not complete'}")
    findings = row["finding_details"] or []
    lines.append(f"  findings:    {'; '.join(findings) if findings else 'none'}")
    return "\n".join(lines)


def _model_file(con, log_kind: str) -> str:
    """Return the path of the model that attributes `log_kind` rows, its folder read from the warehouse.

    NOTE: the path assumes the default models folder sql/, which a build with --models does not use.
    """
    model = ATTRIBUTION_MODELS.get(log_kind)
    found = model and con.execute(
        "select schema_name from duckdb_tables() where table_name = $name "
        "union all select schema_name from duckdb_views() where view_name = $name",
        {"name": model}).fetchone()
    if not found:
        return "the attribution models in sql/"
    return f"sql/{found[0]}/{model}.sql"


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
