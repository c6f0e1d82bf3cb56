"""Data tests: checks on the built tables that run after the models, in every build.

Three sources of tests, all turned into one SQL query that returns the failing rows:

- `schema.yml` in a model folder declares column tests (`unique`, `not_null`,
  `accepted_values`, `relationships`) beside the column descriptions;
- each `sql/tests/*.sql` file is a custom test: a Jinja query (ref, source, var, config) that
  fails when it returns rows;
- the funnel spec's own invariants (step ids unique, every skill declared, every alias
  resolves) are generated here.

A test's `severity` is `error` (the default) or `warn`. `error_if` and `warn_if` compare the
number of failing rows with a threshold (`"> 0"` unless set, e.g. `error_if: "> 10"`). The
failing rows of each failing test are kept in `test_results.<test name>`.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from .errors import InputError, ModelError, TrainerError
from .models import TESTS_FOLDER, Model, Renderer, first_line
from .sql import literal, quote_identifier

# libyaml's loader when PyYAML was built with it: several times faster on these files.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SCHEMA_FILE = "schema.yml"
RESULTS_SCHEMA = "test_results"
KINDS = ("unique", "not_null", "accepted_values", "relationships")
SEVERITIES = ("error", "warn")
SAMPLE_ROWS = 5
THRESHOLD = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(\d+)\s*$")


class DataTestError(TrainerError):
    """At least one data test of severity error failed; the build publishes no signals."""


@dataclass
class DataTest:
    name: str
    kind: str  # one of KINDS, "custom" or "spec"
    declared_in: str  # file (or "the funnel spec") shown in messages
    sql: str
    model: str | None = None
    column: str | None = None
    severity: str = "error"
    warn_if: str = "> 0"
    error_if: str = "> 0"
    description: str = ""


@dataclass
class TestResult:
    test: DataTest
    status: str  # pass, warn or fail
    failing_rows: int
    seconds: float
    sample_columns: list[str] = field(default_factory=list)
    sample_rows: list[tuple] = field(default_factory=list)

    @property
    def table(self) -> str | None:
        return f"{RESULTS_SCHEMA}.{self.test.name}" if self.failing_rows else None


@dataclass
class ColumnDocs:
    description: str = ""
    tests: list = field(default_factory=list)


@dataclass
class ModelDocs:
    """The descriptions and tests a folder's schema.yml declares for one model."""

    name: str
    declared_in: str
    description: str = ""
    columns: dict[str, ColumnDocs] = field(default_factory=dict)


def load_schema_files(sql_dir: Path, display_dir: str, models: dict[str, Model]) -> dict[str, ModelDocs]:
    """Read every `<folder>/schema.yml` under sql_dir; InputError names the file and the entry."""
    documented: dict[str, ModelDocs] = {}
    for path in sorted(sql_dir.glob(f"*/{SCHEMA_FILE}")):
        display = f"{display_dir}/{path.relative_to(sql_dir).as_posix()}"
        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
        except yaml.YAMLError as err:
            raise InputError(f"{display}: invalid YAML: {err}") from err
        entries = document.get("models", []) if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise InputError(f"{display}: expected a 'models:' list of models")
        for index, entry in enumerate(entries):
            docs = _model_docs(entry, f"{display}: models[{index}]", display, models)
            if docs.name in documented:
                raise InputError(f"{display}: model {docs.name!r} is also described in "
                                 f"{documented[docs.name].declared_in}; describe each model once")
            documented[docs.name] = docs
    return documented


def _model_docs(entry, where: str, display: str, models: dict[str, Model]) -> ModelDocs:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise InputError(f"{where}: each model needs a name")
    name = entry["name"]
    if name not in models:
        raise InputError(f"{where}: {name!r} names no model; known models: {', '.join(sorted(models))}")
    docs = ModelDocs(name, display, str(entry.get("description") or "").strip())
    for index, column in enumerate(entry.get("columns") or []):
        if not isinstance(column, dict) or not isinstance(column.get("name"), str):
            raise InputError(f"{where}.columns[{index}]: each column needs a name")
        tests = column.get("tests") or []
        if not isinstance(tests, list):
            raise InputError(f"{where}.columns[{index}].tests: expected a list of tests")
        docs.columns[column["name"]] = ColumnDocs(str(column.get("description") or "").strip(), tests)
    return docs


def declared_tests(documented: dict[str, ModelDocs], models: dict[str, Model]) -> list[DataTest]:
    tests = []
    for docs in documented.values():
        relation = models[docs.name].relation
        for column, column_docs in docs.columns.items():
            for index, entry in enumerate(column_docs.tests):
                where = f"{docs.declared_in}: {docs.name}.{column} tests[{index}]"
                kind, options = _test_entry(entry, where)
                sql = _column_test_sql(kind, relation, column, options, models, where)
                test = DataTest(f"{kind}_{docs.name}_{column}", kind, docs.declared_in, sql, docs.name, column)
                _apply_options(test, options, where)
                tests.append(test)
    return tests


