"""Column descriptions in the warehouse, and the data dictionary `trainer docs` prints.

A column's description comes from the model's `schema.yml` entry when it has one, else from
`sql/columns.yml`, which describes each column name once for every table (one name means one
thing across the models). The build stores them with COMMENT ON COLUMN, so DESCRIBE and
duckdb_columns() show them too.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .datatests import YAML_LOADER
from .errors import InputError
from .logs import LOG_KINDS
from .models import Model
from .sql import literal, quote_identifier


GLOSSARY_FILE = "columns.yml"

# The engine creates these schemas itself; their columns are described from the glossary too.
ENGINE_SCHEMAS = ("raw", "spec")
RAW_TABLE_COMMENTS = {
    "log_files": "One row per CSV file in the input folder: its kind, encoding, rows read and why it was skipped.",
    "skipped_lines": "One row per line of a log that was skipped (blank or only empty fields), with the reason.",
}


def load_glossary(sql_dir: Path, display_dir: str) -> dict[str, str]:
    path = sql_dir / GLOSSARY_FILE
    if not path.is_file():
        return {}
    display = f"{display_dir}/{GLOSSARY_FILE}"
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
    except yaml.YAMLError as err:
        raise InputError(f"{display}: invalid YAML: {err}") from err
    columns = document.get("columns") if isinstance(document, dict) else None
    if not isinstance(columns, dict):
        raise InputError(f"{display}: expected 'columns:' mapping each column name to its description")
    return {str(name): str(text).strip() for name, text in columns.items()}


def comment_columns(con, sql_dir: Path, display_dir: str, models: dict[str, Model]):
    """Store a description on every column that has one, and on the raw tables the logs filled."""
    from .datatests import load_schema_files

    glossary = load_glossary(sql_dir, display_dir)
    documented = load_schema_files(sql_dir, display_dir, models)
    overrides = {
        (models[name].schema, name, column): docs.description
        for name, docs in documented.items() for column, docs in docs.columns.items() if docs.description
    }
    schemas = sorted({model.schema for model in models.values()} | set(ENGINE_SCHEMAS))
    columns = con.execute(
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and schema_name in (select unnest($schemas))",
        {"schemas": schemas},
    ).fetchall()
    statements = []
    for schema, table, column in columns:
        text = overrides.get((schema, table, column)) or glossary.get(column)
        if text:
            statements.append(f"comment on column {schema}.{quote_identifier(table)}.{quote_identifier(column)} "
                              f"is {literal(text)}")
    statements += _raw_table_comments(con)
    if statements:
        con.execute(";\n".join(statements))


def _raw_table_comments(con) -> list[str]:
    comments = dict(RAW_TABLE_COMMENTS)
    for file_name, table, kind in con.execute("select source_file, table_name, log_kind from raw.log_files").fetchall():
        if table:
            comments[table.split(".", 1)[-1]] = (f"One row per data row of {file_name} ({kind or 'skipped'} log), "
                                                 "every field as text, as read.")
    for kind in LOG_KINDS:
        comments[kind.table] = (f"One row per data row of every {kind.name} log, stacked, with the same columns "
                                "whatever columns a file has.")
    existing = {row[0] for row in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() and schema_name = 'raw'"
    ).fetchall()}
    return [f"comment on table raw.{quote_identifier(table)} is {literal(text)}"
            for table, text in comments.items() if table in existing]


def project_models(funnel_spec: Path, sql_dir: Path) -> list[Model]:
    """Render the project's models (for their refs and config) and return them in run order."""
    from .build import build_variables, display, load_models, today_in
    from .spec import load_spec

    spec = load_spec(funnel_spec, display(funnel_spec))
    variables = build_variables(spec, today_in(spec.defaults.timezone), {})
    return load_models(sql_dir, variables)[2]


def children_of(ordered: list[Model]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {model.name: [] for model in ordered}
    for model in ordered:
        for ref in model.refs:
            children[ref].append(model.name)
    return children


def format_models(ordered: list[Model], rows_built: dict[str, int]) -> str:
    """Return one line per model in run order: folder, materialization, upstream refs, rows last built."""
    width = max(len(model.name) for model in ordered)
    lines = []
    for index, model in enumerate(ordered, start=1):
        rows = rows_built.get(model.name)
        rows_text = f"{rows} rows" if rows is not None else "not built"
        # A staging model refs nothing; it reads the raw or spec tables the build loads.
        refs = ", ".join([*model.refs, *(f"source {source}" for source in dict.fromkeys(model.sources))]) or "-"
        lines.append(f"{index:>2}. {model.name:<{width}}  {model.schema:<12} {model.materialized:<5} "
                     f"{rows_text:>10}  <- {refs}")
    return "\n".join(lines)


def format_tree(ordered: list[Model]) -> str:
    """Draw the dependency graph as an indented tree from the models that ref nothing.

    A model with several parents appears under each; below its first appearance its children
    are replaced by '(see above)'.
    """
    children = children_of(ordered)
    shown: set[str] = set()
    lines: list[str] = []

    def draw(name: str, prefix: str, last: bool, root: bool):
        branch = "" if root else ("└── " if last else "├── ")
        repeated = name in shown and children[name]
        lines.append(f"{prefix}{branch}{name}{' (see above)' if repeated else ''}")
        if repeated:
            return
        shown.add(name)
        below = prefix if root else prefix + ("    " if last else "│   ")
        for position, child in enumerate(children[name]):
            draw(child, below, position == len(children[name]) - 1, False)

    for model in ordered:
        if not model.refs:
            draw(model.name, "", True, True)
    return "\n".join(lines)


def data_dictionary(con, ordered: list[Model]) -> str:
    """Return the data dictionary as Markdown: each schema, table, column, type and description, with lineage."""
    models = {model.relation: model for model in ordered}
    children = children_of(ordered)
    tables = con.execute("""
        select schema_name, table_name, 'table' as kind, comment from duckdb_tables()
        where database_name = current_database()
        union all
        select schema_name, view_name, 'view', comment from duckdb_views()
        where database_name = current_database() and not internal
        order by schema_name, table_name
    """).fetchall()
    columns: dict[tuple[str, str], list[tuple]] = {}
    for schema, table, column, data_type, comment in con.execute("""
        select schema_name, table_name, column_name, data_type, comment from duckdb_columns()
        where database_name = current_database() order by schema_name, table_name, column_index
    """).fetchall():
        columns.setdefault((schema, table), []).append((column, data_type, comment))
    lines = ["# Data dictionary", ""]
    current_schema = None
    for schema, table, kind, comment in tables:
        if schema != current_schema:
            lines += [f"## Schema `{schema}`", ""]
            current_schema = schema
        lines += [f"### `{schema}.{table}` ({kind})", "", comment or "(no description)", ""]
        model = models.get(f"{schema}.{table}")
        if model is not None:
            lines.append(f"Upstream: {', '.join(model.refs + model.sources) or 'none'}. "
                         f"Downstream: {', '.join(children[model.name]) or 'none'}.")
            lines.append("")
        lines += ["| column | type | description |", "|---|---|---|"]
        lines += [f"| {column} | {data_type} | {(text or '').replace('|', '/')} |"
                  for column, data_type, text in columns.get((schema, table), [])]
        lines.append("")
    return "\n".join(lines)
