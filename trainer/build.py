"""`trainer build`: spec and logs in, warehouse and signals out.

The new warehouse and signals are written beside the old ones and swapped in only after every
step succeeded, so a failed build leaves the previous outputs as they were.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import logs as log_reader
from . import models as model_engine
from .errors import InputError, ModelError, OutputError, TrainerError
from .lock import BuildLock, acquire_build_lock
from .publish import (discard_staged_warehouse, finish_interrupted_publish, journal_path, publish_outputs,
                      remove_leftovers, staged_warehouse_path)
from .signals import export_signals
from .spec import Spec, is_timezone, load_spec
from .spec_tables import load_spec_tables
from .sql import literal
from . import datatests, docs, run_results, selection


# File name of the warehouse a build with failing data tests leaves beside the published one.
FAILED_WAREHOUSE_NAME = "failed_build.duckdb"

# Below this much CSV input a build runs DuckDB on one thread (measured faster on the sample).
SINGLE_THREAD_INPUT_BYTES = 16 * 1024 * 1024


@dataclass
class BuildOptions:
    project_dir: Path
    funnel_spec: Path
    input_dir: Path
    signals_dir: Path
    warehouse: Path
    sql_dir: Path
    as_of: dt.date | None = None
    variables: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    select: tuple[str, ...] = ()  # --select: rebuild these models, reuse the others


@dataclass
class BuildResult:
    spec: Spec
    as_of: dt.date
    logs: list
    model_results: list
    progress: dict  # the funnel_progress.json document
    balance: list[dict]
    warnings: list[str]
    written: list[Path]
    seconds: float
    test_results: list = field(default_factory=list)
    changes: dict | None = None

    @property
    def summary(self) -> dict:
        return self.progress["summary"]


class Reporter:
    """Receiver of build progress and warnings; the CLI's prints to stderr, this one discards them."""

    def model_started(self, index: int, total: int, model: model_engine.Model): ...

    def model_finished(self, index: int, total: int, result: model_engine.ModelResult): ...

    def warning(self, message: str): ...

    def info(self, message: str): ...

    def test_finished(self, result: datatests.TestResult): ...


def display(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith("..") else str(path)


def today_in(timezone: str) -> dt.date:
    try:
        import zoneinfo

        return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).date()
    except Exception:  # no time zone database: fall back to UTC, which always exists
        return dt.datetime.now(dt.timezone.utc).date()


def build_variables(spec: Spec, as_of: dt.date, overrides: dict[str, str]) -> dict:
    """Return the values var() can render: the spec defaults, the as-of date and --var overrides."""
    defaults = spec.defaults
    variables = {
        "as_of": as_of,
        "timezone": defaults.timezone,
        "valid_from": defaults.valid_from,
        "stale_after_days": defaults.stale_after_days,
        "max_days_in_step": defaults.max_days_in_step,
        "learner": defaults.learner.strip().lower(),
    }
    for name, text in overrides.items():
        if name == "as_of":
            raise InputError(f"--var as_of={text}: set the as-of date with --as-of {text}")
        if name == "timezone" and not is_timezone(text):
            raise InputError(f"--var timezone={text}: unknown time zone; use an IANA name such as UTC or Europe/Paris")
        current = variables.get(name)
        try:
            if isinstance(current, dt.date):
                variables[name] = dt.date.fromisoformat(text)
            elif isinstance(current, int):
                variables[name] = int(text)
            else:
                variables[name] = text
        except ValueError as err:
            kind = "a date (YYYY-MM-DD)" if isinstance(current, dt.date) else "a whole number"
            raise InputError(f"--var {name}={text}: {name} must be {kind}") from err
    return variables


