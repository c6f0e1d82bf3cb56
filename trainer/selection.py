"""`trainer build --select`: which models to rebuild, and reusing the others from the warehouse.

A selector names a model (`fct_orphans`) or a folder (`folder:attribution`). A leading `+`
adds every model upstream of it. Everything downstream of a selected model is always rebuilt,
so the warehouse never mixes a rebuilt model with stale models built from its old rows; a
trailing `+` is accepted for clarity and changes nothing. Models not selected are copied from the
current warehouse, a copy of which is attached read-only.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from .errors import InputError
from .models import Model, ModelResult
from .sql import literal

PREVIOUS = "previous_build"


def parse_selectors(values) -> tuple[str, ...]:
    """Split repeated --select values on commas and spaces."""
    return tuple(part for value in values for part in re.split(r"[,\s]+", value) if part)


def select_models(ordered: list[Model], selectors: tuple[str, ...]) -> set[str]:
    """Return the names of the models to rebuild; InputError names an unknown model or folder."""
    models = {model.name: model for model in ordered}
    chosen: set[str] = set()
    for selector in selectors:
        name = selector.strip("+")
        if name.startswith("folder:"):
            folder = name.split(":", 1)[1]
            seeds = {model.name for model in ordered if model.schema == folder}
            if not seeds:
                folders = sorted({model.schema for model in ordered})
                raise InputError(f"--select {selector}: no models in folder {folder!r}; folders: {', '.join(folders)}")
        elif name in models:
            seeds = {name}
        else:
            raise InputError(f"--select {selector}: no model named {name!r}; trainer models lists them")
        if selector.startswith("+"):
            seeds |= upstream(models, seeds)
        chosen |= seeds
    return chosen | downstream(models, chosen)


def upstream(models: dict[str, Model], names: set[str]) -> set[str]:
    found: set[str] = set()
    pending = list(names)
    while pending:
        for ref in models[pending.pop()].refs:
            if ref not in found:
                found.add(ref)
                pending.append(ref)
    return found


def downstream(models: dict[str, Model], names: set[str]) -> set[str]:
    children: dict[str, list[str]] = {name: [] for name in models}
    for model in models.values():
        for ref in model.refs:
            children[ref].append(model.name)
    found: set[str] = set()
    pending = list(names)
    while pending:
        for child in children[pending.pop()]:
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def attach_previous(con, warehouse: Path, display_path: str, scratch: Path) -> set[str]:
    """Attach a copy of the current warehouse read-only and return the relations it holds.

    The copy, not the file itself: a session holding the warehouse open for writing (DuckDB's
    CLI opens it so by default) keeps a lock that would make the attach fail.
    """
    if not warehouse.is_file():
        raise InputError(f"{display_path}: --select reuses the warehouse, which does not exist yet; "
                         "run trainer build without --select first")
    copy = scratch / "previous_build.duckdb"
    shutil.copyfile(warehouse, copy)
    con.execute(f"attach {literal(str(copy))} as {PREVIOUS} (read_only)")
    rows = con.execute(
        f"select schema_name || '.' || table_name from duckdb_tables() where database_name = '{PREVIOUS}' "
        f"union all select schema_name || '.' || view_name from duckdb_views() where database_name = '{PREVIOUS}'"
    ).fetchall()
    return {row[0] for row in rows}


def reuse_model(con, model: Model) -> ModelResult:
    """Copy a table from the attached warehouse; a view is recreated, since it stores no rows."""
    if model.materialized == "view":
        con.execute(f"create or replace view {model.relation} as\n{model.sql.strip().rstrip(';')}")
    else:
        con.execute(f"create or replace table {model.relation} as select * from {PREVIOUS}.{model.relation}")
    rows = con.execute(f"select count(*) from {model.relation}").fetchone()[0]
    return ModelResult(model, rows, 0.0, status="reused")


def detach_previous(con):
    con.execute(f"detach {PREVIOUS}")


def models_reading_changed_inputs(ordered: list[Model], previous: dict | None, current: dict) -> set[str]:
    """Return the models that read the spec or the logs when those changed since the previous build,
    or every model when the build variables (as-of date, --var values) changed.

    Sources are always reloaded, so a reused model built from old inputs would disagree with them.
    `previous` and `current` are run_results fingerprints; with no previous ones, everything changed.
    """
    previous = previous or {}
    if previous.get("variables") != current["variables"]:
        # A new as-of date or --var value can change any model that calls var().
        return {model.name for model in ordered}
    spec_changed = previous.get("spec") != current["spec"]
    logs_changed = previous.get("inputs") != current["inputs"]
    stale = set()
    for model in ordered:
        reads_spec = any(source.startswith("spec.") for source in model.sources)
        reads_logs = any(not source.startswith("spec.") for source in model.sources)
        if (reads_spec and spec_changed) or (reads_logs and logs_changed):
            stale.add(model.name)
    return stale


def previous_fingerprints(signals_dir: Path) -> dict | None:
    try:
        return json.loads((signals_dir / "run_results.json").read_text(encoding="utf-8"))["fingerprints"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
