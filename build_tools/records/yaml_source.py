"""Read one YAML file safely, keeping the line of every value.

PyYAML's loaders either construct arbitrary objects or lose line numbers and silently keep the
last of two duplicate keys; their composers also recurse once per level of nesting. We build plain
values straight from the parser's events, in a loop with a bounded stack, so every problem can
name its line and field, and unsafe or surprising YAML is refused, never constructed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard, cast

import yaml
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from build_tools.core.errors import Code, Problem, YamlProblem
from build_tools.core.text_rules import (
    RAW_FORBIDDEN,
    VALUE_FORBIDDEN,
    describe_character,
    printable,
)

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_KEY = 100
PLAIN_VALUES = "plain YAML only: text, numbers, true/false, dates, lists and mappings"
QUOTE_COLON = "put the value in quotes: a colon followed by a space starts a new field"

FieldPath = tuple[str | int, ...]


def field_name(path: FieldPath) -> str:
    """A field's path as problems name it: `citation.authors`, `themes[2].parent`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


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


class _PyParser(Reader, Scanner, Parser):
    """PyYAML's pure-Python parser: slower than libyaml, but its messages name the problem."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


if yaml.__with_libyaml__:
    from yaml._yaml import CParser as _CComposer
else:  # pragma: no cover - libyaml is part of the PyYAML wheels
    _CComposer = None  # type: ignore[assignment,misc]

_CONSTRUCTOR = SafeConstructor()
_RESOLVER = _CoreResolver()
_STR = "tag:yaml.org,2002:str"


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


def is_mapping_file(document: YamlDocument | None) -> TypeGuard[YamlDocument]:
    """Whether a file was read and holds a mapping, the only shape rows and checks are taken
    from (when not, the file's own problem says why; checks of its parts say nothing)."""
    return document is not None and isinstance(document.data, dict)


def read_yaml_file(path: Path, display_path: str) -> YamlDocument:
    """Read and parse a file; raises YamlProblem naming file, line and what to do."""
    return parse_yaml(read_yaml_bytes(path, display_path), display_path)


def read_yaml_bytes(path: Path, display_path: str) -> bytes:
    """A YAML file's bytes, at most MAX_FILE_BYTES; raises YamlProblem if it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlProblem(Problem(display_path, 1, "(file)", f"file is {size:,} bytes",
                                      f"at most {MAX_FILE_BYTES:,} bytes (1 MiB) per file",
                                      code=Code.FILE_TOO_LARGE))
        raw = path.read_bytes()
    except OSError as error:
        raise YamlProblem(Problem(display_path, 1, "(file)",
                                  f"cannot be read: {error.strerror or error}",
                                  "a readable plain file", code=Code.UNREADABLE_FILE)) from None
    return raw


def parse_yaml(raw: bytes, display_path: str) -> YamlDocument:
    """Parse bytes as one UTF-8 YAML document of plain values."""
    text = _decode(raw, display_path)
    _refuse_tab_indentation(text, display_path)
    if RAW_FORBIDDEN.search(text):
        raise YamlProblem(*_locate_characters(text, display_path))
    builder = _Builder(display_path)
    if _CComposer is not None:
        fast = _CComposer(text)
        try:
            data = builder.build(_events(fast))
        except yaml.YAMLError:
            builder = _Builder(display_path)  # start again for the pure-Python parser's message
        else:
            return YamlDocument(display_path, data, builder.lines)
        finally:
            fast.dispose()
    parser = _PyParser(text)
    try:
        data = builder.build(_events(parser))
    except yaml.MarkedYAMLError as error:
        raise YamlProblem(_syntax_problem(error, builder, text, display_path)) from None
    finally:
        parser.dispose()
    return YamlDocument(display_path, data, builder.lines)


def _start(event: Event) -> Mark:
    """Where an event starts: every parser event has a mark (libyaml's has the same fields)."""
    assert event.start_mark is not None
    return cast(Mark, event.start_mark)


def _end(event: Event) -> Mark:
    assert event.end_mark is not None
    return cast(Mark, event.end_mark)


def _events(parser: Any) -> Iterator[Event]:
    while True:
        event = parser.get_event()
        if event is None:
            return
        yield event
        if isinstance(event, StreamEndEvent):
            return


def _syntax_problem(error: yaml.MarkedYAMLError, builder: _Builder, text: str,
                    display_path: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    what = " ".join(filter(None, [error.context, error.problem]))
    if error.problem and error.problem.startswith("mapping values are not allowed"):
        path = builder.where()
        top = builder.stack[-1] if builder.stack else None
        if top is not None and isinstance(top.value, dict) and top.key is None:
            key = _key_above(text.split("\n"), line, top.column)
            path = (*top.path, key) if key else path
        return Problem(display_path, line, _display_field(path) or "(file)",
                       f"not valid YAML: {what}", QUOTE_COLON, code=Code.YAML_SYNTAX)
    return Problem(display_path, line, "(file)", f"not valid YAML: {what}", PLAIN_VALUES,
                   code=Code.YAML_SYNTAX)


_KEY_LINE = re.compile(r"""^((?:\s*-\s+)*\s*)([^\s#'"][^#]*?|"[^"]*"|'[^']*'):(?:\s|$)""")


def _key_above(lines: list[str], line: int, column: int) -> str | None:
    """The key, at the mapping's column, whose value holds line `line` (the parser looks ahead,
    so the key of a value with a stray `: ` has not been reported yet when the error comes)."""
    for text in reversed(lines[:line]):
        match = _KEY_LINE.match(text)
        if match and len(match.group(1)) == column:
            return match.group(2).strip("'\"")
        indent = len(text) - len(text.lstrip(" -"))
        if text.strip() and not text.lstrip().startswith("#") and indent < column:
            return None
    return None


@dataclass
class _Frame:
    """A list or mapping being filled, and the key whose value comes next (mappings only)."""

    value: list[Any] | dict[str, Any]
    path: FieldPath
    column: int = 0
    key: str | None = None
    key_line: int = 0


class _Builder:
    """Plain values from a stream of parser events, with the line of every value."""

    def __init__(self, display_path: str) -> None:
        self.display_path = display_path
        self.lines: dict[FieldPath, int] = {}
        self.stack: list[_Frame] = []

    def where(self) -> FieldPath:
        """The path of the value the parser is working on."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return (*top.path, len(top.value))
        return (*top.path, top.key) if top.key is not None else top.path

    def problem(self, line: int, path: FieldPath, message: str, allowed: str,
                code: Code) -> YamlProblem:
        return YamlProblem(Problem(self.display_path, line, _display_field(path) or "(file)",
                                   message, allowed, code=code))

    def build(self, events: Iterator[Event]) -> Any:
        root: list[Any] = []
        documents = 0
        for event in events:
            line = _start(event).line + 1
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self.problem(line, (), "not valid YAML: more than one document "
                                       "(a line `---` starts a second one)",
                                       "one document per file", Code.YAML_SYNTAX)
            elif isinstance(event, AliasEvent):
                raise self.problem(line, self.where(), f"alias *{event.anchor} is not allowed",
                                   "write each value out in full; anchors and aliases are refused",
                                   Code.YAML_ALIAS)
            elif isinstance(event, ScalarEvent):
                self.scalar(event, line, root)
            elif isinstance(event, CollectionStartEvent):
                self.start(event, line)
            elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                frame = self.stack.pop()
                self.place(frame.value, root)
        if not root:
            raise YamlProblem(Problem(self.display_path, 1, "(file)", "file is empty",
                                      "a YAML mapping of fields", code=Code.EMPTY_FILE))
        return root[0]

    def scalar(self, event: ScalarEvent, line: int, root: list[Any]) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _RESOLVER.resolve(ScalarNode, event.value, event.implicit)
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.value, dict) and top.key is None:
            self.key(event.value, tag, line, top, event.style)
            return
        path = self.where()
        node = ScalarNode(tag, event.value, _start(event), _end(event), event.style)
        self.lines[path] = line
        self.place(_scalar(node, path, self.display_path), root)

    def key(self, name: str, tag: str, line: int, frame: _Frame, style: str | None) -> None:
        where = frame.path
        if tag != _STR:
            shown = repr(name)[:40] if tag != "tag:yaml.org,2002:null" else "(empty)"
            raise self.problem(line, where, f"key {shown} is not a name", "field names are text",
                               Code.BAD_KEY)
        if style == '"':
            _refuse_characters(name, line, (*where, name), self.display_path, "field name ")
        if len(name) > MAX_KEY or "\n" in name or "\t" in name:
            raise self.problem(line, where, f"field name {name[:40]!r} is not a name",
                               f"a name on one line, of at most {MAX_KEY} characters",
                               Code.BAD_KEY)
        if name == "<<":
            raise self.problem(line, where, "merge key << is not allowed", PLAIN_VALUES,
                               Code.YAML_TAG)
        if name in frame.value:
            first = self.lines[(*where, name)]
            raise self.problem(line, (*where, name),
                               f"appears twice in one mapping (first on line {first})",
                               "each field once", Code.DUPLICATE_KEY)
        frame.key, frame.key_line = name, line

    def start(self, event: CollectionStartEvent, line: int) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.value, dict) and top.key is None:
            kind = "a list" if not isinstance(event, MappingStartEvent) else "a mapping"
            raise self.problem(line, top.path, f"key {kind} is not a name",
                               "field names are text", Code.BAD_KEY)
        mapping = isinstance(event, MappingStartEvent)
        tag = event.tag
        if tag is None or tag == "!":
            tag = _RESOLVER.resolve(MappingNode if mapping else SequenceNode, None,
                                    event.implicit)
        path = self.where()
        if tag != ("tag:yaml.org,2002:map" if mapping else "tag:yaml.org,2002:seq"):
            raise self.problem(line, path, f"tag {_tag_name(tag)} is not allowed", PLAIN_VALUES,
                               Code.YAML_TAG)
        if len(self.stack) >= MAX_DEPTH:
            shown = (*path[:4], "…") if len(path) > 4 else path
            raise self.problem(line, shown, f"is nested more than {MAX_DEPTH} levels deep",
                               "records need only a few levels; check the indentation",
                               Code.TOO_DEEP)
        self.lines[path] = line
        self.stack.append(_Frame({} if mapping else [], path, _start(event).column))

    def place(self, value: Any, root: list[Any]) -> None:
        if not self.stack:
            root.append(value)
            return
        top = self.stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
            return
        assert top.key is not None
        top.value[top.key] = value
        self.lines[(*top.path, top.key)] = top.key_line
        top.key = None


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
                code=Code.NOT_UTF8,
            )
        ) from None
    if raw.count(0) * 4 >= len(raw) > 0:  # ASCII text in UTF-16 or UTF-32 is valid UTF-8
        raise YamlProblem(Problem(display_path, 1, "(file)",
                                  "looks like UTF-16 or UTF-32 text (every other byte is 0)",
                                  "save the file as UTF-8", code=Code.NOT_UTF8))
    return text.removeprefix("\ufeff")


def _refuse_tab_indentation(text: str, display_path: str) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            raise YamlProblem(
                Problem(
                    display_path,
                    number,
                    "(file)",
                    "tab character in indentation",
                    "indent with spaces; YAML does not allow tabs there",
                    code=Code.TAB_INDENTATION,
                )
            )


def _locate_characters(text: str, display_path: str) -> list[Problem]:
    """One problem per line and field holding a refused character.

    The field is found by parsing a copy in which the refused characters are blanked; a
    character outside any value (in a comment, or where the copy does not parse) is located by
    its line alone.
    """
    attempts = []
    # A letter keeps `title: \x1b[31m` a plain text; where that breaks the YAML, a space.
    for blank in ("x", " "):
        spans: list[tuple[int, int, FieldPath]] = []
        attempts.append(spans)
        try:
            _collect_spans(_PyParser(RAW_FORBIDDEN.sub(blank, text)), text, spans)
            break
        except (yaml.YAMLError, YamlProblem):
            continue
    spans = attempts[-1] if len(attempts[-1]) >= len(attempts[0]) else attempts[0]
    problems: dict[tuple[int, str], Problem] = {}
    for match in RAW_FORBIDDEN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        name = next((_display_field(path) for start, end, path in spans
                     if start <= match.start() < end), "") or "(file)"
        message, allowed = describe_character(match.group())
        problems.setdefault((line, name), Problem(display_path, line, name, message, allowed,
                                                     code=Code.CONTROL_CHARACTER))
    return list(problems.values())


def _collect_spans(parser: _PyParser, text: str, spans: list[tuple[int, int, FieldPath]]) -> None:
    """(start, end, field) of every scalar of the blanked copy, keys included; a key is named
    as the original text spells it."""
    builder = _Builder("")
    original = builder.scalar

    def scalar(event: ScalarEvent, line: int, root: list[Any]) -> None:
        top = builder.stack[-1] if builder.stack else None
        start, end = _start(event).index, _end(event).index
        path = builder.where()
        if top is not None and isinstance(top.value, dict) and top.key is None:
            path = (*top.path, text[start:end].strip("'\""))
        spans.append((start, end, path))
        original(event, line, root)

    builder.scalar = scalar  # type: ignore[method-assign]
    try:
        builder.build(_events(parser))
    finally:
        parser.dispose()


def _refuse_characters(text: str, line: int, path: FieldPath, display_path: str,
                       what: str = "") -> None:
    """Escapes (`"\\f"`, `"\\ud800"`) make the same characters a raw file may not hold."""
    if text.isascii() and text.isprintable():
        return  # in C, and most values: printable ASCII holds no refused character
    match = VALUE_FORBIDDEN.search(text)
    if match:
        message, allowed = describe_character(match.group())
        raise YamlProblem(Problem(display_path, line, _display_field(path) or "(file)",
                                  what + message, allowed, code=Code.CONTROL_CHARACTER))


def _timestamp(node: ScalarNode) -> Any:
    """PyYAML's date or date-time; text that is neither (possible only after an explicit
    `!!timestamp`) is a ValueError here, where PyYAML would fail on a missing match."""
    if not SafeConstructor.timestamp_regexp.match(node.value):
        raise ValueError("not a date (YYYY-MM-DD) or date and time")
    return _CONSTRUCTOR.construct_yaml_timestamp(node)


_CONSTRUCTORS: dict[str, Callable[[ScalarNode], Any]] = {
    "int": lambda n: _core_int(n.value),
    "float": _CONSTRUCTOR.construct_yaml_float,
    "bool": _CONSTRUCTOR.construct_yaml_bool,
    "null": _CONSTRUCTOR.construct_yaml_null,
    "timestamp": _timestamp,
}



def _scalar(node: ScalarNode, path: FieldPath, display_path: str) -> Any:
    line = node.start_mark.line + 1
    if node.tag == _STR:
        # The raw text was checked already: only a double-quoted escape can add a character.
        if node.style == '"':
            _refuse_characters(node.value, line, path, display_path)
        return node.value
    tag = node.tag.removeprefix("tag:yaml.org,2002:")
    if tag not in _CONSTRUCTORS:
        raise YamlProblem(Problem(display_path, line, _display_field(path) or "(file)",
                                  f"tag {_tag_name(node.tag)} is not allowed", PLAIN_VALUES,
                                  code=Code.YAML_TAG))
    try:
        value = _CONSTRUCTORS[tag](node)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
            raise ValueError("too large for a number; put it in quotes to keep it as text")
    except (ValueError, OverflowError, LookupError, yaml.YAMLError) as error:
        # PyYAML's constructors fail on a LookupError when an explicit tag (`!!bool maybe`,
        # `!!float ""`) gives them text outside their pattern
        detail = f"not a {tag}" if isinstance(error, LookupError) else str(error)[:80]
        raise YamlProblem(
            Problem(display_path, line, _display_field(path) or "(file)",
                    f"cannot read {node.value[:40]!r} as {tag}: {detail}", PLAIN_VALUES,
                    code=Code.UNREADABLE_VALUE)
        ) from None
    return value


def _core_int(value: str) -> int:
    """YAML 1.2 integers: `010` is ten, not the YAML 1.1 octal eight."""
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value, 10)


def _tag_name(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _display_field(path: FieldPath) -> str:
    """`contributions[0].subtheme` for ('contributions', 0, 'subtheme'); a refused character in
    a name is shown as its escape, so a message never carries it to the terminal."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = printable(part)
            text += f".{name}" if text and name != "…" else name
    return text