def build(options: BuildOptions, reporter: Reporter) -> BuildResult:
    started = time.perf_counter()
    spec = load_spec(options.funnel_spec, display(options.funnel_spec))
    warnings = [f"{display(options.funnel_spec)} {warning}" for warning in spec.warnings]
    for warning in warnings:
        reporter.warning(warning)
    if not options.input_dir.is_dir():
        raise InputError(f"{display(options.input_dir)}: input folder not found; pass --input-dir "
                         "or put the CSV logs in data/internal/")
    if not options.sql_dir.is_dir():
        raise InputError(f"{display(options.sql_dir)}: models folder not found; run inside a project "
                         "(a folder with seeds/funnel_spec.yml and sql/)")
    as_of = options.as_of or today_in(spec.defaults.timezone)
    variables = build_variables(spec, as_of, options.variables)

    lock = None if options.dry_run else _lock_outputs(options, reporter)
    scratch = Path(tempfile.mkdtemp(prefix="trainer-build-"))
    staged_warehouse = None if options.dry_run else staged_warehouse_path(options.warehouse)
    try:
        con = duckdb.connect(str(staged_warehouse) if staged_warehouse else ":memory:")
        try:
            # Dates are taken in the spec's zone, never the machine's (TZ would change them).
            con.execute(f"set TimeZone = {literal(spec.defaults.timezone)}")
            # One transaction for the whole build: a commit per statement would sync the file each time.
            if _input_bytes(options.input_dir) < SINGLE_THREAD_INPUT_BYTES:
                # On logs this small, starting worker threads for each query costs more than it saves.
                con.execute("set threads = 1")
            con.execute("begin transaction")
            load_spec_tables(con, spec)
            logs = log_reader.load_logs(con, options.input_dir, display(options.input_dir), scratch)
            for log in logs:
                for warning in log.warnings:
                    warnings.append(warning)
                    reporter.warning(warning)
            model_results, test_results = _run_models(con, options, variables, reporter, scratch)
            balance = _check_balance(con)
            previous = run_results.read_previous_progress(options.signals_dir)
            signals, progress = export_signals(con, spec, as_of, logs, warnings, test_results, previous)
            signals["run_results.json"] = run_results.encode(run_results.run_results_document(
                generated_at=progress["generated_at"], as_of=as_of, selection=options.select,
                model_results=model_results, test_results=test_results,
                changes=run_results.published_changes(progress["changes"]),
                fingerprint=run_results.fingerprints(options.funnel_spec, options.input_dir, options.sql_dir,
                                                     variables),
                seconds=time.perf_counter() - started))
            _commit(con, staged_warehouse)
        finally:
            con.close()
        written = []
        failure = datatests.failure_message(test_results)
        if failure:
            # The published warehouse and signals stay one set from the last good build; this
            # build's tables, its test_results included, are kept apart for inspection.
            if options.dry_run:
                raise datatests.DataTestError(f"{failure} (in memory: --dry-run keeps nothing)")
            failed_warehouse = options.warehouse.with_name(FAILED_WAREHOUSE_NAME)
            os.replace(staged_warehouse, failed_warehouse)
            raise datatests.DataTestError(
                f"{failure} of {display(failed_warehouse)} (trainer query --warehouse {display(failed_warehouse)}); "
                "the previous warehouse and signals are unchanged")
        if not options.dry_run:
            written = publish_outputs(staged_warehouse, options.warehouse, signals, options.signals_dir)
    except BaseException:
        if staged_warehouse is not None:
            discard_staged_warehouse(staged_warehouse, options.warehouse)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if lock is not None:
            lock.release()
    return BuildResult(spec, as_of, logs, model_results, progress, balance, warnings, written,
                       time.perf_counter() - started, test_results, progress["changes"])


def _input_bytes(input_dir: Path) -> int:
    return sum(path.stat().st_size for path in log_reader.find_logs(input_dir))


def _prepare_output_dirs(options: BuildOptions):
    for folder in (options.warehouse.parent, options.signals_dir):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise OutputError(f"{display(folder)}: cannot create folder ({err.strerror})") from err
        if not os.access(folder, os.W_OK):
            raise OutputError(f"{display(folder)}: folder is not writable; check its permissions")


def _commit(con, staged_warehouse: Path | None):
    """Commit the build and write it all into the staged file, so no data is left in its WAL."""
    try:
        con.execute("commit")
        if staged_warehouse is not None:
            # Closing checkpoints too, but a checkpoint that fails on close (disk full) is silent
            # and leaves part of the warehouse in the .wal file beside it.
            con.execute("checkpoint")
    except duckdb.IOException as err:
        detail = str(err).splitlines()[0].replace("IO Error: ", "")
        raise OutputError(f"{display(staged_warehouse or Path(':memory:'))}: cannot write the new warehouse "
                          f"({detail}); the previous outputs are unchanged") from err


