"""Read the funnel spec's YAML: plain scalars stay text, duplicate keys and tabs are errors.

YAML 1.1 would turn the skill id `NO` into false, `010` into 8 and `1e3` into 1000.0, so
every plain scalar but null is read as a string; spec.py converts numbers and dates where
the schema expects them. PyYAML keeps the last of two equal keys silently, so a second
`steps:` would drop the first list of steps: duplicate keys are found before construction.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import SpecError

try:  # libyaml's parser is several times faster; the pure-Python one behaves the same.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader

MAX_SPEC_BYTES = 10 * 1024 * 1024
NULL_TAG = "tag:yaml.org,2002:null"


class Mapping(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    line = 0
    key_lines: dict


class Sequence(list):
    """A YAML sequence that remembers its own line and the line of each item (1-based)."""

    line = 0
    item_lines: list


class SpecLoader(_BaseLoader):
    """Safe loader that reads every plain scalar but null as text and records each node's line."""


SpecLoader.yaml_implicit_resolvers = {
    first_char: [(tag, regexp) for tag, regexp in resolvers if tag == NULL_TAG]
    for first_char, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader, node):
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    yield mapping
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"mapping key {key!r} is not a string", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1


def _construct_sequence(loader, node):
    sequence = Sequence()
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield sequence
    sequence.extend(loader.construct_object(item, deep=True) for item in node.value)


SpecLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
SpecLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def read_yaml(path: Path, display: str):
    """Parse the spec file, turning every YAML problem into a one-line SpecError."""
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise SpecError(
                [f"file is {size / 1048576:.1f} MB; a funnel spec may be at most {MAX_SPEC_BYTES // 1048576} MB"],
                display,
            )
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = err.object.count(b"\n", 0, err.start) + 1
        raise SpecError([f"line {line}: not UTF-8 (byte 0x{err.object[err.start]:02X}); save the file as UTF-8"],
                        display) from err
    except OSError as err:
        raise SpecError([f"cannot read file ({err.strerror})"], display) from err
    try:
        loader = SpecLoader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                raise SpecError(["empty file; a funnel spec needs at least version: 1 and funnels:"], display)
            duplicate = _find_duplicate_key(root)
            if duplicate:
                raise SpecError([duplicate], display)
            return loader.construct_document(root)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        raise SpecError([_describe_yaml_error(err)], display) from err
    except yaml.reader.ReaderError as err:
        # A control character such as form feed: PyYAML reports a character offset, not a line.
        line = text.count("\n", 0, err.position) + 1
        raise SpecError([f"line {line}: character U+{err.character:04X} is not allowed in YAML; remove it"],
                        display) from err
    except (yaml.YAMLError, RecursionError) as err:
        detail = " ".join(str(err).split())
        raise SpecError([f"invalid YAML ({detail})"], display) from err


def _find_duplicate_key(root) -> str | None:
    """Return a message for the first mapping key given twice, with its key path and both lines.

    PyYAML keeps the last of two equal keys without a word, so a second `steps:` in a funnel
    would silently replace the first list. Aliased nodes are visited once, so loops end.
    """
    pending = [(root, "")]
    visited = set()
    while pending:
        node, path = pending.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_lines = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                line = key_node.start_mark.line + 1
                if key == "<<":
                    return f"line {line}: merge keys (<<) are not supported; write the keys out"
                if key is None:
                    continue
                if key in first_lines:
                    where = f" in {path}" if path else ""
                    return f"line {line}: duplicate key '{key}'{where} (first at line {first_lines[key]})"
                first_lines[key] = line
                pending.append((value_node, f"{path}.{key}" if path else key))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((item, f"{path}[{index}]") for index, item in enumerate(node.value))
    return None


def _describe_yaml_error(err) -> str:
    mark = err.problem_mark or err.context_mark
    where = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
    problem = (err.problem or err.context or "invalid YAML").strip()
    if "tab" in problem and ("'\\t'" in problem or "tab character" in problem):
        return f"{where}tab character used for indentation; indent with spaces"
    message = f"{where}invalid YAML: {problem}"
    if err.context and err.problem and err.context_mark and err.context_mark is not mark:
        message += f" ({err.context} at line {err.context_mark.line + 1})"
    return message
