"""The Evidence pages and the studies table, from the test scenario and synthetic studies."""

from __future__ import annotations

import re

from build_tools.pages.generate import generate_site
from build_tools.pages.views import study_charts, subtheme_splits


def _page(site, path):
    return next(p.content for p in site.pages if p.path == path)


def test_evidence_pages_are_in_the_evidence_section(project) -> None:
    site = generate_site(project)
    nav = {p.path: p.nav for p in site.pages}
    assert nav["evidence/matrix.md"] == ("Evidence", "Evidence matrix")
    assert nav["evidence/findings.md"] == ("Evidence", "Summary of findings")
    assert nav["evidence/appraisal.md"] == ("Evidence", "Quality appraisal")
    assert nav["evidence/prisma.md"] == ("Evidence", "Flow of studies")
    assert nav["evidence/charts.md"] == ("Evidence", "Charts")
    assert nav["evidence/prisma.svg"] is None
    assert nav["evidence/chart-year.svg"] is None


def test_matrix_links_cells_and_splits_counts_by_perspective(project, write_study) -> None:
    write_study("synth2020", year=2020, perspective="client",
                contributions=[{"subtheme": "human-connection"}, {"subtheme": "reciprocal-trust"}])
    write_study("synth2021", year=2021, perspective="both",
                contributions=[{"subtheme": "human-connection"}])
    site = generate_site(project)
    splits = {s.subtheme.id: s.counts for s in subtheme_splits(site.evidence)}
    assert splits["human-connection"] == (1, 0, 1)  # client, therapist, both
    assert splits["reciprocal-trust"] == (1, 0, 0)
    page = _page(site, "evidence/matrix.md")
    tick = r'class="lr-tick" href="\.\./\.\./studies/(\w+)/#contribution-to-the-synthesis"'
    ticks = re.findall(tick, page)
    assert sorted(ticks) == ["synth2020", "synth2020", "synth2021"]
    assert "Not yet mapped to subthemes (4)" in page


def test_matrix_of_scenario_data_says_nothing_is_mapped(project) -> None:
    page = _page(generate_site(project), "evidence/matrix.md")
    assert "No curated study is mapped to a subtheme yet." in page


def test_appraisal_grid_shows_answers_and_not_reported(project, write_study) -> None:
    write_study("synth2020", appraisal=[{"question": 1, "answer": "yes"},
                                        {"question": 2, "answer": "can't tell"}])
    page = _page(generate_site(project), "evidence/appraisal.md")
    row = next(line for line in page.splitlines() if "synth2020/#appraisal" in line)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)[1:]
    assert len(cells) == 10
    assert cells[0] == '<span class="lr-answer lr-answer--yes">yes</span>'
    assert cells[1] == '<span class="lr-answer lr-answer--unclear">can&#39;t tell</span>'
    assert cells[2:] == ['<span class="lr-missing">not reported</span>'] * 8
    assert "score" not in row


def test_charts_count_curated_values_and_missing_ones(project) -> None:
    charts = {c.id: dict(c.counts) for c in study_charts(generate_site(project).evidence)}
    assert charts["year"] == {"2017": 1, "2018": 1, "2021": 1, "not yet curated": 1}
    assert charts["perspective"] == {"client": 1, "therapist": 3, "both": 0}
    assert charts["country"] == {"Ireland": 2, "not yet curated": 2}


def test_studies_table_filters_come_from_the_schema(project) -> None:
    site = generate_site(project)
    assert 'data-filter-columns="2,3,4,1,5"' in _page(site, "studies/index.md")
    schema = project.schema_file.read_text("utf-8").replace(
        "x-table-filters: [perspective, country, analysis_method, year, curation_status]",
        "x-table-filters: [year]")
    project.schema_file.write_text(schema, "utf-8")
    assert 'data-filter-columns="1"' in _page(generate_site(project), "studies/index.md")
