"""Read one YAML file safely, keeping the line of every value.

PyYAML's loaders either construct arbitrary objects or lose line numbers and silently keep the
last of two duplicate keys. We compose the node graph ourselves and build plain values from it,
so every problem can name its line, and unsafe or surprising YAML is refused, never constructed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from build_tools.errors import Problem

MAX_FILE_BYTES = 1024 * 1024
PLAIN_VALUES = "plain YAML only: text, numbers, true/false, dates, lists and mappings"

FieldPath = tuple[str | int, ...]


class YamlProblem(Exception):
    """Raised inside the loader; carries the located problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _CoreResolver(BaseResolver):
    """YAML 1.2 core scalars (plus ISO dates): `yes`, `no`, `on`, `1:20` and `010` stay text."""


for _tag, _pattern, _first in [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("timestamp", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "0123456789"),
]:
    _CoreResolver.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first)
    )


class _Loader(Reader, Scanner, Parser, Composer, SafeConstructor, _CoreResolver):
    """Composes nodes only; aliases are refused before they can be expanded (alias bombs)."""

    def __init__(self, stream: str, display_path: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        _CoreResolver.__init__(self)
        self.display_path = display_path
        self.path: list[str | int] = []

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        step = index.value if isinstance(index, ScalarNode) else index
        if parent is not None and isinstance(step, (str, int)):
            self.path.append(step)
        try:
            return self._compose_node_refusing_aliases(parent, index)
        finally:
            if parent is not None and isinstance(step, (str, int)):
                self.path.pop()

    def _compose_node_refusing_aliases(self, parent: Node | None, index: object) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise YamlProblem(
                Problem(
                    self.display_path,
                    event.start_mark.line + 1,
                    _display_field(tuple(self.path)) or "(file)",
                    f"alias *{event.anchor} is not allowed",
                    "write each value out in full; anchors and aliases are refused",
                )
            )
        return super().compose_node(parent, index)


if yaml.__with_libyaml__:

    from yaml._yaml import CParser

    class _CComposer(CParser, _CoreResolver):  # type: ignore[misc]
        """libyaml's parser and composer with our core-schema resolver."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CoreResolver.__init__(self)
else:
    _CComposer = None  # type: ignore[assignment,misc]

_CONSTRUCTOR = SafeConstructor()


@dataclass(frozen=True)
class YamlDocument:
    """A file's plain data plus the line where each value (by its path) starts."""

    path: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int:
        """The line of a value, or of its nearest parent that is present."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def read_yaml_file(path: Path, display_path: str) -> YamlDocument:
    """Read and parse a file; raises YamlProblem naming file, line and what to do."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise YamlProblem(
            Problem(
                display_path,
                1,
                "(file)",
                f"file is {size:,} bytes",
                f"at most {MAX_FILE_BYTES:,} bytes (1 MiB) per file",
            )
        )
    return parse_yaml(path.read_bytes(), display_path)


def parse_yaml(raw: bytes, display_path: str) -> YamlDocument:
    """Parse bytes as one UTF-8 YAML document of plain values."""
    text = _decode(raw, display_path)
    _refuse_tab_indentation(text, display_path)
    node = _compose_with_libyaml(text)
    if node is None:
        node = _compose(text, display_path)
    if node is None:
        raise YamlProblem(
            Problem(display_path, 1, "(file)", "file is empty", "a YAML mapping of fields")
        )
    lines: dict[FieldPath, int] = {}
    data = _build(node, (), lines, _CONSTRUCTOR, display_path)
    return YamlDocument(display_path, data, lines)


