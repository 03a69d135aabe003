"""GRADE-CERQual findings: read from review.yaml, validated, and "not assessed" when absent.

The assessed findings here are synthetic test data written into a tmp copy of the project.
"""

from __future__ import annotations

from build_tools.core.errors import InvalidRecords
from build_tools.evidence.checks import check_project
from build_tools.evidence.findings import review_findings
from build_tools.pages.generate import generate_site

ASSESSED = """
findings:
  - id: trust
    subtheme: reciprocal-trust
    statement: SYNTHETIC finding for tests, not from the review.
    methodological_limitations: minor concerns
    methodological_limitations_explanation: SYNTHETIC two studies lacked reflexivity.
    coherence: no or very minor concerns
    coherence_explanation: SYNTHETIC consistent across studies.
    adequacy: moderate concerns
    adequacy_explanation: SYNTHETIC thin data.
    relevance: no or very minor concerns
    relevance_explanation: SYNTHETIC relevant settings.
    confidence: moderate
    confidence_explanation: SYNTHETIC moderate because of adequacy.
    source: blog
"""


def _page(site, path):
    return next(p.content for p in site.pages if p.path == path)


def test_shipped_review_has_no_judgements_and_says_not_assessed(project) -> None:
    site = generate_site(project)
    findings = review_findings(site.evidence)
    assert [f.id for f in findings] == ["responsibility-and-control", "empathy-and-hope",
                                        "human-connection", "reciprocal-trust"]
    assert not any(f.assessed for f in findings)
    page = _page(site, "evidence/findings.md")
    assert page.count('<span class="lr-missing">not assessed</span>') == 3 * 4
    for level in ("moderate concerns", "minor concerns", "High", "Low"):
        assert level not in page


def test_assessed_finding_shows_judgements_and_studies(project, write_file, write_study) -> None:
    with open(project.review_file, "a", encoding="utf-8") as review:
        review.write(ASSESSED)
    write_study("synthetic2020", year=2020, first_author="Synthetic",
                contributions=[{"subtheme": "reciprocal-trust"}])
    site = generate_site(project)
    finding = next(f for f in review_findings(site.evidence) if f.id == "trust")
    assert finding.assessed
    assert finding.confidence.level == "moderate"
    assert [s.id for s in finding.studies] == ["synthetic2020"]
    assert dict(finding.components)["Adequacy"].level == "moderate concerns"
    row = next(line for line in _page(site, "evidence/findings.md").splitlines()
               if "SYNTHETIC finding" in line)
    assert "Adequacy: <strong>moderate concerns</strong>" in row
    assert "<strong>Moderate</strong>" in row
    assert 'href="../../studies/synthetic2020/"' in row
    assert "not assessed" not in row


def _problems(project) -> list[str]:
    checked = check_project(project)
    validation = checked.validation
    return [str(p) for p in validation.errors]


def test_judgement_without_explanation_is_located(project) -> None:
    with open(project.review_file, "a", encoding="utf-8") as review:
        review.write(ASSESSED.replace(
            "    coherence_explanation: SYNTHETIC consistent across studies.\n", ""))
    lines = project.review_file.read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("    coherence:"))
    assert _problems(project) == [
        f"review.yaml:{line}: findings[0].coherence: 'no or very minor concerns' is given "
        "without coherence_explanation (GRADE-CERQual asks for an explanation of every "
        "judgement)"]


def test_unknown_level_and_unknown_key_are_located(project) -> None:
    with open(project.review_file, "a", encoding="utf-8") as review:
        review.write(ASSESSED.replace("confidence: moderate", "confidence: medium")
                     .replace("    source: blog", "    sauce: blog"))
    lines = project.review_file.read_text("utf-8").splitlines()
    conf = next(i for i, text in enumerate(lines, 1) if text.startswith("    confidence:"))
    sauce = next(i for i, text in enumerate(lines, 1) if text.startswith("    sauce:"))
    problems = _problems(project)
    assert (f"review.yaml:{conf}: findings[0].confidence: 'medium' is not allowed "
            "(one of: high, moderate, low, very low)") in problems
    assert any(p.startswith(f"review.yaml:{sauce}: findings[0].sauce: unknown field (one of: ")
               for p in problems)


def test_finding_for_unknown_subtheme_and_duplicate_are_reported(project) -> None:
    with open(project.review_file, "a", encoding="utf-8") as review:
        review.write("findings:\n  - id: a\n    subtheme: trust-ish\n"
                     "  - id: b\n    subtheme: human-connection\n"
                     "  - id: c\n    subtheme: human-connection\n")
    problems = _problems(project)
    assert any("findings[0].subtheme: 'trust-ish' is not defined (one of the subthemes" in p
               for p in problems)
    assert any("findings[2].subtheme: 'human-connection' already has a finding at review.yaml:"
               in p for p in problems)


def test_invalid_findings_stop_the_build(project) -> None:
    with open(project.review_file, "a", encoding="utf-8") as review:
        review.write("findings:\n  - id: a\n    confidence: low\n")
    try:
        generate_site(project)
    except InvalidRecords as error:
        messages = [str(p) for p in error.problems]
    else:
        raise AssertionError("the build went on")
    assert any("subtheme or theme: is required but missing" in m for m in messages)
    assert any("findings[0].confidence: 'low' is given without confidence_explanation" in m
               for m in messages)
