"""Shared fixtures: tiny projects in tmp_path and a helper that builds them in-process."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cli import cli

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL_LOGS = REPO.parent / "shared" / "real" / "trainer-model"
AS_OF = "2025-10-21"

# A spec small enough to read in a test: two trainings, four steps, one alias per kind.
BASIC_SPEC = """\
version: 1
defaults:
  timezone: UTC
  valid_from: '2025-01-01'
  stale_after_days: 14
  statuses: [queued, sprout, active, completed, cooled, paused]
skills:
- id: SK-SQL
  label: SQL
- id: SK-PY
  label: Python
funnels:
- id: sql_basics
  label: SQL Basics
  entity: training
  provider: Acme
  skills: [SK-SQL]
  aliases: [old_sql]
  steps:
  - id: SQL-1
    label: Select
    aliases: [SQL-101]
  - id: SQL-2
    label: Joins
  - id: SQL-10
    label: Window functions
- id: py_basics
  label: Python Basics
  entity: training
  provider: Books
  skills: [SK-PY]
  steps:
  - id: PY-1
    label: Variables
"""

STEP_HEADER = "step_id_name,step_id,step_status,step_last_update_date,step_is_completed"
TRAINING_HEADER = "training_id_name,training_id,training_status,last_update_date,training_is_completed"
CHAPTER_HEADER = "chapter_id_name,chapter_id_code,chapter_last_update_date,chapter_is_completed"
SKILL_HEADER = "skill_track_name,skill_track_code,skill_is_completed,skill_status,skill_track_last_update_date"


@dataclass
class Build:
    """The outcome of one `trainer build`: exit code, output and the signals it wrote."""

    exit_code: int
    stdout: str
    stderr: str
    root: Path

    @property
    def progress(self) -> dict:
        return json.loads((self.root / "signals" / "funnel_progress.json").read_text(encoding="utf-8"))

    @property
    def latest(self) -> dict:
        return json.loads((self.root / "signals" / "latest.json").read_text(encoding="utf-8"))

    def drilldown(self, name: str) -> dict:
        return json.loads((self.root / "signals" / "funnel_logs" / name).read_text(encoding="utf-8"))

    def training(self, training_id: str) -> dict:
        return self.progress["trainings"][training_id]

    def findings(self, kind: str | None = None) -> list[dict]:
        return [finding for finding in self.progress["findings"] if kind is None or finding["kind"] == kind]

    def query(self, sql: str):
        with duckdb.connect(str(self.root / "warehouse" / "trainer.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchall()


def invoke_in(folder: Path, *args: str, input: str | None = None):
    """Run the CLI in-process from `folder`, as a user working in that folder would."""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(previous)


class Project:
    """A project folder in tmp_path: write a spec and logs, then build it."""

    def __init__(self, root: Path):
        self.root = root
        (root / "seeds").mkdir(parents=True, exist_ok=True)
        (root / "data" / "internal").mkdir(parents=True, exist_ok=True)

    def spec(self, text: str) -> Project:
        (self.root / "seeds" / "funnel_spec.yml").write_text(textwrap.dedent(text), encoding="utf-8")
        return self

    def log(self, name: str, header: str, *rows: str, ending: str = "\n") -> Project:
        text = ending.join([header, *rows]) + ending
        (self.root / "data" / "internal" / name).write_bytes(text.encode("utf-8"))
        return self

    def log_bytes(self, name: str, data: bytes) -> Project:
        (self.root / "data" / "internal" / name).write_bytes(data)
        return self

    def build(self, *extra: str, as_of: str = AS_OF) -> Build:
        """Run `trainer build` from the project folder, as a user would, with the repo's models."""
        args = ["build", "--models", str(REPO / "sql"), *(["--as-of", as_of] if as_of else []), *extra]
        result = invoke_in(self.root, *args)
        return Build(result.exit_code, result.stdout, result.stderr, self.root)


@pytest.fixture
def project(tmp_path) -> Project:
    """An empty project (no spec, no logs) in tmp_path."""
    return Project(tmp_path / "project")


@pytest.fixture
def basic_project(project) -> Project:
    """A project with BASIC_SPEC and one training row, ready for a step or chapter log."""
    project.spec(BASIC_SPEC)
    project.log("training.csv", TRAINING_HEADER, "SQL Basics,sql_basics,active,2025-10-10,False")
    return project


def copy_case(name: str, destination: Path) -> Project:
    """Copy a fixture under tests/fixtures/cases/ (inputs from public bug reports) to a project."""
    shutil.copytree(FIXTURES / "cases" / name, destination)
    return Project(destination)
