"""trainer: turn hand-kept learning logs into a DuckDB warehouse and JSON progress signals."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from trainer.errors import TrainerError
from trainer.project import find_project
from trainer.report import ConsoleReporter, format_summary


class TrainerGroup(click.Group):
    """Turns the engine's errors into one-line messages and exit codes, in one place."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TrainerError as err:
            click.echo(f"error: {err}", err=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("error: interrupted; the previous outputs are unchanged", err=True)
            ctx.exit(130)


class IsoDate(click.ParamType):
    """A calendar date written YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2025-10-21", param, ctx)


def parse_var(ctx, param, values):
    variables = {}
    for value in values:
        name, separator, text = value.partition("=")
        if not separator or not name.strip():
            raise click.BadParameter(f"{value!r} is not KEY=VALUE, e.g. --var stale_after_days=30")
        variables[name.strip()] = text
    return variables


@click.group(cls=TrainerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="trainer-model")
def cli():
    """Turn hand-kept learning logs into a DuckDB warehouse and JSON progress signals.

    Paths default to the current project: the nearest folder at or above the working
    folder that contains seeds/funnel_spec.yml.
    """


@cli.command()
@click.option("--funnel-spec", type=click.Path(path_type=Path), help="Funnel spec YAML. [default: seeds/funnel_spec.yml]")
@click.option("--input-dir", type=click.Path(path_type=Path), help="Folder of CSV logs. [default: data/internal]")
@click.option("--signals-dir", type=click.Path(path_type=Path), help="Where the JSON signals go. [default: signals]")
@click.option("--warehouse", type=click.Path(path_type=Path), help="DuckDB file to write. [default: warehouse/trainer.duckdb]")
@click.option("--models", "sql_dir", type=click.Path(path_type=Path), help="Folder of SQL models. [default: sql]")
@click.option("--as-of", type=IsoDate(),
              help="Date progress is measured at (YYYY-MM-DD). [default: today in the spec's time zone]")
@click.option("--var", "variables", multiple=True, callback=parse_var, metavar="KEY=VALUE",
              help="Set a model variable, e.g. --var stale_after_days=30. Repeatable.")
@click.option("--dry-run", is_flag=True, help="Build in memory and print the summary; write nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary and errors.")
@click.option("-v", "--verbose", is_flag=True, help="Also print every orphan and finding.")
@click.option("-s", "--select", "selectors", multiple=True, metavar="SELECTOR",
              help="Rebuild only these models and everything downstream; reuse the rest from the warehouse. "
                   "NAME, +NAME (with its upstream models) or folder:NAME. Repeatable.")
def build(funnel_spec, input_dir, signals_dir, warehouse, sql_dir, as_of, variables, dry_run, quiet, verbose,
          selectors):
    """Build the warehouse and signals from the funnel spec and the CSV logs.

    Progress (one line per model) and warnings go to stderr; the summary goes to stdout.

    Example: trainer build --as-of 2025-10-21 --select int_chapters_attributed
    """
    from trainer.build import BuildOptions, build as run_build
    from trainer.selection import parse_selectors

    project = find_project()
    options = BuildOptions(
        project_dir=project.root,
        funnel_spec=funnel_spec or project.funnel_spec,
        input_dir=input_dir or project.input_dir,
        signals_dir=signals_dir or project.signals_dir,
        warehouse=warehouse or project.warehouse,
        sql_dir=sql_dir or project.sql_dir,
        as_of=as_of,
        variables=variables,
        dry_run=dry_run,
        select=parse_selectors(selectors),
    )
    result = run_build(options, ConsoleReporter(quiet=quiet))
    click.echo(format_summary(result, verbose=verbose, dry_run=dry_run))


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8420, show_default=True,
              help="TCP port on 127.0.0.1; 0 picks a free port.")
@click.option("--signals-dir", type=click.Path(path_type=Path), help="Folder of JSON signals to serve. [default: signals]")
@click.option("--open", "open_browser", is_flag=True, help="Also open the dashboard in the default web browser.")
@click.option("-q", "--quiet", is_flag=True, help="Do not log each request to stderr.")
def serve(port, signals_dir, open_browser, quiet):
    """Serve the dashboard and the signals on 127.0.0.1 until Ctrl-C.

    Prints the dashboard URL on stdout and logs each request on stderr. Only the dashboard
    files and the JSON files under the signals folder are served.

    Example: trainer build --as-of 2025-10-21 && trainer serve --port 8420
    """
    import logging
    import webbrowser

    from trainer.serve import create_server, serve_forever

    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(message)s")
    signals_dir = signals_dir or find_project().signals_dir
    server = create_server(signals_dir, port=port)
    if not (signals_dir / "funnel_progress.json").is_file():
        click.echo(f"warning: no {signals_dir / 'funnel_progress.json'} yet; run trainer build", err=True)

    def announce(url):
        click.echo(f"Dashboard: {url}")
        sys.stdout.flush()
        if open_browser:
            webbrowser.open(url)

    serve_forever(server, on_ready=announce)


@cli.command()
@click.argument("sql", required=False)
@click.option("-f", "--file", "sql_file", type=click.File("r", encoding="utf-8"), help="Read the statement from this file.")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json", "markdown"]), default="table",
              show_default=True, help="Output format; table fits the terminal width.")
@click.option("--warehouse", type=click.Path(path_type=Path), help="DuckDB file to read. [default: warehouse/trainer.duckdb]")
def query(sql, sql_file, output_format, warehouse):
    """Run one read-only SQL statement against the warehouse, or open a prompt without one.

    The warehouse is opened read-only, so a running build and a query never wait for each other.
    In the prompt a statement ends with ';'; .tables, .schema NAME and .quit are commands.

    Example: trainer query "select * from marts.fct_orphans" --format csv
    """
    from trainer.build import display
    from trainer.query import format_result, open_warehouse, run_prompt, run_query

    warehouse = warehouse or find_project().warehouse
    if sql is not None and sql_file is not None:
        raise click.UsageError("give the statement as an argument or with -f, not both")
    with open_warehouse(warehouse, display(warehouse)) as con:
        if sql is None and sql_file is None:
            history = warehouse.parent / ".query_history" if sys.stdin.isatty() else None
            run_prompt(con, input, click.echo, output_format, history)
        else:
            click.echo(format_result(run_query(con, sql if sql is not None else sql_file.read()), output_format))


@cli.command("test")
@click.option("--warehouse", type=click.Path(path_type=Path), help="DuckDB file to test. [default: warehouse/trainer.duckdb]")
@click.option("--models", "sql_dir", type=click.Path(path_type=Path), help="Folder of SQL models and tests. [default: sql]")
def test_command(warehouse, sql_dir):
    """Run the data tests on the current warehouse, without building it.

    Prints one line per test and the first failing rows; exits 1 when a test of severity error
    fails. The failing rows are kept in the warehouse's test_results schema.

    Example: trainer test && trainer query "select * from test_results.spec_step_ids_unique"
    """
    from trainer.datatests import failure_message, format_result, test_warehouse

    project = find_project()
    results = test_warehouse(project.funnel_spec, sql_dir or project.sql_dir, warehouse or project.warehouse,
                             lambda result: click.echo("\n".join(format_result(result))))
    failure = failure_message(results)
    if failure:
        raise TrainerError(f"{failure} in the warehouse")
    click.echo(f"{len(results)} data tests ran; none of severity error failed.")


@cli.command()
@click.argument("target")
@click.option("--warehouse", type=click.Path(path_type=Path), help="DuckDB file to read. [default: warehouse/trainer.duckdb]")
def explain(target, warehouse):
    """Explain why a log row is attributed where it is, or why it is an orphan.

    TARGET is FILE:LINE (as trainer build -v prints it) or an id, as logged or as the spec id
    it counts toward. Prints the row's fields, the rule and key that matched (id, alias or
    prefix), the training it counts toward and its findings.

    Example: trainer explain chapters.csv:31
    """
    from trainer.build import display
    from trainer.explain import explain as explain_rows
    from trainer.query import open_warehouse

    warehouse = warehouse or find_project().warehouse
    with open_warehouse(warehouse, display(warehouse)) as con:
        click.echo(explain_rows(con, target))


@cli.command()
@click.option("--tree", is_flag=True, help="Draw the dependency graph as a text tree instead of the list.")
@click.option("--models", "sql_dir", type=click.Path(path_type=Path), help="Folder of SQL models. [default: sql]")
def models(tree, sql_dir):
    """List the models in run order: folder, materialization, upstream refs and rows last built.

    Example: trainer models --tree
    """
    import json

    from trainer.docs import format_models, format_tree, project_models

    project = find_project()
    ordered = project_models(project.funnel_spec, sql_dir or project.sql_dir)
    if tree:
        click.echo(format_tree(ordered))
        return
    try:
        last = json.loads((project.signals_dir / "run_results.json").read_text(encoding="utf-8"))["models"]
    except (OSError, ValueError, KeyError):
        last = []
    click.echo(format_models(ordered, {model["name"]: model["rows"] for model in last}))


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), help="Write the dictionary to this Markdown file instead.")
@click.option("--warehouse", type=click.Path(path_type=Path), help="DuckDB file to read. [default: warehouse/trainer.duckdb]")
def docs(out, warehouse):
    """Print the data dictionary: every schema, table, column, type and description, with lineage.

    Example: trainer docs --out docs/data-dictionary.md
    """
    from trainer.build import display
    from trainer.docs import data_dictionary, project_models
    from trainer.query import open_warehouse

    project = find_project()
    warehouse = warehouse or project.warehouse
    ordered = project_models(project.funnel_spec, project.sql_dir)
    with open_warehouse(warehouse, display(warehouse)) as con:
        text = data_dictionary(con, ordered)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {display(out)}.")


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
def init(path):
    """Start a new project in PATH: a commented funnel spec, the default models and a one-row log.

    The models are copied, so the new project edits its own rules. Build it at once with
    cd PATH && trainer build.

    Example: trainer init ../team-b-logs
    """
    from trainer.build import display
    from trainer.scaffold import init_project

    written = init_project(path, display(path))
    click.echo(f"Created {', '.join(display(item) for item in written)}. Next: cd {display(path)} && trainer build")


def main():
    cli(prog_name="trainer")


if __name__ == "__main__":
    sys.exit(main())
