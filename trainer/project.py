"""Project paths, found by walking up to the folder that contains seeds/funnel_spec.yml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SPEC_PATH = Path("seeds/funnel_spec.yml")
INPUT_DIR = Path("data/internal")
SIGNALS_DIR = Path("signals")
WAREHOUSE_PATH = Path("warehouse/trainer.duckdb")
SQL_DIR = Path("sql")

# The models shipped with this tool, used by a project that has no sql/ folder of its own.
BUNDLED_SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def funnel_spec(self) -> Path:
        return self.root / SPEC_PATH

    @property
    def input_dir(self) -> Path:
        return self.root / INPUT_DIR

    @property
    def signals_dir(self) -> Path:
        return self.root / SIGNALS_DIR

    @property
    def warehouse(self) -> Path:
        return self.root / WAREHOUSE_PATH

    @property
    def sql_dir(self) -> Path:
        own = self.root / SQL_DIR
        return own if own.is_dir() else BUNDLED_SQL_DIR


def find_project(start: Path | None = None) -> Project:
    """Return the nearest folder at or above `start` holding seeds/funnel_spec.yml, else `start`."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / SPEC_PATH).is_file():
            return Project(folder)
    return Project(start)
