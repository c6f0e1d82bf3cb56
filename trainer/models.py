"""Find, render, order and run the SQL models under sql/.

A model is one `.sql` file; its name is the file stem and its schema the folder it sits in
(`sql/staging/stg_steps.sql` builds `staging.stg_steps`). Models are Jinja templates with:

- `ref('model')`: the model's table; the refs decide the run order.
- `source('step_log')` or `source('spec', 'steps')`: a table the engine loaded (raw or spec).
- `var('name')`: a build variable (spec defaults, `--as-of`, `--var KEY=VALUE`) as a SQL literal.
- `config(materialized='view')`: build a view instead of a table.

Files under `sql/macros/` are not models: their statements (DuckDB `create macro`) run first.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import jinja2

from .errors import ModelError, OutputError
from .sql import literal

MACROS_FOLDER = "macros"
# Files under sql/tests/ are data tests (trainer/datatests.py), not models.
TESTS_FOLDER = "tests"
MATERIALIZATIONS = ("table", "view")
CONTEXT_LINES = 2  # rendered lines shown before and after the one a failing model points at


@dataclass
class Model:
    name: str
    path: Path
    display_path: str
    schema: str
    sql: str = ""
    refs: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    materialized: str = "table"
    description: str = ""
    config: dict = field(default_factory=dict)  # config() options other than materialized

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class ModelResult:
    model: Model
    rows: int
    seconds: float
    status: str = "success"  # or "reused": copied from the warehouse by build --select


def discover_models(sql_dir: Path, display_dir: str) -> dict[str, Model]:
    models: dict[str, Model] = {}
    for path in sorted(sql_dir.rglob("*.sql")):
        relative = path.relative_to(sql_dir)
        if relative.parts[0] in (MACROS_FOLDER, TESTS_FOLDER):
            continue
        schema = relative.parts[0] if len(relative.parts) > 1 else "main"
        display = f"{display_dir}/{relative.as_posix()}"
        if path.stem in models:
            raise ModelError(f"{display}: model name {path.stem!r} is already used by "
                             f"{models[path.stem].display_path}; model file names must be unique")
        models[path.stem] = Model(path.stem, path, display, schema)
    return models


def macro_files(sql_dir: Path) -> list[Path]:
    return sorted((sql_dir / MACROS_FOLDER).glob("*.sql"))


class Renderer:
    """Renders model templates, recording each model's refs, sources and config."""

    def __init__(self, sql_dir: Path, variables: dict, source_tables: dict[str, str]):
        self.variables = variables
        self.source_tables = source_tables
        self.used_variables: set[str] = set()  # every name a rendered template passed to var()
        self.environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(sql_dir)),
            bytecode_cache=_bytecode_cache(),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
        )

    def render(self, model: Model, models: dict[str, Model]) -> str:
        model.refs, model.sources = [], []

        def ref(name):
            if name not in models:
                raise ModelError(f"{model.display_path}: ref('{name}') names no model; "
                                 f"known models: {', '.join(sorted(models))}")
            if name not in model.refs:
                model.refs.append(name)
            return models[name].relation

        def source(first, second=None):
            key = first if second is None else f"{first}.{second}"
            if key not in self.source_tables:
                raise ModelError(f"{model.display_path}: source({_args(first, second)}) is not a loaded table; "
                                 f"known sources: {', '.join(sorted(self.source_tables))}")
            model.sources.append(key)
            return self.source_tables[key]

        def var(name, default=None):
            self.used_variables.add(name)
            if name in self.variables:
                return literal(self.variables[name])
            if default is not None:
                return literal(default)
            raise ModelError(f"{model.display_path}: var('{name}') is not set; pass --var {name}=VALUE "
                             f"(set: {', '.join(sorted(self.variables))})")

        def config(materialized="table", **options):
            if materialized not in MATERIALIZATIONS:
                raise ModelError(f"{model.display_path}: materialized={materialized!r} is not one of "
                                 f"{', '.join(MATERIALIZATIONS)}")
            model.materialized = materialized
            model.config = options
            return ""

        template_name = model.path.relative_to(Path(self.environment.loader.searchpath[0])).as_posix()
        try:
            template = self.environment.get_template(template_name)
            sql = template.render(ref=ref, source=source, var=var, config=config)
        except ModelError as err:
            line = _template_line(err, model.path)
            prefix = f"{model.display_path}: "
            if line and str(err).startswith(prefix):
                raise ModelError(f"{model.display_path} line {line}: {str(err)[len(prefix):]}") from err
            raise
        except jinja2.TemplateSyntaxError as err:
            raise ModelError(f"{model.display_path} line {err.lineno}: Jinja syntax error: {err.message}") from err
        except jinja2.TemplateError as err:
            line = _template_line(err, model.path)
            where = f" line {line}" if line else ""
            raise ModelError(f"{model.display_path}{where}: Jinja error: {err}") from err
        model.sql = sql
        model.description = _description(model.path.read_text(encoding="utf-8"))
        return sql