def _test_entry(entry, where: str) -> tuple[str, dict]:
    """Return (kind, options) from `not_null` or `{accepted_values: {values: [...]}}`."""
    if isinstance(entry, str):
        kind, options = entry, {}
    elif isinstance(entry, dict) and len(entry) == 1:
        kind, options = next(iter(entry.items()))
        options = options or {}
    else:
        raise InputError(f"{where}: write a test as a name or as 'name: {{options}}'")
    if kind not in KINDS:
        raise InputError(f"{where}: unknown test {kind!r}; use one of {', '.join(KINDS)} "
                         f"or a SQL file in sql/{TESTS_FOLDER}/")
    if not isinstance(options, dict):
        raise InputError(f"{where}: the options of {kind} must be a mapping")
    return kind, options


def _column_test_sql(kind: str, relation: str, column: str, options: dict, models, where: str) -> str:
    name = quote_identifier(column)
    condition = f" and ({options['where']})" if options.get("where") else ""
    if kind == "not_null":
        return f"select * from {relation} where {name} is null{condition}"
    if kind == "unique":
        return (f"select * from {relation} where {name} in (select {name} from {relation} where {name} is not null"
                f"{condition} group by {name} having count(*) > 1){condition} order by {name}")
    if kind == "accepted_values":
        values = options.get("values")
        if not isinstance(values, list) or not values:
            raise InputError(f"{where}: accepted_values needs 'values: [...]'")
        listed = ", ".join(literal(value) for value in values)
        return f"select * from {relation} where {name} is not null and {name} not in ({listed}){condition}"
    target, target_column = options.get("to"), options.get("field")
    if not isinstance(target, str) or not isinstance(target_column, str):
        raise InputError(f"{where}: relationships needs 'to: MODEL' (or schema.table) and 'field: COLUMN'")
    target = models[target].relation if target in models else target
    return (f"select child.* from {relation} as child where child.{name} is not null{condition} "
            f"and not exists (select 1 from {target} as parent where parent.{quote_identifier(target_column)} "
            f"= child.{name})")


