"""References for reference managers: BibTeX (written by pybtex), RIS (by rispy), CSL-JSON.

Every writer takes CSL-JSON items (`csl.csl_item` for a study, `csl.review_item` for the review
itself), so the studies and "cite this version" say the same thing with the same escaping.
Output is deterministic: items in the order given, keys sorted in JSON, no dates of writing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import rispy
from pybtex import __version__ as pybtex_version
from pybtex.database import BibliographyData, Entry, Person
from rispy.writer import RisWriter

from build_tools.core.identifiers import pubmed_url
from build_tools.core.output_cache import OutputCache, content_key
from build_tools.core.parallel import map_in_chunks
from build_tools.evidence.assemble import Study
from build_tools.formats.csl import arxiv_id, csl_item, item_entry_type
from build_tools.formats.latex import MathWriter, field_text, latex_text

Items = Sequence[dict[str, Any]]  # CSL-JSON items
PARALLEL_FROM = 400  # entries to write before forked workers pay for themselves (~0.7 ms each)


def csl_items(studies: Iterable[Study]) -> list[dict[str, Any]]:
    return [csl_item(s.id, s.citation) for s in studies]


def csl_json_text(items: Items) -> str:
    return json.dumps(list(items), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def csl_json_entry(item: dict[str, Any]) -> str:
    """One item as `csl_json_text` writes it inside its list (one level in); `csl_json_file`
    of the entries is `csl_json_text` of the items."""
    text = json.dumps(item, ensure_ascii=False, indent=2, sort_keys=True)
    return "\n".join(f"  {line}" for line in text.split("\n"))


def csl_json_file(entries: Sequence[str]) -> str:
    return "[\n" + ",\n".join(entries) + "\n]\n" if entries else "[]\n"


def lines_file(entries: Sequence[str]) -> str:
    """A BibTeX or RIS file of one-item texts: they are joined by a blank line."""
    return "\n".join(entries)


def bibtex_text(items: Items) -> str:
    """A BibTeX database, one entry per item (@article, else @misc), keyed by the item's id.

    pybtex writes a database as its entries' texts joined by a blank line; each entry is
    written once per process (LaTeX-encoding is slow) and shared by the study's "cite this
    study" block and the Downloads page's references.bib.
    """
    return "\n".join(_bibtex_entry_text(json.dumps(item, sort_keys=True)) for item in items)


ENTRY_TEXTS_KEPT = 65536  # entries remembered per process (a long `serve` session stays small)
_entry_texts: dict[str, str] = {}
# Part of every key of the entries kept between builds: raise it when this module or
# formats.latex changes what an entry says.
BIBTEX_FORMAT_VERSION = 3  # 2: LaTeX ligatures broken; 3: a DOI verbatim (formats.latex)


def prepare_bibtex_entries(items: Items, cache: OutputCache | None = None) -> None:
    """Write the entries of many items at once, on every processor (core.parallel), so that
    `bibtex_text` finds them written: the same texts, in a fraction of the time. An entry kept
    in `cache` by an earlier build is read instead of written (a rebuild writes only what
    changed); with or without the cache, the texts are the same."""
    keys = list(dict.fromkeys(json.dumps(item, sort_keys=True) for item in items))
    missing = [key for key in keys if key not in _entry_texts]
    if cache is not None:
        missing = [key for key in missing if _stored_entry(cache, key) is None]
    for key, text in zip(missing, map_in_chunks(_written_entries, missing,
                                                min_items=PARALLEL_FROM), strict=True):
        _remember(key, text)
        if cache is not None:
            cache.put(_cache_key(key), {"entry": text})


def _cache_key(item_json: str) -> str:
    return content_key("bibtex", BIBTEX_FORMAT_VERSION, pybtex_version, item_json)


def _stored_entry(cache: OutputCache, item_json: str) -> str | None:
    """The entry an earlier build kept (now remembered for this process too), or None."""
    stored = cache.get(_cache_key(item_json), lambda value: isinstance(value, dict)
                       and isinstance(value.get("entry"), str))
    return None if stored is None else _remember(item_json, stored["entry"])


def _written_entries(keys: list[str]) -> list[str]:
    return [_written_entry(key) for key in keys]


def _bibtex_entry_text(item_json: str) -> str:
    text = _entry_texts.get(item_json)
    if text is None:
        text = _remember(item_json, _written_entry(item_json))
    return text


def _remember(key: str, text: str) -> str:
    if len(_entry_texts) >= ENTRY_TEXTS_KEPT:
        _entry_texts.clear()
    _entry_texts[key] = text
    return text


def _written_entry(item_json: str) -> str:
    item = json.loads(item_json)
    data = BibliographyData(entries={item.get("citation-key", item["id"]): _bibtex_entry(item)})
    # The writer class itself: by name, pybtex would scan every installed package's entry
    # points on each call (~20 ms, i.e. 20 s for 1,000 studies' "cite this study" blocks).
    return data.to_string(MathWriter)


def _bibtex_entry(item: dict[str, Any]) -> Entry:
    fields = {}
    if "issued" in item:
        item = {**item, "year": str(item["issued"]["date-parts"][0][0])}
        if _full_date(item):
            item["date"] = "-".join(f"{part:02d}" for part in item["issued"]["date-parts"][0])
    for bibtex_name, csl_name in (("title", "title"), ("journal", "container-title"),
                                  ("year", "year"), ("date", "date"), ("volume", "volume"),
                                  ("number", "issue"), ("pages", "page"),
                                  ("version", "version"), ("howpublished", "genre"),
                                  ("doi", "DOI"), ("note", "note")):  # url: identifiers
        if csl_name in item:
            value = item[csl_name]
            if bibtex_name == "pages":  # a range's dash is BibTeX's `--`, the rest escaped
                fields[bibtex_name] = "--".join(latex_text(part)
                                                for part in re.split("[-\u2013]", value))
            else:
                fields[bibtex_name] = field_text(bibtex_name, value)
    fields.update(bibtex_identifiers(item))
    persons = [_person(name) for name in item.get("author", ())]
    return Entry(item_entry_type(item).bibtex, fields=fields,
                 persons={"author": persons} if persons else None)


def bibtex_identifiers(item: dict[str, Any]) -> dict[str, str]:
    """arXiv as biblatex's eprint fields (`archivePrefix`, read by BibTeX styles and biblatex
    alike), PubMed's id as `pmid` (as PubMed and reference managers write it), and `url`."""
    fields = {}
    eprint = arxiv_id(item)
    if eprint:
        fields["eprint"] = eprint
        fields["archivePrefix"] = "arXiv"
    if "PMID" in item:
        fields["pmid"] = item["PMID"]
    if "URL" in item:
        fields["url"] = item["URL"]
    return fields


