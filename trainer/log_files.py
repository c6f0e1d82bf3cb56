"""Checks on a CSV log before DuckDB reads it: its bytes, encoding, delimiter, header and kind.

A log's kind comes from its columns, not its file name. These checks run on the file's text in
Python, once per file; the rows themselves are read by DuckDB in logs.py.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LogError

DELIMITERS = (",", ";", "\t", "|")
READ_ATTEMPTS = 3


@dataclass(frozen=True)
class LogKind:
    name: str
    key_column: str
    columns: tuple[str, ...]

    @property
    def table(self) -> str:
        return f"{self.name}_log"


# Most specific first: a chapter log may also carry a step_id column, never the reverse.
LOG_KINDS = (
    LogKind("chapter", "chapter_id_code",
            ("chapter_id_code", "chapter_id_name", "chapter_last_update_date", "chapter_is_completed")),
    LogKind("skill", "skill_track_code",
            ("skill_track_code", "skill_track_name", "skill_status", "skill_track_last_update_date",
             "skill_is_completed")),
    LogKind("step", "step_id",
            ("step_id", "step_id_name", "step_status", "step_last_update_date", "step_is_completed")),
    LogKind("training", "training_id",
            ("training_id", "training_id_name", "training_status", "last_update_date", "training_is_completed")),
)
OPTIONAL_COLUMNS = ("learner_id",)
ROW_COLUMNS = ("source_file", "row_number", "line_number")


@dataclass
class LogFile:
    """One CSV file of the input folder and what reading it found."""

    file_name: str
    display_path: str
    kind: str | None = None  # None for a skipped file, "unrecognised" for a CSV of no known kind
    table: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    rows: int = 0
    blank_rows: int = 0
    blank_lines: int = 0
    skipped_reason: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)  # (text in file, column name)
    warnings: list[str] = field(default_factory=list)

    @property
    def skipped_lines(self) -> int:
        return self.blank_rows + self.blank_lines


def find_logs(input_dir: Path) -> list[Path]:
    return sorted(path for path in input_dir.glob("*.csv") if path.is_file())


def read_stable(path: Path, log: LogFile) -> bytes:
    """Read the file's bytes, retrying when it changes while being read (a spreadsheet saving it)."""
    for _ in range(READ_ATTEMPTS):
        try:
            before = path.stat()
            data = path.read_bytes()
            after = path.stat()
        except OSError as err:
            raise LogError(f"{log.display_path}: cannot read file ({err.strerror})") from err
        unchanged = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
        if unchanged and len(data) == after.st_size:
            return data
    raise LogError(f"{log.display_path}: the file changed while being read; build again once it is saved")


def decode(data: bytes, log: LogFile) -> str:
    utf16 = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else _utf16_without_bom(data)
    if utf16:
        log.encoding = utf16
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as err:
            raise LogError(f"{log.display_path}: invalid UTF-16 (byte offset {err.start}); save the file as UTF-8") from err
    if b"\x00" in data[:8192]:
        raise LogError(f"{log.display_path}: binary file (contains NUL bytes), not a CSV log; "
                       "move it out of the input folder")
    try:
        text = data.decode("utf-8-sig")
        log.encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        return text
    except UnicodeDecodeError as utf8_error:
        line = data.count(b"\n", 0, utf8_error.start) + 1
        byte = data[utf8_error.start]
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as err:
            raise LogError(
                f"{log.display_path} line {line}: not UTF-8 (byte 0x{byte:02X}) nor Windows-1252; "
                "save the file as UTF-8"
            ) from err
        log.encoding = "cp1252"
        log.warnings.append(
            f"{log.display_path} line {line}: not UTF-8 (byte 0x{byte:02X}); read as Windows-1252. "
            "Save the file as UTF-8 to silence this warning"
        )
        return text


