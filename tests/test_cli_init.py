"""`trainer init`: a new project that builds at once, from any of its subfolders."""

from __future__ import annotations

import json

from conftest import invoke_in


def invoke(folder, *args):
    return invoke_in(folder, *args)


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


def test_init_non_empty_folder_exits_2(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ["b.csv", "a.csv", "notes.txt", "z.md"]:
        (folder / name).write_text("kept\n", encoding="utf-8")

    result = invoke(tmp_path, "init", "data")

    assert result.exit_code == 2
    assert result.stderr == ("error: data: folder is not empty (it contains a.csv, b.csv, notes.txt, ...); "
                             "choose an empty or new folder, for example a subfolder of it\n")
    assert sorted(entry.name for entry in folder.iterdir()) == ["a.csv", "b.csv", "notes.txt", "z.md"]


def test_init_folder_with_hidden_file_exits_2(tmp_path):
    folder = tmp_path / "team-b"
    folder.mkdir()
    (folder / ".keep").write_text("", encoding="utf-8")

    result = invoke(tmp_path, "init", "team-b")

    assert result.exit_code == 2
    assert result.stderr == ("error: team-b: folder is not empty (it contains .keep); "
                             "choose an empty or new folder, for example a subfolder of it\n")
    assert [entry.name for entry in folder.iterdir()] == [".keep"]


def test_init_path_of_file_exits_2(tmp_path):
    (tmp_path / "team-b").write_text("a file\n", encoding="utf-8")

    result = invoke(tmp_path, "init", "team-b")

    assert result.exit_code == 2
    assert result.stderr == "error: team-b: is a file, not a folder; choose an empty or new folder\n"


def test_init_empty_folder(tmp_path):
    (tmp_path / "team-b").mkdir()

    result = invoke(tmp_path, "init", "team-b")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "team-b" / "seeds" / "funnel_spec.yml").is_file()
