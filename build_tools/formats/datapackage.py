"""The published data package: one CSV per table and a Frictionless `datapackage.json`.

The descriptor is the project's own schema (schema/datapackage.yaml) with our `x-` properties
removed and each table's `path` set, so the published package and validation never disagree.
Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) get a leading apostrophe, as OWASP advises: https://owasp.org/www-community/attacks/CSV_Injection

Writing the cells of every row was over a second of each build at 10,000 studies, a rebuild
after one study changed included. With an output cache, a table's CSV is written in parts whose
ends the rows' own text decides (a part ends after a row whose text hashes to 0 modulo
PART_SPREAD), so adding, removing or changing a row changes only its part; each part is kept
under a hash of its rows' values, the columns and the package's code (core.output_cache), and
the CSV is the same bytes with or without the cache (tests/test_datapackage.py).
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from build_tools.core.neutral import neutralise
from build_tools.core.output_cache import OutputCache, code_digest, content_key, text_key
from build_tools.records.schema import PackageSchema, TableSpec
from build_tools.records.tables import Row

DESCRIPTOR_NAME = "datapackage.json"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_FORMAT = 1  # part of every part's key: raise it when how cells are written changes
PART_SPREAD = 256  # rows in a kept part, on average
MAX_PART_BYTES = 16 * 1024 * 1024  # a larger part is written on every build, not kept


def data_package_files(
    schema: PackageSchema, tables: Mapping[str, Sequence[Row]], cache: OutputCache | None = None
) -> dict[str, bytes]:
    """{relative path: content} for every table's CSV and the descriptor; same input, same bytes
    (`cache`: parts of the CSVs kept between builds)."""
    files = {table_path(table): table_csv(table, tables.get(table.name, ()), cache)
             for table in schema.published_tables()}
    files[DESCRIPTOR_NAME] = descriptor_json(schema)
    return files


def table_path(table: TableSpec) -> str:
    return f"{table.name}.csv"


def descriptor_json(schema: PackageSchema) -> bytes:
    descriptor = strip_extensions(schema.descriptor)
    descriptor["profile"] = "tabular-data-package"
    published = schema.published_tables()
    names = {table.name for table in published}
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in names]
    for resource, table in zip(descriptor["resources"], published, strict=True):
        resource.update(path=table_path(table), profile="tabular-data-resource", format="csv",
                        mediatype="text/csv", encoding="utf-8")
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def strip_extensions(value: Any) -> Any:
    """A copy without our `x-` properties, at every depth (Frictionless does not know them)."""
    if isinstance(value, dict):
        return {k: strip_extensions(v) for k, v in value.items()
                if not (isinstance(k, str) and k.startswith("x-"))}
    if isinstance(value, list):
        return [strip_extensions(v) for v in value]
    return value


def table_csv(table: TableSpec, rows: Sequence[Row], cache: OutputCache | None = None) -> bytes:
    """The table as CSV: a header of its field names, then a line per row."""
    names = [f.name for f in table.fields]
    if cache is None:
        return (_csv_lines([names]) + _csv_lines(_cells(names, rows))).encode("utf-8")
    parts = list(_parts(rows))
    shared = content_key(CSV_FORMAT, code_digest(), names)
    keys = [text_key(shared, *texts) for _, texts in parts]
    kept = cache.get_texts(dict.fromkeys(keys, ""), MAX_PART_BYTES)
    written = [_csv_lines([names])]
    for key, (part, _) in zip(keys, parts, strict=True):
        text = kept.get(key)
        if text is None:
            text = _csv_lines(_cells(names, part))
            cache.put_text(key, "", text, MAX_PART_BYTES)
            kept[key] = text
        written.append(text)
    return "".join(written).encode("utf-8")


def _parts(rows: Sequence[Row]) -> Iterator[tuple[list[Row], list[str]]]:
    """The rows in runs, each with its rows' values as text (what its key is made of). The
    repr of the values the loaders make (text, numbers, booleans, dates, lists, mappings) tells
    apart any two that would write different cells; one that differs between processes (an
    object's address, a set's order) only makes its part a miss."""
    part: list[Row] = []
    texts: list[str] = []
    for row in rows:
        text = repr(row.values)
        part.append(row)
        texts.append(text)
        if zlib.crc32(text.encode("utf-8", "surrogatepass")) % PART_SPREAD == 0:
            yield part, texts
            part, texts = [], []
    if part:
        yield part, texts


def _cells(names: Sequence[str], rows: Sequence[Row]) -> Iterator[list[str]]:
    cell = csv_cell
    return ([cell(row.values.get(name)) for name in names] for row in rows)


def _csv_lines(lines: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue()


def csv_cell(value: Any) -> str:
    """A Frictionless CSV cell: empty for missing, JSON for lists, formulas defused, no control
    or bidi characters (neutral.neutralise)."""
    if type(value) is str:  # most cells: the checks below in the order that finds them first
        return defuse_formula(neutralise(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple, dict)):
        return neutralise(json.dumps(value, ensure_ascii=False))
    return defuse_formula(neutralise(str(value)))


def defuse_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
