"""Review findings for the summary-of-findings table, judged with the declared framework.

Every subtheme is a finding (and a theme when review.yaml gives it a finding of its own).
Judgements come only from review.yaml's `findings:`; what is not there is "not assessed". The
components and the overall judgement are the framework's (`x-findings` in the schema).
"""

from __future__ import annotations

from dataclasses import dataclass

from build_tools.evidence.assemble import Evidence, Study
from build_tools.evidence.review import FindingEntry

NOT_ASSESSED = "not assessed"


@dataclass(frozen=True)
class Judgement:
    level: str | None
    explanation: str | None


@dataclass(frozen=True)
class Finding:
    """One row of the table: what was found, by which studies, and how confident one can be."""

    id: str
    title: str
    theme: str
    anchor: str | None  # the subtheme's anchor on its theme page
    statement: str | None
    studies: tuple[Study, ...]
    components: tuple[tuple[str, Judgement], ...]
    confidence: Judgement
    source: str | None

    @property
    def assessed(self) -> bool:
        return self.confidence.level is not None


def review_findings(evidence: Evidence) -> tuple[Finding, ...]:
    """One finding per subtheme, plus themes with a finding of their own, in the themes' order;
    none when the schema declares no findings framework."""
    framework = evidence.findings_framework
    if framework is None:
        return ()
    components = tuple((name, framework.label(name)) for name in framework.components)
    entries = evidence.review.findings
    by_subtheme = {f.subtheme: f for f in entries if f.subtheme}
    by_theme = {f.theme: f for f in entries if f.theme}
    findings = []
    for theme in evidence.themes:
        if theme.id in by_theme or not theme.subthemes:
            findings.append(_finding(components, framework.overall,
                                     by_theme.get(theme.id), theme.id, theme.title, theme.id,
                                     None, theme.summary, theme.studies))
        for subtheme in theme.subthemes:
            findings.append(_finding(components, framework.overall,
                                     by_subtheme.get(subtheme.id), subtheme.id,
                                     subtheme.title, theme.id, subtheme.id, subtheme.summary,
                                     tuple(study for study, _ in subtheme.studies)))
    return tuple(findings)


def _finding(components: tuple[tuple[str, str], ...], overall: str | None,
             entry: FindingEntry | None, default_id: str, title: str, theme: str,
             anchor: str | None, summary: str | None, studies: tuple[Study, ...]) -> Finding:
    def judgement(name: str | None) -> Judgement:
        if entry is None or name is None:
            return Judgement(None, None)
        return Judgement(entry.judgement(name) or None,
                         entry.judgement(f"{name}_explanation") or None)

    return Finding(
        id=(entry.id if entry else None) or default_id,
        title=title,
        theme=theme,
        anchor=anchor,
        statement=(entry.statement if entry else None) or summary,
        studies=studies,
        components=tuple((label, judgement(name)) for name, label in components),
        confidence=judgement(overall),
        source=entry.source if entry else None,
    )
