"""`trainer init PATH`: start a project for another set of logs, with its own copy of the rules."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import InputError, OutputError
from .project import BUNDLED_SQL_DIR, INPUT_DIR, SPEC_PATH

SPEC_TEMPLATE = """\
# Funnel spec: which trainings exist and their steps, in the order they are taken.
# `trainer build` attributes every log row to a training, step or skill declared here,
# or lists it as an orphan with the reason.
version: 1
defaults:
  timezone: UTC            # dates are taken in this zone
  valid_from: '2025-01-01' # activity dated before this is kept but not counted
  stale_after_days: 14     # a training with no activity for longer is 'cooled'
  statuses: [planned, active, completed, paused]  # known status words; others are findings
skills:
- id: SKL-EXAMPLE
  label: Example skill
funnels:
- id: example_training     # the id a training log names
  label: Example Training
  entity: training
  provider: Example provider
  skills: [SKL-EXAMPLE]
  aliases: []              # older ids that mean this training
  steps:
  - id: EX-1               # a chapter code extends it: EX-1-1 belongs to step EX-1
    label: First step
    aliases: []            # older ids that mean this step
  - id: EX-2
    label: Second step
"""

EXAMPLE_LOG = """\
step_id_name,step_id,step_status,step_last_update_date,step_is_completed
First step,EX-1,completed,2025-06-02,True
"""

README_TEMPLATE = """\
# {name}

Learning logs turned into a DuckDB warehouse and JSON signals by `trainer build`.

- `seeds/funnel_spec.yml`: the trainings, their steps and aliases.
- `data/internal/`: the CSV logs. `example_steps.csv` is a one-row example; replace it.
- `sql/`: this project's copy of the models, data tests (`schema.yml`, `sql/tests/`) and
  column descriptions (`sql/columns.yml`); edit them to change the attribution rules.

Run `trainer build`, then `trainer query "select * from marts.fct_orphans"` or
`trainer explain example_steps.csv:2`.
"""

GITIGNORE = "# Build outputs: trainer build writes them.\nwarehouse/\nsignals/\n"


def init_project(root: Path, display_path: str) -> list[Path]:
    """Create the project files under `root` and return them.

    `root` must be a new or empty folder, so no file of the user's is mixed into the project.
    """
    _check_target(root, display_path)
    try:
        (root / SPEC_PATH).parent.mkdir(parents=True, exist_ok=True)
        (root / SPEC_PATH).write_text(SPEC_TEMPLATE, encoding="utf-8")
        (root / INPUT_DIR).mkdir(parents=True, exist_ok=True)
        (root / INPUT_DIR / "example_steps.csv").write_text(EXAMPLE_LOG, encoding="utf-8")
        shutil.copytree(BUNDLED_SQL_DIR, root / "sql", ignore=shutil.ignore_patterns("__pycache__"))
        readme = root / "README.md"
        if not readme.exists():
            readme.write_text(README_TEMPLATE.format(name=root.resolve().name), encoding="utf-8")
        gitignore = root / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text(GITIGNORE, encoding="utf-8")
    except OSError as err:
        raise OutputError(f"{display_path}: cannot create the project ({err.strerror})") from err
    return [root / SPEC_PATH, root / INPUT_DIR / "example_steps.csv", root / "sql", root / "README.md"]


def _check_target(root: Path, display_path: str) -> None:
    """Raise InputError unless `root` is missing or an empty folder."""
    if (root / SPEC_PATH).exists() or (root / "sql").exists():
        raise InputError(f"{display_path}: already holds a project (seeds/funnel_spec.yml or sql/); "
                         "choose an empty or new folder")
    if root.exists() and not root.is_dir():
        raise InputError(f"{display_path}: is a file, not a folder; choose an empty or new folder")
    try:
        entries = sorted(entry.name for entry in root.iterdir()) if root.exists() else []
    except OSError as err:
        raise InputError(f"{display_path}: cannot list the folder ({err.strerror}); "
                         "choose an empty or new folder") from err
    if entries:
        first_names = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
        raise InputError(f"{display_path}: folder is not empty (it contains {first_names}); "
                         "choose an empty or new folder, for example a subfolder of it")
