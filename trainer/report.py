"""Console output of `trainer build`: a dbt-style line per model on stderr, then the summary on stdout."""

from __future__ import annotations

import click

from .build import BuildResult, Reporter, display
from .datatests import format_result as format_test_result
from .run_results import format_changes
from .signals import progress_sentence

LINE_WIDTH = 72


class ConsoleReporter(Reporter):
    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def model_finished(self, index, total, result):
        if self.quiet:
            return
        model = result.model
        status = "OK" if result.status == "success" else result.status.upper()
        label = f"{index:>{len(str(total))}} of {total} {status} {model.materialized} {model.relation} "
        row_noun = "row" if result.rows == 1 else "rows"
        timing = f" [{result.rows} {row_noun} in {result.seconds:.2f}s]"
        dots = "." * max(2, LINE_WIDTH - len(label) - len(timing))
        click.echo(f"{label}{dots}{timing}", err=True)

    def test_finished(self, result):
        # Failing and warning tests are listed in the summary; a failing one also here, before the error.
        if not self.quiet and result.status == "fail":
            click.echo("\n".join(format_test_result(result)), err=True)

    def warning(self, message):
        if not self.quiet:
            click.echo(f"warning: {message}", err=True)


def format_summary(result: BuildResult, verbose: bool = False, dry_run: bool = False) -> str:
    summary = result.summary
    lines = [progress_sentence(summary, result.as_of), ""]
    lines.append("Rows per log (read = attributed + orphans + skipped):")
    width = max([len(entry["source_file"]) for entry in result.balance] + [4])
    for entry in result.balance:
        kind = entry["log_kind"] or "skipped"
        line = (f"  {entry['source_file']:<{width}}  {kind:<12} {entry['rows_read']:>6} = "
                f"{entry['rows_attributed']} + {entry['rows_orphaned']} + {entry['rows_skipped']}")
        notes = []
        if entry["blank_lines_skipped"]:
            notes.append(f"{entry['blank_lines_skipped']} blank lines skipped")
        if entry["skipped_reason"]:
            notes.append(entry["skipped_reason"])
        if notes:
            line += f"  ({'; '.join(notes)})"
        lines.append(line)
    if not result.balance:
        lines.append("  (no CSV logs found)")
    findings = ", ".join(f"{count} {kind}" for kind, count in summary["findings_by_kind"].items() if count)
    lines.append(f"Findings: {findings or 'none'}")
    lines.extend(_data_tests(result))
    lines.extend(format_changes(result.changes))
    if verbose:
        lines.extend(_details(result))
    if dry_run:
        lines.append(f"Dry run: nothing written ({len(result.model_results)} models in {result.seconds:.2f}s).")
    else:
        names = ", ".join(display(path) for path in result.written)
        lines.append(f"Wrote {names} ({len(result.model_results)} models in {result.seconds:.2f}s).")
    return "\n".join(lines)


def _details(result: BuildResult) -> list[str]:
    """List every orphan and finding, one line each, as file:line so an editor can jump there."""
    lines = []
    for orphan in result.progress["orphans"]:
        hint = f" (did you mean {orphan['hint']}?)" if orphan["hint"] else ""
        lines.append(f"  orphan  {orphan['source_file']}:{orphan['line']}  {orphan['log_kind']} "
                     f"{orphan['id']!r}: {orphan['reason']}{hint}")
    for finding in result.progress["findings"]:
        lines.append(f"  {finding['kind']}  {finding['source_file']}:{finding['line']}  {finding['detail']}")
    return lines


def _data_tests(result: BuildResult) -> list[str]:
    """Format one line for the data tests, then each test that warned, with its first failing rows."""
    results = result.test_results
    warned = [test for test in results if test.status == "warn"]
    passed = sum(1 for test in results if test.status == "pass")
    lines = [f"Data tests: {passed} passed, {len(warned)} warned, {len(results) - passed - len(warned)} failed."]
    for test in warned:
        lines.extend("  " + line for line in format_test_result(test))
    return lines
