"""Exceptions the engine raises; cli.py turns each into a one-line message and an exit code."""


class TrainerError(Exception):
    """Base class. `exit_code` follows click: 2 for bad input or usage, 1 for a failed run."""

    exit_code = 1


class InputError(TrainerError):
    """A missing path, an unreadable or malformed input file: the user must fix an input."""

    exit_code = 2


class SpecError(InputError):
    """The funnel spec is not valid YAML or breaks the schema. `problems` lists every problem."""

    def __init__(self, problems, path):
        self.problems = list(problems)
        self.path = path
        super().__init__(self.format())

    def format(self, limit=10):
        shown = [
            f"{self.path} {problem}" if problem.startswith("line ") else f"{self.path}: {problem}"
            for problem in self.problems[:limit]
        ]
        hidden = len(self.problems) - limit
        if hidden > 0:
            shown.append(f"... and {hidden} more problem{'s' if hidden > 1 else ''} in {self.path}")
        return "\n".join(shown)


class LogError(InputError):
    """A CSV log cannot be read as a table."""


class ModelError(TrainerError):
    """A SQL model failed to render or to run, or the models' refs do not form a DAG."""


class OutputError(InputError):
    """An output path cannot be written."""


class BuildLockedError(TrainerError):
    """Another build holds the warehouse's build lock and did not finish within the wait."""
