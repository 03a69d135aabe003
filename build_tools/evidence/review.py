"""The review as typed values, built once from the validated review.yaml.

Validation (records/) has already refused unknown keys, wrong kinds of value and bad addresses,
so `build_review` only converts: every block becomes a frozen dataclass, and an optional value
that is absent is an explicit None (or an empty tuple). Pages, formats and versions read these
attributes; none reads the raw YAML again, so a typo in a template is an error
(`StrictUndefined`), not a blank on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from build_tools.core.mdtext import slug
from build_tools.records.yaml_source import YamlDocument


@dataclass(frozen=True)
class Source:
    """An entry of `sources:`: what every fact on the site cites."""

    key: str
    title: str
    url: str | None
    note: str | None


@dataclass(frozen=True)
class Question:
    text: str | None
    source: str | None


@dataclass(frozen=True)
class Protocol:
    registry: str | None
    id: str | None
    url: str | None
    source: str | None


@dataclass(frozen=True)
class SourceReview:
    """The published review the living review starts from."""

    citation: str | None
    doi: str | None
    published_online: str | None
    source: str | None


@dataclass(frozen=True)
class IncludedStudies:
    count: int | None
    source: str | None


@dataclass(frozen=True)
class Living:
    update_schedule: str | None
    last_search: str | None
    last_search_source: str | None
    retirement_plan: str | None


@dataclass(frozen=True)
class Method:
    id: str | None
    title: str | None
    text: str | None
    source: str | None

    @property
    def anchor(self) -> str | None:
        """The section's id on the Methods page (its `id`, when that is safe in a link), so
        other pages can link to it (the reporting checklists do)."""
        try:
            return str(slug(self.id)) if self.id else None
        except ValueError:
            return None


@dataclass(frozen=True)
class Characteristic:
    """A characteristic of the included studies as the source review reports it."""

    id: str | None
    label: str | None
    value: str | int | float | None
    source: str | None


@dataclass(frozen=True)
class KeyFinding:
    text: str | None
    source: str | None


@dataclass(frozen=True)
class AppraisalQuestion:
    number: int
    text: str


@dataclass(frozen=True)
class Judgement:
    """One step of an appraisal tool's scale, in the tool's order, with its colour."""

    value: str
    colour: str
    score: int | None


@dataclass(frozen=True)
class AppraisalTool:
    """The appraisal tool as data: its questions (or domains), its judgement scale and whether
    adding up a total is meaningful (`total`, with each judgement's `score`)."""

    name: str | None
    source: str | None
    noun: str
    total: bool
    scale: tuple[Judgement, ...]
    questions: tuple[AppraisalQuestion, ...]

    def colour(self, value: str) -> str:
        return self._colours.get(value, "grey")

    def score(self, value: str) -> int:
        return self._scores.get(value, 0)

    @cached_property
    def _colours(self) -> dict[str, str]:  # the first judgement of a value counts
        return {j.value: j.colour for j in reversed(self.scale)}

    @cached_property
    def _scores(self) -> dict[str, int]:
        return {j.value: j.score or 0 for j in reversed(self.scale)}


@dataclass(frozen=True)
class SubthemeEntry:
    id: str
    theme: str
    title: str
    summary: str | None
    caveat: str | None
    source: str | None


@dataclass(frozen=True)
class ThemeEntry:
    """A theme; one with a `parent` (another theme's id) sits below it, at any depth."""

    id: str
    title: str
    summary: str | None
    source: str | None
    subthemes: tuple[SubthemeEntry, ...]
    parent: str | None = None


@dataclass(frozen=True)
class SearchRound:
    """A search round; `prisma` holds its PRISMA 2020 counts in the order review.yaml gives them
    (None: given as empty, shown as "not reported")."""

    id: str
    label: str | None
    searched_to: str | None
    databases: tuple[str, ...] | None
    note: str | None
    source: str | None
    prisma: tuple[tuple[str, int | None], ...]

    def count(self, key: str) -> int | None:
        return dict(self.prisma).get(key)


@dataclass(frozen=True)
class FindingEntry:
    """An entry of `findings:`; `judgements` maps every other field (a judgement or its
    explanation) to its value, None when not given."""

    id: str | None
    subtheme: str | None
    theme: str | None
    statement: str | None
    source: str | None
    judgements: tuple[tuple[str, str | None], ...]

    def judgement(self, name: str) -> str | None:
        return dict(self.judgements).get(name)


@dataclass(frozen=True)
class ReviewCitation:
    """The optional `citation:` block: how to cite the living review itself."""

    authors: tuple[str, ...]
    concept_doi: str | None
    version_doi: str | None


@dataclass(frozen=True)
class ItemReporting:
    """review.yaml's word on one guideline item: the rules that report it instead of the
    guideline's (`where`, still evaluated from data; None: the guideline's), and a note."""

    where: tuple[str, ...] | None
    note: str | None


@dataclass(frozen=True)
class Reporting:
    """`reporting:`: the guidelines the site is checked against (ids of shipped guidelines),
    and per-item declarations keyed by item id (`emerge-7`)."""

    guidelines: tuple[str, ...]
    items: Mapping[str, ItemReporting] = field(default_factory=dict)


@dataclass(frozen=True)
class Role:
    """An entry of `roles:`: someone whose words the review quotes (an excerpt's speaker)."""

    id: str
    label: str


@dataclass(frozen=True)
class ArgumentLevel:
    """A row of the line-of-argument model (micro-, meso-, macro-processes), in order."""

    id: str
    label: str


@dataclass(frozen=True)
class ArgumentNode:
    """A concept of the line of argument, on one level, drawing on subthemes and themes."""

    id: str
    label: str
    level: str
    description: str | None
    subthemes: tuple[str, ...]
    themes: tuple[str, ...]


@dataclass(frozen=True)
class ArgumentEdge:
    """How one node bears on another (`from` and `to` in review.yaml), in a few words."""

    source: str
    target: str
    relation: str | None


@dataclass(frozen=True)
class LineOfArgument:
    """`line_of_argument:`: the synthesis' model as levels, nodes and edges, with its source."""

    title: str | None
    summary: str | None
    source: str | None
    levels: tuple[ArgumentLevel, ...]
    nodes: tuple[ArgumentNode, ...]
    edges: tuple[ArgumentEdge, ...]

    def node(self, node_id: str) -> ArgumentNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def level(self, level_id: str) -> ArgumentLevel | None:
        return next((level for level in self.levels if level.id == level_id), None)


@dataclass(frozen=True)
class Wording:
    """How the site names the review and its studies (`wording:`, defaults by `kind`)."""

    review: str
    study: str
    studies: str

    @property
    def Study(self) -> str:
        return self.study[:1].upper() + self.study[1:]

    @property
    def Studies(self) -> str:
        return self.studies[:1].upper() + self.studies[1:]


WORDING_BY_KIND = {
    "qualitative": Wording("living systematic review", "study", "studies"),
    "quantitative": Wording("living systematic review", "study", "studies"),
    "bibliography": Wording("living bibliography", "paper", "papers"),
}
DEFAULT_KIND = "qualitative"


@dataclass(frozen=True)
class Review:
    """review.yaml, typed. `document` is the validated YAML as plain data, kept only for the
    release snapshot (versions.releases), whose format is the YAML's own."""

    title: str
    short_title: str | None
    kind: str
    wording: Wording
    question: Question | None
    protocol: Protocol | None
    source_review: SourceReview | None
    included_studies: IncludedStudies | None
    living: Living | None
    sources: Mapping[str, Source] = field(compare=False)
    methods: tuple[Method, ...]
    search_rounds: tuple[SearchRound, ...]
    reported_characteristics: tuple[Characteristic, ...]
    key_findings: tuple[KeyFinding, ...]
    appraisal_tool: AppraisalTool | None
    themes: tuple[ThemeEntry, ...]
    findings: tuple[FindingEntry, ...]
    citation: ReviewCitation | None
    document: dict[str, Any] = field(compare=False, repr=False)
    reporting: Reporting | None = None
    roles: tuple[Role, ...] = ()  # who may speak in an excerpt (a study's `excerpts`)
    line_of_argument: LineOfArgument | None = None  # None: no line-of-argument page

    @property
    def expected_count(self) -> int | None:
        """How many studies the review includes, as its source reports it."""
        return self.included_studies.count if self.included_studies else None

    def method(self, method_id: str) -> Method | None:
        return next((m for m in self.methods if m.id == method_id), None)

    def role(self, role_id: str) -> Role:
        """The declared role of an excerpt's speaker (validation refuses an undeclared one)."""
        return next((r for r in self.roles if r.id == role_id), Role(role_id, role_id))


def build_review(document: YamlDocument) -> Review:
    """The typed review from review.yaml as loaded (and, for pages, validated): the one place
    that reads the document after validation."""
    return review_from_data(document.data)


def review_from_data(document: Any) -> Review:
    """The typed review from review.yaml's plain data. Safe on data validation has not seen
    (`livingreview docs` reads review.yaml without validating it): what does not fit is None."""
    data = _mapping(document)
    question = _block(data, "question")
    protocol = _block(data, "protocol")
    source_review = _block(data, "source_review")
    included = _block(data, "included_studies")
    living = _block(data, "living")
    tool = _block(data, "appraisal_tool")
    citation = _block(data, "citation")
    kind = str(data.get("kind")) if data.get("kind") in WORDING_BY_KIND else DEFAULT_KIND
    default, words = WORDING_BY_KIND[kind], _block(data, "wording")
    return Review(
        title=_text(data.get("title")) or "",
        short_title=_text(data.get("short_title")),
        kind=kind,
        wording=Wording(*(_text(words.get(name)) or getattr(default, name)
                          for name in ("review", "study", "studies"))),
        question=Question(_text(question.get("text")), _text(question.get("source")))
        if "question" in data and data["question"] is not None else None,
        protocol=Protocol(_text(protocol.get("registry")), _text(protocol.get("id")),
                          _text(protocol.get("url")), _text(protocol.get("source")))
        if protocol else None,
        source_review=SourceReview(_text(source_review.get("citation")),
                                   _text(source_review.get("doi")),
                                   _text(source_review.get("published_online")),
                                   _text(source_review.get("source")))
        if source_review else None,
        included_studies=IncludedStudies(_int(included.get("count")),
                                         _text(included.get("source")))
        if included else None,
        living=Living(_text(living.get("update_schedule")), _text(living.get("last_search")),
                      _text(living.get("last_search_source")),
                      _text(living.get("retirement_plan")))
        if living else None,
        sources={
            str(key): Source(str(key), _text(value.get("title")) or str(key),
                             _text(value.get("url")), _text(value.get("note")))
            for key, value in _mapping(data.get("sources")).items() if isinstance(value, dict)
        },
        methods=tuple(Method(_text(m.get("id")), _text(m.get("title")), _text(m.get("text")),
                             _text(m.get("source")))
                      for m in _items(data, "methods")),
        search_rounds=tuple(_search_round(r) for r in _items(data, "search_rounds")),
        reported_characteristics=tuple(
            Characteristic(_text(c.get("id")), _text(c.get("label")), _value(c.get("value")),
                           _text(c.get("source")))
            for c in _items(data, "reported_characteristics")),
        key_findings=tuple(KeyFinding(_text(k.get("text")), _text(k.get("source")))
                           for k in _items(data, "key_findings")),
        appraisal_tool=AppraisalTool(
            _text(tool.get("name")), _text(tool.get("source")),
            _text(tool.get("noun")) or "tool", tool.get("total") is True,
            tuple(Judgement(str(j.get("value")), _text(j.get("colour")) or "grey",
                            _int(j.get("score")))
                  for j in _items(tool, "scale") if j.get("value") is not None),
            tuple(AppraisalQuestion(int(q["number"]), str(q["text"]))
                  for q in _items(tool, "questions")
                  if isinstance(q.get("number"), int) and q.get("text") is not None),
        ) if tool else None,
        themes=tuple(_theme(t) for t in _items(data, "themes")),
        findings=tuple(_finding(f) for f in _items(data, "findings")),
        citation=ReviewCitation(
            tuple(str(a) for a in _list(citation.get("authors")) if a is not None),
            _text(citation.get("concept_doi")), _text(citation.get("version_doi")),
        ) if citation else None,
        document=data,
        reporting=_reporting(_block(data, "reporting")),
        roles=tuple(Role(str(r.get("id")), _text(r.get("label")) or str(r.get("id")))
                    for r in _items(data, "roles")),
        line_of_argument=_line_of_argument(_block(data, "line_of_argument")),
    )


def _line_of_argument(block: Mapping[str, Any]) -> LineOfArgument | None:
    """The model as declared; entries without an id are left out (validation reports them),
    and a model without nodes is no model (no page)."""
    nodes = tuple(
        ArgumentNode(str(n["id"]), _text(n.get("label")) or str(n["id"]), str(n.get("level")),
                     _text(n.get("description")), _ids(n.get("subthemes")),
                     _ids(n.get("themes")))
        for n in _items(block, "nodes") if _text(n.get("id")))
    if not nodes:
        return None
    return LineOfArgument(
        title=_text(block.get("title")), summary=_text(block.get("summary")),
        source=_text(block.get("source")),
        levels=tuple(ArgumentLevel(str(v["id"]), _text(v.get("label")) or str(v["id"]))
                     for v in _items(block, "levels") if _text(v.get("id"))),
        nodes=nodes,
        edges=tuple(ArgumentEdge(str(e.get("from")), str(e.get("to")), _text(e.get("relation")))
                    for e in _items(block, "edges")
                    if _text(e.get("from")) and _text(e.get("to"))),
    )


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in _list(value) if _text(v))