def _compose_with_libyaml(text: str) -> Node | None:
    """The node graph from libyaml's C parser, ten times faster than the Python one.

    Returns None (and the Python composer takes over, with its located messages) when libyaml
    is missing, the text is not valid YAML, is empty, or uses an alias: libyaml resolves an
    alias to the anchored node itself, so a node met twice on the walk means an alias.
    """
    if _CComposer is None:
        return None
    loader = _CComposer(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return node if node is not None and not _has_alias(node) else None


def _has_alias(root: Node) -> bool:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack += (key, value)
    return False


def _compose(text: str, display_path: str) -> Node | None:
    """The pure-Python composer, which refuses aliases and locates every syntax error."""
    loader = _Loader(text, display_path)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(filter(None, [error.context, error.problem]))
        raise YamlProblem(
            Problem(display_path, line, "(file)", f"not valid YAML: {what}", PLAIN_VALUES)
        ) from None
    finally:
        loader.dispose()
    return node


def _decode(raw: bytes, display_path: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise YamlProblem(
            Problem(
                display_path,
                line,
                "(file)",
                f"byte 0x{raw[error.start]:02x} is not UTF-8",
                "save the file as UTF-8",
            )
        ) from None
    return text.removeprefix("\ufeff")


def _refuse_tab_indentation(text: str, display_path: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            raise YamlProblem(
                Problem(
                    display_path,
                    number,
                    "(file)",
                    "tab character in indentation",
                    "indent with spaces; YAML does not allow tabs there",
                )
            )


def _build(
    node: Node, path: FieldPath, lines: dict[FieldPath, int], loader: SafeConstructor,
    display_path: str,
) -> Any:
    lines[path] = node.start_mark.line + 1
    field_name = _display_field(path)
    if isinstance(node, ScalarNode):
        return _scalar(node, field_name, loader, display_path)
    if isinstance(node, SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        return [
            _build(item, (*path, index), lines, loader, display_path)
            for index, item in enumerate(node.value)
        ]
    if isinstance(node, MappingNode) and node.tag == "tag:yaml.org,2002:map":
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                raise YamlProblem(
                    Problem(display_path, key_line, field_name or "(file)",
                            f"key {_short(key_node)} is not a name", "field names are text")
                )
            key = key_node.value
            if key == "<<":
                raise YamlProblem(
                    Problem(display_path, key_line, field_name or "(file)",
                            "merge key << is not allowed", PLAIN_VALUES)
                )
            if key in result:
                first = lines[(*path, key)]
                raise YamlProblem(
                    Problem(display_path, key_line, _display_field((*path, key)),
                            f"appears twice in one mapping (first on line {first})",
                            "each field once")
                )
            result[key] = _build(value_node, (*path, key), lines, loader, display_path)
            lines[(*path, key)] = key_line
        return result
    raise YamlProblem(
        Problem(display_path, node.start_mark.line + 1, field_name or "(file)",
                f"tag {_tag_name(node)} is not allowed", PLAIN_VALUES)
    )


def _scalar(
    node: ScalarNode, field_name: str, loader: SafeConstructor, display_path: str
) -> Any:
    tag = node.tag.removeprefix("tag:yaml.org,2002:")
    constructors = {
        "str": loader.construct_yaml_str,
        "int": lambda n: _core_int(n.value),
        "float": loader.construct_yaml_float,
        "bool": loader.construct_yaml_bool,
        "null": loader.construct_yaml_null,
        "timestamp": loader.construct_yaml_timestamp,
    }
    if tag not in constructors:
        raise YamlProblem(
            Problem(display_path, node.start_mark.line + 1, field_name or "(file)",
                    f"tag {_tag_name(node)} is not allowed", PLAIN_VALUES)
        )
    try:
        return constructors[tag](node)
    except (ValueError, yaml.YAMLError) as error:
        raise YamlProblem(
            Problem(display_path, node.start_mark.line + 1, field_name or "(file)",
                    f"cannot read {node.value!r} as {tag}: {error}", PLAIN_VALUES)
        ) from None


def _core_int(value: str) -> int:
    """YAML 1.2 integers: `010` is ten, not the YAML 1.1 octal eight."""
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value, 10)


def _tag_name(node: Node) -> str:
    return node.tag.replace("tag:yaml.org,2002:", "!!")


def _short(node: Node) -> str:
    value = node.value if isinstance(node, ScalarNode) else node.tag
    return repr(value)[:40]


def _display_field(path: FieldPath) -> str:
    """`contributions[0].subtheme` for ('contributions', 0, 'subtheme')."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