def _bytecode_cache():
    """Cache compiled templates between builds; compiling them is a good part of a small build."""
    folder = Path(tempfile.gettempdir()) / f"trainer-model-jinja-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def _args(first, second):
    return f"'{first}'" if second is None else f"'{first}', '{second}'"


def _template_line(err: Exception, path: Path) -> int | None:
    traceback = err.__traceback__
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == str(path):
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _description(text: str) -> str:
    """Return the model's leading comment (its grain and readers), for COMMENT ON TABLE."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("--"):
            lines.append(stripped[2:].strip())
        elif stripped.startswith("{#") or not stripped:
            if lines:
                break
        else:
            break
    return " ".join(lines)


def order_models(models: dict[str, Model]) -> list[Model]:
    """Return the models so that each comes after every model it refs; ties go by file path."""
    remaining = {name: set(model.refs) for name, model in models.items()}
    ordered = []
    while remaining:
        ready = sorted((name for name, refs in remaining.items() if not refs),
                       key=lambda name: models[name].display_path)
        if not ready:
            cycle = _find_cycle(remaining)
            files = " -> ".join(models[name].display_path for name in cycle)
            raise ModelError(f"the models' refs form a cycle: {files}; remove one of these ref() calls")
        for name in ready:
            ordered.append(models[name])
            del remaining[name]
        for refs in remaining.values():
            refs.difference_update(ready)
    return ordered


def _find_cycle(graph: dict[str, set[str]]) -> list[str]:
    start = sorted(graph)[0]
    path, seen = [start], {start: 0}
    node = start
    while True:
        node = sorted(graph[node])[0]
        if node in seen:
            return path[seen[node]:] + [node]
        seen[node] = len(path)
        path.append(node)


def run_macros(con, sql_dir: Path, display_dir: str):
    for path in macro_files(sql_dir):
        try:
            con.execute(path.read_text(encoding="utf-8"))
        except duckdb.Error as err:
            raise ModelError(f"{display_dir}/{MACROS_FOLDER}/{path.name}: {first_line(err)}") from err


def create_schemas(con, models):
    schemas = sorted({model.schema for model in models})
    con.execute(";\n".join(f"create schema if not exists {schema}" for schema in schemas))


def run_model(con, model: Model, existing: dict[str, str] | None = None) -> ModelResult:
    """Build one model as a table or view; `existing` maps relations already built to their kind."""
    started = time.perf_counter()
    body = model.sql.strip().rstrip(";")
    kind = "view" if model.materialized == "view" else "table"
    try:
        if existing and existing.get(model.relation) not in (None, kind):
            con.execute(f"drop {existing[model.relation]} {model.relation}")
        rows = con.execute(f"create or replace {kind} {model.relation} as\n{body}").fetchone()
    except duckdb.IOException as err:
        # The model is fine; the disk is not (full, or its temporary files cannot be written).
        raise OutputError(f"{model.display_path}: cannot write its table ({first_line(err)}); "
                          "free disk space or fix the folder's permissions, then build again") from err
    except duckdb.Error as err:
        raise ModelError(_describe_failure(model, body, err)) from err
    if kind == "view" or rows is None:
        rows = con.execute(f"select count(*) from {model.relation}").fetchone()
    return ModelResult(model, rows[0], time.perf_counter() - started)


def comment_models(con, models):
    """Store each model's leading comment as its table comment, for DESCRIBE and duckdb_tables()."""
    statements = [
        f"comment on {'view' if model.materialized == 'view' else 'table'} {model.relation} "
        f"is {literal(model.description)}"
        for model in models if model.description
    ]
    if statements:
        con.execute(";\n".join(statements))


def _describe_failure(model: Model, body: str, err: Exception) -> str:
    """Name the model file and the failing line of its rendered SQL, with the lines around it."""
    located = re.search(r"^LINE (\d+):", str(err), flags=re.MULTILINE)
    if not located:
        return f"{model.display_path}: {first_line(err)}"
    # The body runs after one line of 'create or replace ... as', so DuckDB counts one line more.
    line = int(located.group(1)) - 1
    lines = body.splitlines()
    context = []
    for number in range(max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES) + 1):
        marker = ">" if number == line else " "
        context.append(f"  {marker} {number:>4} | {lines[number - 1]}")
    return (f"{model.display_path} line {line} of the rendered SQL: {first_line(err)}\n" + "\n".join(context))


def first_line(err: Exception) -> str:
    """Return the first line of a DuckDB error, without its 'Binder Error: ' style prefix."""
    text = str(err).strip()
    text = re.sub(r"^[A-Za-z ]*Error: ", "", text, count=1)
    return text.splitlines()[0] if text else type(err).__name__