def _person(name: dict[str, str]) -> Person:
    """Names in braces when BibTeX would split them (" and ", a comma) — kept as one name."""
    family = latex_text(name["family"])
    if "," in family or " and " in f" {family.lower()} ":
        family = "{" + family + "}"
    given = latex_text(name.get("given", ""))
    if "," in given or " and " in f" {given.lower()} ":
        given = "{" + given + "}"
    return Person(last=family, first=given)


def ris_identifiers(item: dict[str, Any]) -> dict[str, Any]:
    """Links (UR: the record's URL or the arXiv abstract, then PubMed) and the accession number
    in its database (AN with DB: the PubMed id, else the arXiv identifier), as Zotero writes."""
    record: dict[str, Any] = {}
    urls = [item["URL"]] if "URL" in item else []
    eprint = arxiv_id(item)
    if "PMID" in item:
        urls.append(pubmed_url(item["PMID"]))
        record["accession_number"], record["name_of_database"] = item["PMID"], "PubMed"
    elif eprint:
        record["accession_number"], record["name_of_database"] = f"arXiv:{eprint}", "arXiv"
    if urls:
        record["urls"] = urls
    return record


class _RisWriter(RisWriter):
    """rispy numbers each record ("1.") by default; RIS readers do not need that line."""

    def set_header(self, count: int) -> str:
        return ""


def _full_date(item: dict[str, Any]) -> bool:
    return len(item["issued"]["date-parts"][0]) == 3


def ris_text(items: Items) -> str:
    """An RIS file; every value is one line, so record text cannot start a new tag."""
    records = []
    for item in items:
        record: dict[str, Any] = {"type_of_reference": item_entry_type(item).ris,
                                  "id": item.get("citation-key", item["id"])}
        if "author" in item:
            record["authors"] = [
                f"{a['family']}, {a['given']}" if a.get("given") else a["family"]
                for a in item["author"]
            ]
        if "issued" in item:
            record["year"] = str(item["issued"]["date-parts"][0][0])
            if _full_date(item):
                record["date"] = "/".join(f"{part:02d}" for part in item["issued"]["date-parts"][0])
        for ris_name, csl_name in (("title", "title"), ("secondary_title", "container-title"),
                                   ("volume", "volume"), ("number", "issue"),
                                   ("edition", "version"), ("type_of_work", "genre"),
                                   ("doi", "DOI")):
            if csl_name in item:
                record[ris_name] = item[csl_name]
        if "page" in item:
            start, _, end = item["page"].replace("–", "-").partition("-")
            record["start_page"] = start
            if end:
                record["end_page"] = end
        if "note" in item:
            record["notes"] = [item["note"]]
        record.update(ris_identifiers(item))
        records.append(record)
    if not records:
        return ""
    return rispy.dumps(records, implementation=_RisWriter)
