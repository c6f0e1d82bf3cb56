"""Swap a finished build's warehouse and signals into place as one set.

Publishing takes three steps, all while the build holds the build lock (trainer/lock.py):

1. Stage: every signal file is written and synced under `signals/.tmp-<pid>/`. The new
   warehouse is already complete, closed and synced at `warehouse/.trainer.duckdb.tmp-<pid>`.
2. Commit: the journal `warehouse/.trainer.duckdb.publish` lists the moves from staged paths
   to real ones. It is written under a temporary name, synced and renamed into place, so it
   exists whole or not at all. That rename is the moment the new build counts as published.
3. Move: each staged path is renamed over its destination, the folders are synced, and the
   journal is deleted.

A build stopped before step 2 has changed no output, and the next build deletes its staged
files. A build stopped during step 3 leaves the journal behind; the next build first repeats
every move whose source still exists, which completes the swap. Each move is one rename within
one folder, so every output path is always a complete file. Only between the first and the
last rename of step 3, or after a crash there until the next build, can a reader find signals
of the new build beside the previous warehouse, or no `funnel_logs/` folder.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from .errors import OutputError

TEMP_MARK = ".tmp-"
PREVIOUS_PREFIX = "previous-"


def journal_path(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}.publish")


def staged_warehouse_path(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}{TEMP_MARK}{os.getpid()}")


def publish_outputs(staged_warehouse: Path, warehouse: Path, signals: dict[str, bytes], signals_dir: Path) -> list[Path]:
    """Publish the staged warehouse and the signal files (path under signals/ to bytes) as one set.

    Returns the published paths. Raises OutputError naming the path that failed; before the
    commit the previous outputs are untouched, after it the next build completes the swap.
    """
    if staged_warehouse.with_name(staged_warehouse.name + ".wal").exists():
        # Only the database file is moved, so it must hold every change.
        raise OutputError(f"{_display(staged_warehouse)}: the new warehouse still has a write-ahead log after it "
                          "was closed; the previous outputs are unchanged")
    staging = signals_dir / f"{TEMP_MARK}{os.getpid()}"
    moves = []
    target = signals_dir
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        for relative, content in sorted(signals.items()):
            target = signals_dir / relative
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_synced(path, content)
        for entry in sorted(staging.iterdir()):
            if entry.is_dir():
                _sync_folder(entry)
            moves.append((entry, signals_dir / entry.name))
        _sync_folder(staging)
        target = warehouse
        _sync_file(staged_warehouse)
        moves.append((staged_warehouse, warehouse))
        target = journal_path(warehouse)
        _write_journal(warehouse, moves)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{_display(target)}: cannot write ({err.strerror}); the previous outputs are unchanged") from err
    _complete_moves(warehouse)
    return [destination for _, destination in moves]


def finish_interrupted_publish(warehouse: Path) -> int | None:
    """Complete the swap of a build that was stopped after its commit; return that build's pid.

    Returns None when no swap was left unfinished. Call only while holding the build lock.
    """
    journal = journal_path(warehouse)
    if not journal.exists():
        return None
    try:
        pid = json.loads(journal.read_text(encoding="utf-8")).get("pid")
    except (OSError, ValueError, AttributeError):
        pid = None
    _complete_moves(warehouse)
    return pid if isinstance(pid, int) else 0


def discard_staged_warehouse(staged_warehouse: Path, warehouse: Path):
    """Delete a failed build's staged warehouse, unless a committed swap still needs it."""
    if journal_path(warehouse).exists():
        return
    for path in (staged_warehouse, staged_warehouse.with_name(staged_warehouse.name + ".wal")):
        try:
            path.unlink()
        except OSError:
            pass


def remove_leftovers(warehouse: Path, signals_dir: Path):
    """Delete the temporary files and folders of builds that were stopped before their commit.

    Call only while holding the build lock and after finish_interrupted_publish: then no other
    build is writing, so every temporary output but this process's own is a leftover.
    """
    own = f"{TEMP_MARK}{os.getpid()}"
    candidates = list(warehouse.parent.glob(f".{warehouse.name}{TEMP_MARK}*"))
    candidates += list(warehouse.parent.glob(f"{journal_path(warehouse).name}{TEMP_MARK}*"))
    candidates += list(signals_dir.glob(f"{TEMP_MARK}*"))
    for path in candidates:
        if path.name.endswith(own) or path.name.endswith(f"{own}.wal"):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.unlink()
            except OSError:
                pass


def _write_journal(warehouse: Path, moves: list[tuple[Path, Path]]):
    journal = journal_path(warehouse)
    base = journal.parent
    document = {
        "pid": os.getpid(),
        "moves": [[os.path.relpath(source, base), os.path.relpath(destination, base)]
                  for source, destination in moves],
    }
    temporary = journal.with_name(f"{journal.name}{TEMP_MARK}{os.getpid()}")
    _write_synced(temporary, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    os.replace(temporary, journal)
    _sync_folder(base)


def _complete_moves(warehouse: Path):
    """Rename every staged path of the journal that is still staged, then delete the journal.

    Running it again after a crash at any point repeats only the moves not yet done.
    """
    journal = journal_path(warehouse)
    base = journal.parent
    try:
        document = json.loads(journal.read_text(encoding="utf-8"))
        moves = [(base / source, base / destination) for source, destination in document["moves"]]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise OutputError(f"{_display(journal)}: unreadable publish journal ({err}); delete it and build again") from err
    folders = {journal.parent}
    try:
        for source, destination in moves:
            if not source.exists():
                continue
            folders.add(destination.parent)
            if source.is_dir():
                _replace_folder(source, destination)
            else:
                if destination == warehouse:
                    # A write-ahead log left by a session of the previous warehouse would be
                    # replayed into the new file when it is opened.
                    _unlink_if_present(warehouse.with_name(warehouse.name + ".wal"))
                os.replace(source, destination)
        for folder in folders:
            _sync_folder(folder)
        for staging in {source.parent for source, _ in moves if source.parent.name.startswith(TEMP_MARK)}:
            shutil.rmtree(staging, ignore_errors=True)
        journal.unlink()
        _sync_folder(base)
    except OSError as err:
        raise OutputError(f"{_display(Path(err.filename or journal))}: cannot replace ({err.strerror}); the outputs are "
                          "partly swapped, and the next trainer build completes the swap") from err


def _display(path: Path) -> str:
    from .build import display  # imported here because build.py imports this module

    return display(path)


def _replace_folder(source: Path, destination: Path):
    """Move the folder `source` to `destination`, first moving any old one aside beside `source`.

    A folder cannot be renamed over a non-empty folder, so the old one goes into the staging
    folder (deleted with it) first. Between the two renames `destination` does not exist.
    """
    if destination.exists():
        previous = source.with_name(PREVIOUS_PREFIX + source.name)
        shutil.rmtree(previous, ignore_errors=True)
        os.replace(destination, previous)
    os.replace(source, destination)


def _write_synced(path: Path, content: bytes):
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_file(path: Path):
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sync_folder(path: Path):
    """Sync a folder so that renames and new entries in it survive a power loss (POSIX only)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename itself still happened
    finally:
        os.close(descriptor)


def _unlink_if_present(path: Path):
    try:
        path.unlink()
    except FileNotFoundError:
        pass
