"""Reporting checklists computed from data: a page per guideline the review declares.

`evaluate()` is the whole method, a pure function: for each item of a guideline it tries the
item's rules (or the review's own `where` for it), and an item is reported where a rule's data
is present in the review *and* the page that shows that data was built. A rule whose data the
review does not have, or whose page is absent, yields nothing; an item no rule finds is "not
reported". Nothing is ever marked reported by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from build_tools.core.mdtext import slug
from build_tools.evidence.assemble import Evidence, Study
from build_tools.pages.line_of_argument import PATH as LINE_OF_ARGUMENT
from build_tools.pages.page import Page
from build_tools.pages.prisma import build_flow
from build_tools.records.reporting_guidelines import (
    METHOD_RULE,
    Guideline,
    GuidelineItem,
    shipped_guideline,
)

SECTION = "Reporting"
FOLDER = "reporting"

RenderPage = Callable[..., Page]  # render.Renderer.page(template, path, nav, **context)


@dataclass(frozen=True)
class Location:
    """Where a rule's data is shown: a page of the site and, optionally, a section of it."""

    label: str
    path: str
    anchor: str | None = None

    @property
    def href(self) -> str:
        """The link from a page of reporting/ (one folder down)."""
        return f"../{self.path}" + (f"#{self.anchor}" if self.anchor else "")


@dataclass(frozen=True)
class ItemStatus:
    """One item of a guideline as this site reports it: `where` empty means not reported."""

    id: str
    item: GuidelineItem
    where: tuple[Location, ...]
    note: str | None = None
    declared: bool = False  # its rules come from review.yaml's `reporting.items`

    @property
    def reported(self) -> bool:
        return bool(self.where)


@dataclass(frozen=True)
class Checklist:
    guideline: Guideline
    items: tuple[ItemStatus, ...]

    @property
    def path(self) -> str:
        return f"{FOLDER}/{self.guideline.id}.md"

    @property
    def reported(self) -> int:
        return sum(1 for item in self.items if item.reported)


# A rule's candidates: where its data would be shown, in order; the first page that was built
# is the link. Empty: the review lacks that data.
Finder = Callable[[Evidence], Sequence[Location]]


def _if(condition: bool, *locations: Location) -> Sequence[Location]:
    return locations if condition else ()


def _home(anchor: str | None, label: str) -> Location:
    return Location(label, "index.md", anchor)


def _studies_with(table: str) -> Callable[[Evidence], Sequence[Location]]:
    """A study child table of that name: the page of the first study with rows in it (study
    pages show every child table)."""

    def find(evidence: Evidence) -> Sequence[Location]:
        study = next((s for s in evidence.studies if _rows(s, table)), None)
        if study is None:
            return ()
        return (Location(f"{evidence.review.wording.Study} page: {study.label}",
                         f"studies/{slug(study.id)}.md"),)

    return find


def _rows(study: Study, table: str) -> bool:
    return any(t.name == table and t.rows for t in study.extra_tables)


def _translations(evidence: Evidence) -> Sequence[Location]:
    """The translation table (`Evidence.translations`, x-synthesis: translations), else a study
    child table named so."""
    if evidence.translations:
        return (Location("Translation table", "translations/index.md"),)
    return _studies_with("translations")(evidence)


def _excerpts(evidence: Evidence) -> Sequence[Location]:
    """The theme page showing the first excerpt (`Evidence.excerpts`), else a study child
    table named so (as `_translations`)."""
    # node id -> (title, the theme whose page shows it, its anchor there)
    nodes: dict[str, tuple[str, str, str | None]] = {t.id: (t.title, t.id, None)
                                                    for t in evidence.themes}
    nodes.update({s.id: (s.title, s.theme, s.id) for t in evidence.themes for s in t.subthemes})
    for excerpt in evidence.excerpts:
        found = nodes.get(excerpt.subtheme)
        if found is not None:
            title, theme, anchor = found
            return (Location(f"Theme page: {title}", f"themes/{slug(theme)}.md",
                             str(slug(anchor)) if anchor else None),)
    return _studies_with("excerpts")(evidence)


def _line_of_argument(evidence: Evidence) -> Sequence[Location]:
    """The line-of-argument page (pages/line_of_argument.py), when review.yaml declares one."""
    return _if(evidence.review.line_of_argument is not None,
               Location("Line of argument", LINE_OF_ARGUMENT))


def _living(name: str) -> Finder:
    return lambda e: _if(bool(e.review.living and getattr(e.review.living, name)),
                         _home("living-status", "Home: living status"))