def _reporting(block: Mapping[str, Any]) -> Reporting | None:
    guidelines = tuple(str(g) for g in _list(block.get("guidelines")) if g is not None)
    if not guidelines:
        return None  # no guideline declared: no reporting pages
    return Reporting(guidelines, {
        str(key): ItemReporting(
            tuple(str(r) for r in value["where"]) if isinstance(value.get("where"), list)
            else None,
            _text(value.get("note")))
        for key, value in _mapping(block.get("items")).items() if isinstance(value, dict)})


def _theme(item: Mapping[str, Any]) -> ThemeEntry:
    theme_id = str(item.get("id"))
    return ThemeEntry(
        id=theme_id,
        title=str(item.get("title")),
        summary=_text(item.get("summary")),
        source=_text(item.get("source")),
        subthemes=tuple(
            SubthemeEntry(str(s.get("id")), theme_id, str(s.get("title")),
                          _text(s.get("summary")), _text(s.get("caveat")),
                          _text(s.get("source")))
            for s in _items(item, "subthemes")),
        parent=_text(item.get("parent")),
    )


def _search_round(item: Mapping[str, Any]) -> SearchRound:
    databases = item.get("databases")
    return SearchRound(
        id=str(item.get("id")),
        label=_text(item.get("label")),
        searched_to=_text(item.get("searched_to")),
        databases=tuple(str(d) for d in databases) if isinstance(databases, list) else None,
        note=_text(item.get("note")),
        source=_text(item.get("source")),
        prisma=tuple((str(key), _int(value))
                     for key, value in _mapping(item.get("prisma")).items()),
    )


FINDING_FIELDS = ("id", "subtheme", "theme", "statement", "source")


def _finding(item: Mapping[str, Any]) -> FindingEntry:
    return FindingEntry(
        id=_text(item.get("id")), subtheme=_text(item.get("subtheme")),
        theme=_text(item.get("theme")), statement=_text(item.get("statement")),
        source=_text(item.get("source")),
        judgements=tuple((str(key), _text(value)) for key, value in item.items()
                         if key not in FINDING_FIELDS),
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _block(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    return _mapping(data.get(key))


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    """Text as the page shows it; YAML may give a number or a date where text is allowed."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _value(value: Any) -> str | int | float | None:
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value)
    return value if isinstance(value, (str, int, float)) else str(value)
