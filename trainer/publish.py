"""Swap a finished build's warehouse and signals into place.

Each file is first written beside its destination under a temporary name, then renamed over
it, so a reader never sees a half-written file. The warehouse goes in last: a failure before
that point leaves the previous warehouse, and every signal file written so far is complete.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import OutputError

TEMP_MARK = ".tmp-"


def publish_outputs(staged_warehouse: Path, warehouse: Path, signals: dict[str, bytes], signals_dir: Path) -> list[Path]:
    written = []
    staging = signals_dir / f"{TEMP_MARK}{os.getpid()}"
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for relative, content in signals.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        _swap_folder(staging / "funnel_logs", signals_dir / "funnel_logs", staging)
        written.append(signals_dir / "funnel_logs")
        for relative in sorted(name for name in signals if "/" not in name):
            os.replace(staging / relative, signals_dir / relative)
            written.append(signals_dir / relative)
        os.replace(staged_warehouse, warehouse)
        written.append(warehouse)
    except OSError as err:
        target = err.filename or signals_dir
        raise OutputError(f"{target}: cannot write ({err.strerror}); the previous outputs are unchanged "
                          "where they were not yet replaced") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _swap_folder(new: Path, destination: Path, staging: Path):
    if destination.exists():
        old = staging / "previous_funnel_logs"
        os.replace(destination, old)
    os.replace(new, destination)


def remove_leftovers(warehouse: Path, signals_dir: Path):
    """Delete temporary outputs that a killed build left behind (their process no longer runs)."""
    candidates = list(warehouse.parent.glob(f".{warehouse.name}{TEMP_MARK}*"))
    candidates += list(signals_dir.glob(f"{TEMP_MARK}*"))
    for path in candidates:
        pid = path.name.rsplit(TEMP_MARK, 1)[-1].split(".")[0]
        if pid.isdigit() and _process_running(int(pid)):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.unlink()
            except OSError:
                pass


def _process_running(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