FINDERS: dict[str, Finder] = {
    "title": lambda e: _if(bool(e.review.title), _home(None, "Home")),
    "question": lambda e: _if(bool(e.review.question and e.review.question.text),
                              _home("review-question", "Home: review question")),
    "protocol": lambda e: _if(bool(e.review.protocol and (e.review.protocol.id
                                                          or e.review.protocol.url)),
                              _home("living-status", "Home: living status (protocol)")),
    "source_review": lambda e: _if(bool(e.review.source_review
                                        and e.review.source_review.citation),
                                   _home(None, "Home")),
    "search_rounds": lambda e: _if(bool(e.review.search_rounds),
                                   Location("Methods: search rounds", "methods.md",
                                            "search-rounds")),
    "databases": lambda e: _if(any(r.databases for r in e.review.search_rounds),
                               Location("Methods: search rounds", "methods.md",
                                        "search-rounds")),
    "prisma": lambda e: _if(build_flow(e.review.search_rounds) is not None,
                            Location(f"Flow of {e.review.wording.studies}",
                                     "evidence/prisma.md")),
    "last_search": _living("last_search"),
    "update_schedule": _living("update_schedule"),
    "retirement_plan": _living("retirement_plan"),
    "studies": lambda e: _if(bool(e.studies), Location(e.review.wording.Studies,
                                                       "studies/index.md")),
    "characteristics": lambda e: _if(bool(e.review.reported_characteristics),
                                     _home("reported-characteristics",
                                           f"Home: the included {e.review.wording.studies}")),
    "appraisal_tool": lambda e: _if(bool(e.review.appraisal_tool and e.appraisal_questions),
                                    Location("Methods: appraisal questions", "methods.md",
                                             "appraisal-questions")),
    "appraisals": lambda e: _if(any(s.appraisal for s in e.studies),
                                Location("Quality appraisal", "evidence/appraisal.md")),
    "themes": lambda e: _if(bool(e.themes), _home("themes", "Home: themes")),
    "key_findings": lambda e: _if(bool(e.review.key_findings),
                                  _home("key-findings", "Home: key findings")),
    "findings": lambda e: _if(bool(e.review.findings),
                              Location("Summary of findings", "evidence/findings.md")),
    "matrix": lambda e: _if(any(s.contributions for s in e.studies),
                            Location("Evidence matrix", "evidence/matrix.md")),
    "downloads": lambda e: (Location("Downloads", "downloads/index.md"),),
    "changelog": lambda e: (Location("What changed", "changelog.md"),),
    "version": lambda e: (Location("Cite this version", "cite.md"),),
    "authors": lambda e: _if(bool(e.review.citation and e.review.citation.authors),
                             Location("Cite this version", "cite.md")),
    "translations": _translations,
    "excerpts": _excerpts,
    "line_of_argument": _line_of_argument,
}


def locate(rule: str, evidence: Evidence) -> Sequence[Location]:
    """Where a rule's data would be shown, best first; nothing when the review lacks it."""
    if rule.startswith(METHOD_RULE):
        method = evidence.review.method(rule[len(METHOD_RULE):])
        if method is None or not method.text:
            return ()
        return (Location(f"Methods: {method.title or method.id}", "methods.md", method.anchor),)
    finder = FINDERS.get(rule)
    return finder(evidence) if finder else ()


def evaluate(guideline: Guideline, evidence: Evidence,
             pages: Collection[str]) -> tuple[ItemStatus, ...]:
    """Each item of the guideline with the places of this site that report it (`pages`: the
    paths of the pages built), from the review's data and its `reporting.items`."""
    reporting = evidence.review.reporting
    declared = reporting.items if reporting else {}
    statuses = []
    for item in guideline.items:
        item_id = guideline.item_id(item)
        own = declared.get(item_id)
        rules = own.where if own and own.where is not None else item.reported_by
        where: list[Location] = []
        for rule in rules:
            found = next((loc for loc in locate(rule, evidence) if loc.path in pages), None)
            if found is not None and found not in where:
                where.append(found)
        statuses.append(ItemStatus(item_id, item, tuple(where), own.note if own else None,
                                   bool(own and own.where is not None)))
    return tuple(statuses)


def declared_guidelines(evidence: Evidence) -> tuple[Guideline, ...]:
    """The shipped guidelines review.yaml declares (validation has refused unknown ids)."""
    reporting = evidence.review.reporting
    return tuple(shipped_guideline(g) for g in reporting.guidelines) if reporting else ()


def checklist_pages(evidence: Evidence, pages: Collection[str],
                    render: RenderPage) -> list[Page]:
    """The index of the declared guidelines and a page per guideline; none declared, none."""
    checklists = [Checklist(g, evaluate(g, evidence, pages))
                  for g in declared_guidelines(evidence)]
    if not checklists:
        return []
    return [render("checklists.md.j2", f"{FOLDER}/index.md", (SECTION, "Reporting checklists"),
                   checklists=checklists),
            *(render("checklist.md.j2", checklist.path,
                     (SECTION, checklist.guideline.short_name), checklist=checklist)
              for checklist in checklists)]