def _utf16_without_bom(data: bytes) -> str | None:
    """Name the UTF-16 byte order of text with no BOM, recognised by NULs in every other byte."""
    sample = data[:8192 - 8192 % 2]
    if len(sample) < 4:
        return None
    # Latin text has a NUL high byte in most characters and almost never a NUL low byte.
    half = len(sample) // 2
    even_nuls, odd_nuls = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd_nuls > 0.5 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.5 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def choose_delimiter(header_line: str) -> str:
    """Pick the delimiter that splits the header into a known log kind, else the most frequent one."""
    for delimiter in DELIMITERS:
        names = {normalise_header(name) for name in next(csv.reader([header_line], delimiter=delimiter))}
        if any(kind.key_column in names for kind in LOG_KINDS):
            return delimiter
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def normalise_header(name: str) -> str:
    return re.sub(r"[^0-9a-z_]+", "_", name.strip().lower()).strip("_")


def column_names(header: list[str], log: LogFile) -> list[tuple[str, str]]:
    columns, seen = [], set(ROW_COLUMNS)
    for position, text in enumerate(header, start=1):
        base = normalise_header(text) or f"column_{position}"
        name, suffix = base, 2
        while name in seen:
            name, suffix = f"{base}_{suffix}", suffix + 1
        if name != base and base not in ROW_COLUMNS:
            log.warnings.append(f"{log.display_path} line 1: column {base!r} appears more than once; "
                                f"column {position} is read as {name!r}")
        seen.add(name)
        columns.append((text, name))
    return columns


def detect_kind(log: LogFile) -> str:
    names = {name for _, name in log.headers}
    for kind in LOG_KINDS:
        if kind.key_column in names:
            missing = [column for column in kind.columns if column not in names]
            if missing:
                log.warnings.append(f"{log.display_path}: {kind.name} log without column"
                                    f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}; read as empty")
            return kind.name
    for kind in LOG_KINDS:
        present = [column for column in kind.columns if column in names]
        if len(present) >= 2:
            raise LogError(
                f"{log.display_path} line 1: looks like a {kind.name} log ({', '.join(present)}) but has no "
                f"{kind.key_column} column; add it or rename the id column to {kind.key_column}"
            )
    return "unrecognised"


DATA_LIKE = re.compile(r"^\s*(-?\d+([.,]\d+)?|\d{4}-\d{2}-\d{2}.*|true|false|yes|no)\s*$", re.IGNORECASE)


def check_header(header: list[str], log: LogFile):
    if log.kind != "unrecognised":
        return
    if any(DATA_LIKE.match(text) for text in header):
        log.warnings.append(f"{log.display_path} line 1: the header row looks like data "
                            f"({', '.join(header[:4])}); a log needs a header line with column names")
    if len(header) == 1 and any(delimiter in header[0] for delimiter in DELIMITERS):
        log.warnings.append(f"{log.display_path} line 1: the whole header is one quoted field "
                            f"({header[0][:60]!r}), so the file reads as a single column; remove the quotes")


def delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}[delimiter]


def check_quotes_closed(text: str, log: LogFile):
    """Raise LogError when a quote is never closed: DuckDB then drops the rest of the file unread."""
    if text.count('"') % 2 == 0:
        return
    # A doubled quote inside a quoted field toggles twice, so the last quote that opens a field
    # and is never closed is the last one found in the opening state.
    is_open, opened_at = False, 0
    for match in re.finditer('"', text):
        is_open = not is_open
        if is_open:
            opened_at = match.start()
    line = text.count("\n", 0, opened_at) + 1
    raise LogError(f"{log.display_path} line {line}: a quote opens a field here and is never closed, so the "
                   "rest of the file would be read as one value; close the quote or remove it")


def drop_trailing_empty_headers(header: list[str], log: LogFile) -> list[str]:
    """Return the header without empty names at its end, left by a delimiter that ends the line."""
    kept = list(header)
    while len(kept) > 1 and not kept[-1].strip():
        kept.pop()
    dropped = len(header) - len(kept)
    if dropped:
        log.warnings.append(f"{log.display_path} line 1: the header ends with {dropped} empty "
                            f"field{'s' if dropped > 1 else ''} (a trailing {delimiter_name(log.delimiter)}); ignored")
    return kept
