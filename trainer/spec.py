"""Validate the funnel spec (seeds/funnel_spec.yml, version 1) and return it as dataclasses.

spec_yaml.py reads the YAML with every plain scalar as text. This module converts numbers and
dates where the schema expects them, and reports every problem with its line and key path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SpecError
from .spec_yaml import Mapping, Sequence, read_yaml

DEFAULT_TIMEZONE = "UTC"
DEFAULT_VALID_FROM = dt.date(2000, 1, 1)
DEFAULT_STALE_AFTER_DAYS = 14
DEFAULT_MAX_DAYS_IN_STEP = 30
DEFAULT_LEARNER = "me"

TOP_KEYS = {"version", "defaults", "skills", "funnels"}
DEFAULTS_KEYS = {"timezone", "valid_from", "stale_after_days", "statuses", "sla", "learner"}
SLA_KEYS = {"max_days_in_step", "breach_severity"}
SKILL_KEYS = {"id", "label"}
FUNNEL_KEYS = {"id", "label", "entity", "provider", "skills", "notes", "aliases", "steps"}
STEP_KEYS = {"id", "label", "aliases"}


@dataclass(frozen=True)
class Step:
    step_id: str
    label: str
    aliases: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class Funnel:
    training_id: str
    label: str
    entity: str
    provider: str | None
    skills: tuple[str, ...]
    notes: str | None
    aliases: tuple[str, ...]
    steps: tuple[Step, ...]
    position: int


@dataclass(frozen=True)
class Skill:
    skill_id: str
    label: str


@dataclass(frozen=True)
class Defaults:
    timezone: str = DEFAULT_TIMEZONE
    valid_from: dt.date = DEFAULT_VALID_FROM
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS
    statuses: tuple[str, ...] = ()
    max_days_in_step: int = DEFAULT_MAX_DAYS_IN_STEP
    learner: str = DEFAULT_LEARNER


@dataclass(frozen=True)
class Spec:
    path: Path
    version: int
    defaults: Defaults
    skills: tuple[Skill, ...]
    funnels: tuple[Funnel, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def steps(self):
        return [(funnel, step) for funnel in self.funnels for step in funnel.steps]


def normalise_id(value: str) -> str:
    """Return the form ids and status words are compared in, the same as the SQL models use."""
    return value.strip().lower()


class _Checker:
    """Collects every problem in the spec with its key path and line, so all show at once."""

    def __init__(self):
        self.errors: list[tuple[int, str]] = []
        self.warnings: list[str] = []

    def error(self, line: int, path: str, message: str):
        self.errors.append((line, f"{path}: {message}"))

    def warn(self, line: int, path: str, message: str):
        prefix = f"line {line}: " if line else ""
        self.warnings.append(f"{prefix}{path}: {message}")

    def child_line(self, parent, key) -> int:
        if isinstance(parent, Mapping):
            return parent.key_lines.get(key, parent.line)
        if isinstance(parent, Sequence) and isinstance(key, int) and key < len(parent.item_lines):
            return parent.item_lines[key]
        return getattr(parent, "line", 0)

    def mapping(self, value, line, path, allowed) -> Mapping | None:
        if not isinstance(value, dict):
            self.error(line, path, f"must be a mapping, not {_yaml_type(value)}")
            return None
        unknown = sorted(set(value) - allowed)
        if unknown:
            self.warn(line, path, f"unknown key{'s' if len(unknown) > 1 else ''} "
                      f"{', '.join(unknown)} ignored (known: {', '.join(sorted(allowed))})")
        return value

    def sequence(self, parent, key, path, required=False) -> list:
        value = parent.get(key)
        line = self.child_line(parent, key)
        if value is None:
            if required:
                self.error(line, path, "missing; expected a list")
            return Sequence()
        if not isinstance(value, list):
            self.error(line, path, f"must be a list, not {_yaml_type(value)}")
            return Sequence()
        return value

    def text(self, parent, key, path, required=False, default=None):
        value = parent.get(key) if isinstance(parent, dict) else parent[key]
        line = self.child_line(parent, key)
        if value is None:
            if required:
                self.error(line, path, "missing; expected a non-empty string")
            return default
        if not isinstance(value, str):
            self.error(line, path, f"must be a string, not {_yaml_type(value)}")
            return default
        value = value.strip()
        if required and not value:
            self.error(line, path, "is empty; expected a non-empty string")
            return default
        return value

    def integer(self, parent, key, path, default, minimum=0):
        value = parent.get(key)
        if value is None:
            return default
        line = self.child_line(parent, key)
        try:
            number = int(str(value).strip())
        except ValueError:
            self.error(line, path, f"must be a whole number, not {value!r}")
            return default
        if number < minimum:
            self.error(line, path, f"must be at least {minimum}, not {number}")
            return default
        return number


def _yaml_type(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"{type(value).__name__} {value!r}"


def load_spec(path: Path, display: str | None = None) -> Spec:
    """Read, validate and return the spec; raise SpecError listing every problem."""
    display = display or str(path)
    if not path.is_file():
        raise SpecError(["funnel spec not found; pass --funnel-spec PATH or run the command inside a project"], display)
    document = read_yaml(path, display)
    check = _Checker()
    spec = _validate(document, path, check)
    if check.errors:
        ordered = sorted(check.errors, key=lambda error: error[0])
        problems = [f"line {line}: {message}" if line else message for line, message in ordered]
        raise SpecError(problems, display)
    return spec


def _validate(document, path: Path, check: _Checker) -> Spec | None:
    top = check.mapping(document, 1, "(top level)", TOP_KEYS)
    if top is None:
        return None
    version = check.integer(top, "version", "version", default=None, minimum=1)
    if "version" not in top:
        check.error(1, "version", "missing; this tool reads version 1")
    elif version is not None and version != 1:
        check.error(check.child_line(top, "version"), "version", f"is {version}; this tool reads version 1")

    defaults = _validate_defaults(top, check)
    skills = _validate_skills(top, check)
    funnels = _validate_funnels(top, check, {normalise_id(skill.skill_id) for skill in skills})
    _check_unique_keys(top, funnels, check)
    return Spec(path, 1, defaults, tuple(skills), tuple(funnels), tuple(check.warnings))


def _validate_defaults(top, check) -> Defaults:
    if top.get("defaults") is None:
        return Defaults()
    section = check.mapping(top["defaults"], check.child_line(top, "defaults"), "defaults", DEFAULTS_KEYS)
    if section is None:
        return Defaults()
    timezone = check.text(section, "timezone", "defaults.timezone", default=DEFAULT_TIMEZONE)
    if timezone and not is_timezone(timezone):
        check.error(check.child_line(section, "timezone"), "defaults.timezone",
                    f"unknown time zone {timezone!r}; use an IANA name such as UTC or Europe/Paris")
        timezone = DEFAULT_TIMEZONE
    valid_from = DEFAULT_VALID_FROM
    raw_valid_from = check.text(section, "valid_from", "defaults.valid_from")
    if raw_valid_from:
        try:
            valid_from = dt.date.fromisoformat(raw_valid_from)
        except ValueError:
            check.error(check.child_line(section, "valid_from"), "defaults.valid_from",
                        f"{raw_valid_from!r} is not a date; write YYYY-MM-DD")
    statuses = []
    for index, _ in enumerate(check.sequence(section, "statuses", "defaults.statuses")):
        word = check.text(section["statuses"], index, f"defaults.statuses[{index}]", required=True)
        if word:
            statuses.append(word)
    sla_days = DEFAULT_MAX_DAYS_IN_STEP
    if section.get("sla") is not None:
        sla = check.mapping(section["sla"], check.child_line(section, "sla"), "defaults.sla", SLA_KEYS)
        if sla is not None:
            sla_days = check.integer(sla, "max_days_in_step", "defaults.sla.max_days_in_step",
                                     DEFAULT_MAX_DAYS_IN_STEP, minimum=1)
    return Defaults(
        timezone=timezone,
        valid_from=valid_from,
        stale_after_days=check.integer(section, "stale_after_days", "defaults.stale_after_days",
                                       DEFAULT_STALE_AFTER_DAYS),
        statuses=tuple(statuses),
        max_days_in_step=sla_days,
        learner=check.text(section, "learner", "defaults.learner", default=DEFAULT_LEARNER) or DEFAULT_LEARNER,
    )


def is_timezone(name: str) -> bool:
    if name.upper() == "UTC":
        return True
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(name)
        return True
    # ZoneInfoNotFoundError is a KeyError; a malformed name such as '../x' raises ValueError.
    except (ImportError, ValueError, OSError, KeyError):
        return False


def _validate_skills(top, check) -> list[Skill]:
    skills = []
    items = check.sequence(top, "skills", "skills")
    for index, item in enumerate(items):
        path = f"skills[{index}]"
        entry = check.mapping(item, check.child_line(items, index), path, SKILL_KEYS)
        if entry is None:
            continue
        skill_id = check.text(entry, "id", f"{path}.id", required=True)
        label = check.text(entry, "label", f"{path}.label", default=skill_id)
        if skill_id:
            skills.append(Skill(skill_id, label or skill_id))
    return skills


def _validate_funnels(top, check, skill_keys) -> list[Funnel]:
    funnels = []
    items = check.sequence(top, "funnels", "funnels", required=True)
    for index, item in enumerate(items):
        path = f"funnels[{index}]"
        entry = check.mapping(item, check.child_line(items, index), path, FUNNEL_KEYS)
        if entry is None:
            continue
        training_id = check.text(entry, "id", f"{path}.id", required=True)
        skills = _validate_skill_refs(entry, path, check, skill_keys)
        steps = _validate_steps(entry, path, check)
        if "steps" in entry and not steps and isinstance(entry.get("steps"), list):
            check.warn(check.child_line(entry, "steps"), f"{path}.steps",
                       f"training {training_id!r} has no steps; it counts 100% only when its training flag is true")
        if training_id is None:
            continue
        funnels.append(Funnel(
            training_id=training_id,
            label=check.text(entry, "label", f"{path}.label", default=training_id) or training_id,
            entity=check.text(entry, "entity", f"{path}.entity", default="training") or "training",
            provider=check.text(entry, "provider", f"{path}.provider"),
            skills=tuple(skills),
            notes=check.text(entry, "notes", f"{path}.notes"),
            aliases=tuple(_validate_aliases(entry, path, check)),
            steps=tuple(steps),
            position=index + 1,
        ))
    return funnels


def _validate_skill_refs(entry, path, check, skill_keys) -> list[str]:
    refs = []
    items = check.sequence(entry, "skills", f"{path}.skills")
    for index, _ in enumerate(items):
        ref = check.text(items, index, f"{path}.skills[{index}]", required=True)
        if ref is None:
            continue
        if normalise_id(ref) not in skill_keys:
            check.error(check.child_line(items, index), f"{path}.skills[{index}]",
                        f"unknown skill {ref!r}; add it under skills: or fix the reference")
        refs.append(ref)
    return refs


def _validate_steps(entry, path, check) -> list[Step]:
    steps = []
    items = check.sequence(entry, "steps", f"{path}.steps")
    for index, item in enumerate(items):
        step_path = f"{path}.steps[{index}]"
        step = check.mapping(item, check.child_line(items, index), step_path, STEP_KEYS)
        if step is None:
            continue
        step_id = check.text(step, "id", f"{step_path}.id", required=True)
        label = check.text(step, "label", f"{step_path}.label", default=step_id)
        aliases = _validate_aliases(step, step_path, check)
        if step_id:
            steps.append(Step(step_id, label or step_id, tuple(aliases), len(steps) + 1))
    return steps


def _validate_aliases(entry, path, check) -> list[str]:
    aliases = []
    items = check.sequence(entry, "aliases", f"{path}.aliases")
    for index, _ in enumerate(items):
        alias = check.text(items, index, f"{path}.aliases[{index}]", required=True)
        if alias:
            aliases.append(alias)
    return aliases


def _check_unique_keys(top, funnels, check):
    """Ids and aliases are matched trimmed and case-insensitively, so they must be unique that way."""
    skill_owner = {}
    for index, item in enumerate(top.get("skills") or []):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            key = normalise_id(item["id"])
            if key in skill_owner:
                check.error(check.child_line(item, "id"), f"skills[{index}].id",
                            f"duplicate skill id {item['id']!r} (also {skill_owner[key]})")
            skill_owner.setdefault(key, f"skills[{index}]")

    funnel_items = top.get("funnels") if isinstance(top.get("funnels"), list) else []
    training_keys: dict[str, str] = {}
    step_keys: dict[str, str] = {}
    for index, item in enumerate(funnel_items):
        if not isinstance(item, dict):
            continue
        path = f"funnels[{index}]"
        _claim(check, training_keys, item, "id", path, "training id")
        for alias_index, _ in enumerate(item.get("aliases") or []):
            _claim(check, training_keys, item["aliases"], alias_index, f"{path}.aliases[{alias_index}]",
                   "training alias", owner=item.get("id"))
        steps = item.get("steps") if isinstance(item.get("steps"), list) else []
        for step_index, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            step_path = f"{path}.steps[{step_index}]"
            _claim(check, step_keys, step, "id", step_path, "step id")
            for alias_index, _ in enumerate(step.get("aliases") or []):
                _claim(check, step_keys, step["aliases"], alias_index, f"{step_path}.aliases[{alias_index}]",
                       "step alias", owner=step.get("id"))


def _claim(check, claimed, parent, key, path, what, owner=None):
    """Record that `path` uses an id or alias; report it when another id already uses it."""
    try:
        value = parent[key]
    except (KeyError, IndexError, TypeError):
        return
    if not isinstance(value, str) or not value.strip():
        return
    normalised = normalise_id(value)
    previous = claimed.get(normalised)
    if previous is None:
        claimed[normalised] = (path, owner if owner is not None else value)
        return
    previous_path, previous_owner = previous
    if owner is not None and isinstance(owner, str) and normalise_id(owner) == normalise_id(previous_owner):
        return  # the same id listed twice as its own alias: harmless
    where = f"{path}.{key}" if isinstance(key, str) else path
    same_text = normalise_id(previous_owner) == normalised
    check.error(check.child_line(parent, key), where,
                f"duplicate {what} {value.strip()!r}: already used by {previous_path}"
                + ("" if same_text else f" ({previous_owner})"))
