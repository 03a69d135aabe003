"""Each study's whole citation kept between builds (`kept` of references.cite_studies): its APA
entry, sort keys and markup and its text in every reference format. A rebuild formats only the
studies that changed, and the citations, their order and the Downloads' files are the same with
no cache, a cold one, a warm one and a damaged one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.core.output_cache import OutputCache
from build_tools.evidence.assemble import Study
from build_tools.formats import references
from build_tools.formats.reference_formats import REFERENCE_FORMATS
from build_tools.formats.references import cite_studies
from tests import cache_rows
from tests.refdata import hostile_study, scenario_studies
from tests.test_reference_cache import TRICKY

KIND = "citations"


def studies() -> list[Study]:
    return [*scenario_studies(), hostile_study(), *TRICKY]


def cited(studies: list[Study], kept: OutputCache | None = None) -> list[tuple[Any, ...]]:
    return [(study_id, c.apa.text, str(c.apa.markup), c.apa.missing, sorted(c.files.items()))
            for study_id, c in cite_studies(studies, kept=kept).items()]


@pytest.fixture
def formatted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many studies each call formats anew (references._styled_references)."""
    counts: list[int] = []
    real = references._styled_references

    def counting(studies: list[Study], cache: OutputCache | None) -> Any:
        counts.append(len(studies))
        return real(studies, cache)

    monkeypatch.setattr(references, "_styled_references", counting)
    return counts


def test_no_cache_cold_and_warm_give_the_same_citations(tmp_path: Path,
                                                        formatted: list[int]) -> None:
    plain = cited(studies())
    kept = OutputCache(tmp_path, KIND)
    assert cited(studies(), kept) == plain  # cold: formats and keeps
    assert len(cache_rows.rows(tmp_path, KIND)) == len(studies())
    formatted.clear()
    assert cited(studies(), kept) == plain  # warm: reads
    assert cited(list(reversed(studies())), kept) == plain  # the order comes from the keys
    assert formatted == []


def test_a_kept_citation_is_what_a_warm_build_shows(tmp_path: Path) -> None:
    """Control: the kept parts are really read (equality alone could pass unread)."""
    kept = OutputCache(tmp_path, KIND)
    cited(studies(), kept)
    for key, text in cache_rows.texts(tmp_path, KIND).items():
        value = json.loads(text)
        value.update(entry="Kept.", markup="<i>Kept.</i>",
                     files={suffix: f"kept {suffix}" for suffix in value["files"]})
        cache_rows.store_bytes(tmp_path, KIND, key, json.dumps(value).encode())
    citations = cite_studies(studies(), kept=kept)
    assert {c.apa.text for c in citations.values()} == {"Kept."}
    assert {str(c.apa.markup) for c in citations.values()} == {"<i>Kept.</i>"}
    assert {c.bibtex for c in citations.values()} == {"kept bib"}


def test_a_changed_study_is_formatted_again_and_only_it(tmp_path: Path,
                                                        formatted: list[int]) -> None:
    kept = OutputCache(tmp_path, KIND)
    cited(studies(), kept)
    changed = studies()
    changed[0] = Study(**{**vars(hostile_study()), "id": changed[0].id})  # another citation
    expected = cited(changed)
    formatted.clear()
    assert cited(changed, kept) == expected
    assert formatted == [1]


SHAPE_KEYS = st.sampled_from(["entry", "sort_keys", "markup", "files", "x"])
JSON_DAMAGE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SHAPE_KEYS, inner, max_size=5),
    max_leaves=10).map(lambda value: json.dumps(value).encode())
ALMOST_SHAPED = st.builds(
    lambda entry, keys, files: json.dumps({"entry": entry, "sort_keys": keys, "markup": "m",
                                           "files": files}).encode(),
    st.text(max_size=10), st.lists(st.none() | st.integers() | st.text(max_size=3), max_size=6),
    st.dictionaries(st.sampled_from(["bib", "ris", "json", "pdf"]),
                    st.text(max_size=5) | st.integers(), max_size=4))


@pytest.mark.hardening
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=st.one_of(st.binary(max_size=200), JSON_DAMAGE, ALMOST_SHAPED))
def test_any_damaged_kept_citation_is_a_miss_or_a_citation(
        tmp_path_factory: pytest.TempPathFactory, damage: bytes) -> None:
    root = tmp_path_factory.mktemp("cache")
    kept = OutputCache(root, KIND)
    expected = cited(TRICKY)
    cited(TRICKY, kept)
    for number, key in enumerate(cache_rows.rows(root, KIND)):
        if number % 2:
            cache_rows.store_bytes(root, KIND, key, damage)  # damaged text
        else:
            cache_rows.store_raw(root, KIND, key, damage)  # damaged storage
    result = cited(TRICKY, kept)  # never a traceback
    assert [row[0] for row in sorted(result)] == [row[0] for row in sorted(expected)]
    if not _well_shaped(damage):
        assert result == expected


def _well_shaped(damage: bytes) -> bool:
    try:
        value = json.loads(damage)
    except ValueError:
        return False
    suffixes = {f.suffix for f in REFERENCE_FORMATS}
    return (isinstance(value, dict) and isinstance(value.get("entry"), str)
            and isinstance(value.get("sort_keys"), list) and isinstance(value.get("markup"), str)
            and isinstance(value.get("files"), dict) and set(value["files"]) == suffixes)
