"""`trainer init`: a new project that builds at once, from any of its subfolders."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner

from cli import cli


def invoke(folder, *args):
    previous = os.getcwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(previous)


def test_init_then_build(tmp_path):
    result = invoke(tmp_path, "init", "team-b")
    assert result.exit_code == 0, result.output
    root = tmp_path / "team-b"
    assert result.stdout == ("Created team-b/seeds/funnel_spec.yml, team-b/data/internal/example_steps.csv, "
                             "team-b/sql, team-b/README.md. Next: cd team-b && trainer build\n")
    assert (root / "sql" / "attribution" / "int_chapters_attributed.sql").is_file()
    assert (root / "sql" / "marts" / "schema.yml").is_file()
    assert "# Funnel spec:" in (root / "seeds" / "funnel_spec.yml").read_text(encoding="utf-8")
    build = invoke(root / "data" / "internal", "build", "--as-of", "2025-10-21")
    assert build.exit_code == 0, build.output
    progress = json.loads((root / "signals" / "funnel_progress.json").read_text(encoding="utf-8"))
    assert progress["trainings"]["example_training"]["completed_step_ids"] == ["EX-1"]
    assert progress["summary"]["rows_attributed"] == 1
    assert progress["summary"]["orphans"] == 0


def test_init_uses_its_own_models(tmp_path):
    assert invoke(tmp_path, "init", "team-b").exit_code == 0
    root = tmp_path / "team-b"
    (root / "sql" / "marts" / "fct_team_extra.sql").write_text("-- One row, to prove the copy is used.\nselect 1 as one\n")
    result = invoke(root, "models")
    assert result.exit_code == 0, result.output
    assert " fct_team_extra " in result.stdout


def test_init_existing_project_exits_2(tmp_path):
    assert invoke(tmp_path, "init", "team-b").exit_code == 0
    result = invoke(tmp_path, "init", "team-b")
    assert result.exit_code == 2
    assert result.stderr == ("error: team-b: already holds a project (seeds/funnel_spec.yml or sql/); "
                             "choose an empty or new folder\n")