def _lock_outputs(options: BuildOptions, reporter: Reporter) -> BuildLock:
    """Create the output folders, take the build lock, and clear up after a stopped build."""
    _prepare_output_dirs(options)
    lock = acquire_build_lock(options.warehouse, display(options.warehouse), reporter.warning)
    try:
        if lock.killed_pid:
            reporter.warning(f"{display(lock.path)}: the build with pid {lock.killed_pid} was stopped "
                             "before it finished; taking over its lock")
        stopped_pid = finish_interrupted_publish(options.warehouse)
        if stopped_pid is not None:
            reporter.warning(f"{display(journal_path(options.warehouse))}: completed the swap of the outputs "
                             f"of the build with pid {stopped_pid}, which was stopped during it")
        remove_leftovers(options.warehouse, options.signals_dir)
    except BaseException:
        lock.release()
        raise
    return lock


def load_models(sql_dir: Path, variables: dict):
    """Find and render the models; return them by name, the renderer and the run order."""
    sql_display = display(sql_dir)
    models = model_engine.discover_models(sql_dir, sql_display)
    if not models:
        raise ModelError(f"{sql_display}: no models (*.sql files) found")
    sources = {f"spec.{table}": f"spec.{table}" for table in
               ("funnels", "steps", "aliases", "skills", "funnel_skills", "statuses")}
    sources.update({kind.table: f"raw.{kind.table}" for kind in log_reader.LOG_KINDS})
    sources.update({"log_files": "raw.log_files", "skipped_lines": "raw.skipped_lines"})
    renderer = model_engine.Renderer(sql_dir, variables, sources)
    for model in models.values():
        renderer.render(model, models)
    return models, renderer, model_engine.order_models(models)


def _run_models(con, options: BuildOptions, variables: dict, reporter: Reporter, scratch: Path):
    sql_display = display(options.sql_dir)
    models, renderer, ordered = load_models(options.sql_dir, variables)
    tests = datatests.collect_tests(options.sql_dir, sql_display, renderer, models)
    unused = sorted(set(options.variables) - renderer.used_variables)
    if unused:
        reporter.warning(f"--var {', '.join(unused)}: no model or test uses "
                         f"{'it' if len(unused) == 1 else 'them'}; check the spelling "
                         f"(used: {', '.join(sorted(renderer.used_variables))})")
    model_engine.run_macros(con, options.sql_dir, sql_display)
    model_engine.create_schemas(con, ordered)
    selected = None
    if options.select:
        selected = selection.select_models(ordered, options.select)
        reusable = selection.attach_previous(con, options.warehouse, display(options.warehouse), scratch)
        # A model the old warehouse lacks is built, with everything downstream of it.
        missing = {model.name for model in ordered if model.relation not in reusable}
        stale = selection.models_reading_changed_inputs(
            ordered, selection.previous_fingerprints(options.signals_dir),
            run_results.fingerprints(options.funnel_spec, options.input_dir, options.sql_dir, variables))
        if stale - selected:
            reporter.warning(f"--select: the spec, logs, as-of date or --var values changed since the last build, "
                             f"so {len(stale - selected)} more models are rebuilt, with everything downstream")
        selected |= missing | stale | selection.downstream(models, missing | stale)
    results = []
    for index, model in enumerate(ordered, start=1):
        reporter.model_started(index, len(ordered), model)
        if selected is None or model.name in selected:
            result = model_engine.run_model(con, model)
        else:
            result = selection.reuse_model(con, model)
        reporter.model_finished(index, len(ordered), result)
        results.append(result)
    if selected is not None:
        selection.detach_previous(con)
    model_engine.comment_models(con, ordered)
    docs.comment_columns(con, options.sql_dir, sql_display, models)
    return results, datatests.run_tests(con, tests, reporter.test_finished)


def _check_balance(con) -> list[dict]:
    """Check that every row read is attributed, an orphan or a counted skip, file by file."""
    columns = ["source_file", "log_kind", "rows_read", "rows_attributed", "rows_orphaned", "rows_skipped",
               "blank_lines_skipped", "findings", "skipped_reason"]
    try:
        rows = con.execute(f"select {', '.join(columns)} from marts.fct_log_balance order by source_file").fetchall()
    except duckdb.Error as err:
        raise ModelError(f"marts.fct_log_balance is needed to check the row balance: {err}") from err
    balance = [dict(zip(columns, row)) for row in rows]
    for entry in balance:
        accounted = entry["rows_attributed"] + entry["rows_orphaned"] + entry["rows_skipped"]
        if entry["rows_read"] != accounted:
            raise TrainerError(
                f"{entry['source_file']}: {entry['rows_read']} rows read but {accounted} accounted for "
                f"({entry['rows_attributed']} attributed + {entry['rows_orphaned']} orphans + "
                f"{entry['rows_skipped']} skipped); a model drops or repeats rows"
            )
    return balance
