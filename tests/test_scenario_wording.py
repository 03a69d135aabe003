"""Four scenario reviews of three kinds: each shows its own wording, never another's.

The qualitative meta-ethnography (the shipped shape), the quantitative trials review (RoB 2, an
effects table), the living bibliography (a category tree, arXiv preprints, TeX math) and a
synthetic qualitative synthesis (translations, excerpts) are built from tests/scenarios/;
every generated page of each (Markdown, SVG, downloads) is read for the words that belong to the
others.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from build_tools.core import mdtext
from build_tools.pages.generate import assemble_site
from build_tools.pages.registry import produce_pages
from build_tools.records.reporting_guidelines import GUIDELINE_FILES, shipped_guideline
from build_tools.site.build import build_site
from build_tools.versions.versioning import build_version, version_data
from tests.factories import make_project

# Words that only one kind of review has reason to use (matched without case, whole words; a
# word inside a path or file name, such as studies/x.md or studies.csv, is an address).
OWN_WORDS = {
    "alliance-review": ["perspective", "CASP", "CERQual", "meta-ethnography", "can't tell",
                        "therapist", "study", "studies"],
    "synthetic-trials-review": ["RoB 2", "risk of bias", "trial", "trials", "randomised"],
    "synthetic-preprint-bibliography": ["bibliography", "arXiv", "preprint", "papers"],
    "synthetic-meta-ethnography": ["ethnographies", "pupil", "teacher", "Translation table"],
}


def site_text(tmp_path: Path, scenario: str) -> dict[str, str]:
    project = make_project(tmp_path / scenario, scenario)
    site = assemble_site(project)
    pages = produce_pages(site.inputs(version_data(build_version(project, site))))
    # Downloads of data (CSV, JSON) name the generator's own tables and columns (`study`).
    return {page.path: _own_words(page.path, page.content.decode("utf-8", "replace")
                                  if isinstance(page.content, bytes) else str(page.content or ""))
            for page in pages if not page.path.endswith((".csv", ".json"))}


def _own_words(path: str, text: str) -> str:
    """A reporting checklist quotes its guideline (shipped data, written for any review: its
    items speak of studies and risk of bias); the rest of the page is the review's wording."""
    if not path.startswith("reporting/"):
        return text
    for guideline in map(shipped_guideline, GUIDELINE_FILES):
        quoted = [guideline.name, guideline.short_name, guideline.citation, guideline.checked,
                  *(part for item in guideline.items for part in (item.name, item.text,
                                                                  item.section))]
        for value in sorted(filter(None, quoted), key=len, reverse=True):  # longest first
            text = text.replace(str(mdtext.text(value)), " ")
        for paragraph in (guideline.licence or "").split("\n\n"):
            text = text.replace(str(mdtext.paragraphs(paragraph)), " ") if paragraph else text
    return text


def found(words: list[str], text: str) -> list[str]:
    return [word for word in words
            if re.search(rf"(?<![\w/-]){re.escape(word)}(?![\w/-]|&#(46|95);|\.(md|yaml|csv))",
                         text, re.IGNORECASE)]


@pytest.mark.parametrize("scenario", sorted(OWN_WORDS))
def test_a_scenario_shows_no_other_reviews_wording(tmp_path: Path, scenario: str) -> None:
    pages = site_text(tmp_path, scenario)
    others = [word for name, words in OWN_WORDS.items() if name != scenario for word in words]
    leaks = {path: hits for path, text in pages.items() if (hits := found(others, text))}
    assert leaks == {}


@pytest.mark.parametrize("scenario", sorted(OWN_WORDS))
def test_a_scenario_shows_its_own_wording(tmp_path: Path, scenario: str) -> None:
    """Control: the words are found where they belong, so the test above can fail."""
    text = "\n".join(site_text(tmp_path, scenario).values())
    assert found(OWN_WORDS[scenario], text)


@pytest.mark.parametrize("scenario", sorted(OWN_WORDS))
def test_each_scenario_builds_strictly(tmp_path: Path, scenario: str) -> None:
    site = build_site(make_project(tmp_path / scenario, scenario), strict=True)
    assert (site / "index.html").is_file() and (site / "studies" / "index.html").is_file()