def _apply_options(test: DataTest, options: dict, where: str):
    severity = str(options.get("severity", test.severity))
    if severity not in SEVERITIES:
        raise InputError(f"{where}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    test.severity = severity
    for option in ("warn_if", "error_if"):
        value = str(options.get(option, getattr(test, option)))
        if not THRESHOLD.match(value):
            raise InputError(f"{where}: {option} {value!r} is not a comparison with a count, e.g. \"> 10\"")
        setattr(test, option, value)


def custom_tests(sql_dir: Path, display_dir: str, renderer: Renderer, models: dict[str, Model]) -> list[DataTest]:
    """Render each sql/tests/*.sql; its leading comment states what a returned row means."""
    tests = []
    for path in sorted((sql_dir / TESTS_FOLDER).glob("*.sql")):
        display = f"{display_dir}/{TESTS_FOLDER}/{path.name}"
        holder = Model(path.stem, path, display, RESULTS_SCHEMA)
        sql = renderer.render(holder, models)
        test = DataTest(path.stem, "custom", display, sql.strip().rstrip(";"), description=holder.description)
        _apply_options(test, holder.config, display)
        tests.append(test)
    return tests


def spec_tests() -> list[DataTest]:
    """Build the funnel spec's invariants as tests on the spec tables, so `trainer test` checks them too."""
    where = "the funnel spec"
    return [
        DataTest("spec_step_ids_unique", "spec", where,
                 "select step_id, count(*) as occurrences from spec.steps group by step_id having count(*) > 1",
                 description="Step ids are unique within the spec."),
        DataTest("spec_skills_exist", "spec", where,
                 "select funnel_skills.* from spec.funnel_skills as funnel_skills where not exists "
                 "(select 1 from spec.skills as skills where skills.skill_id = funnel_skills.skill_id)",
                 description="Every skill a training names is declared under skills:."),
        DataTest("spec_aliases_resolve", "spec", where,
                 "select aliases.* from spec.aliases as aliases where not exists "
                 "(select 1 from spec.steps as steps where aliases.alias_of = 'step' and steps.step_id = aliases.target_id) "
                 "and not exists (select 1 from spec.funnels as funnels where aliases.alias_of = 'training' "
                 "and funnels.training_id = aliases.target_id)",
                 description="Every alias names a step or training of the spec."),
    ]


def collect_tests(sql_dir: Path, display_dir: str, renderer: Renderer, models: dict[str, Model]) -> list[DataTest]:
    documented = load_schema_files(sql_dir, display_dir, models)
    tests = spec_tests() + declared_tests(documented, models) + custom_tests(sql_dir, display_dir, renderer, models)
    seen: dict[str, DataTest] = {}
    for test in tests:
        if test.name in seen:
            raise InputError(f"{test.declared_in}: test name {test.name!r} is also used in "
                             f"{seen[test.name].declared_in}; test names must be unique")
        seen[test.name] = test
    return tests


def run_tests(con, tests: list[DataTest], on_result=None) -> list[TestResult]:
    """Run each test, keep the failing rows in test_results.<name>, and return every result."""
    con.execute(f"drop schema if exists {RESULTS_SCHEMA} cascade; create schema {RESULTS_SCHEMA}")
    results = []
    for test in tests:
        started = time.perf_counter()
        table = f"{RESULTS_SCHEMA}.{quote_identifier(test.name)}"
        columns, rows = [], []
        try:
            # Most tests pass, so count first and keep the rows only of a test that returns some.
            failing = con.execute(f"select count(*) from (\n{test.sql}\n)").fetchone()[0]
            if failing:
                con.execute(f"create table {table} as\n{test.sql}")
                sample = con.execute(f"select * from {table} limit {SAMPLE_ROWS}")
                columns = [column[0] for column in sample.description]
                rows = sample.fetchall()
        except duckdb.Error as err:
            raise ModelError(f"{test.declared_in}: test {test.name} cannot run: {first_line(err)}") from err
        result = TestResult(test, _status(test, failing), failing, time.perf_counter() - started, columns, rows)
        if on_result is not None:
            on_result(result)
        results.append(result)
    return results


def _status(test: DataTest, failing: int) -> str:
    if test.severity == "error" and _compare(failing, test.error_if):
        return "fail"
    if _compare(failing, test.warn_if):
        return "warn"
    return "pass"


def _compare(count: int, threshold: str) -> bool:
    operator, number = THRESHOLD.match(threshold).groups()
    number = int(number)
    return {">": count > number, ">=": count >= number, "<": count < number, "<=": count <= number,
            "==": count == number, "!=": count != number}[operator]


def failure_message(results: list[TestResult]) -> str | None:
    """Return the one-line error for failed error-severity tests, or None when none failed."""
    failed = [result for result in results if result.status == "fail"]
    if not failed:
        return None
    listed = ", ".join(f"{result.test.name} ({_count(result.failing_rows, 'row')})" for result in failed[:10])
    more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
    noun = "test" if len(failed) == 1 else "tests"
    return (f"{len(failed)} data {noun} failed: {listed}{more}; the failing rows are in "
            f"{RESULTS_SCHEMA}.<test name>")


def format_result(result: TestResult) -> list[str]:
    """Format one line per test, plus the first failing rows of a test that warned or failed."""
    test = result.test
    label = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}[result.status]
    subject = f"{test.model}.{test.column}" if test.column else test.declared_in
    lines = [f"{label} {test.name} ({subject}): {_count(result.failing_rows, 'failing row')}"]
    if result.status != "pass":
        lines.append("    " + " | ".join(result.sample_columns))
        lines += ["    " + " | ".join("null" if value is None else str(value) for value in row)
                  for row in result.sample_rows]
        if result.failing_rows > len(result.sample_rows):
            lines.append(f"    ... {result.failing_rows - len(result.sample_rows)} more in {result.table}")
    return lines


def _count(number: int, noun: str) -> str:
    """Return the number with `noun`, made plural unless the number is 1: "1 row", "2 rows"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def test_warehouse(funnel_spec: Path, sql_dir: Path, warehouse: Path, on_result=None) -> list[TestResult]:
    """Run the data tests alone on the current warehouse (`trainer test`) and keep the failing rows.

    The tests run on a copy that then replaces the warehouse, so a query reading it is not blocked.
    """
    from .build import build_variables, display, load_models, today_in
    from .spec import load_spec

    spec = load_spec(funnel_spec, display(funnel_spec))
    variables = build_variables(spec, today_in(spec.defaults.timezone), {})
    models, renderer, _ = load_models(sql_dir, variables)
    tests = collect_tests(sql_dir, display(sql_dir), renderer, models)
    if not warehouse.is_file():
        raise InputError(f"{display(warehouse)}: warehouse not found; run trainer build first")
    # NOTE: a build that publishes while this runs is overwritten by this copy; the build lock
    # does not cover trainer test yet.
    staged = warehouse.with_name(f".{warehouse.name}.tmp-{os.getpid()}.test")
    try:
        shutil.copyfile(warehouse, staged)
        with duckdb.connect(str(staged)) as con:
            results = run_tests(con, tests, on_result)
        os.replace(staged, warehouse)
    finally:
        staged.unlink(missing_ok=True)
    return results
