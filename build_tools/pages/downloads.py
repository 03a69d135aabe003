"""The Downloads page and its files, rebuilt on every build from the validated tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jinja2 import Environment

from build_tools.core.output_cache import OutputCache
from build_tools.evidence.assemble import Evidence
from build_tools.formats.datapackage import DESCRIPTOR_NAME, data_package_files, table_path
from build_tools.formats.reference_formats import REFERENCE_FORMATS
from build_tools.formats.references import StudyCitation
from build_tools.pages.page import Page
from build_tools.pages.render import make_environment
from build_tools.records.schema import PackageSchema
from build_tools.records.tables import Row

FOLDER = "downloads"


@dataclass(frozen=True)
class Download:
    """One file on the Downloads page: where it is, what it holds, how big it is."""

    name: str
    description: str
    format: str
    size: int

    @property
    def stem(self) -> str:
        return self.name.rpartition(".")[0]

    @property
    def extension(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def size_text(self) -> str:
        return f"{self.size / 1024:.1f} KB" if self.size >= 1024 else f"{self.size} bytes"


def download_pages(
    evidence: Evidence, schema: PackageSchema, tables: Mapping[str, Sequence[Row]],
    citations: Mapping[str, StudyCitation], environment: Environment | None = None,
    csv_cache: OutputCache | None = None,
) -> list[Page]:
    """The Downloads page (in the navigation) and every file it links to (out of it). The
    reference files are the studies' `citations` (references.cite_studies, each kept between
    builds) joined in the studies' order; `csv_cache` keeps parts of the tables' CSVs."""
    files: dict[str, tuple[bytes, str, str]] = {}
    package = data_package_files(schema, tables, csv_cache)
    for table in schema.published_tables():
        files[table_path(table)] = (package[table_path(table)], f"Table: {table.title}", "CSV")
    files[DESCRIPTOR_NAME] = (package[DESCRIPTOR_NAME],
                              "Frictionless Data Package describing all the tables above",
                              "JSON")
    for reference_format in REFERENCE_FORMATS:
        text = reference_format.join(
            [citations[study.id].files[reference_format.suffix] for study in evidence.studies])
        files[f"references.{reference_format.suffix}"] = (
            text.encode("utf-8"),
            f"References of all {evidence.review.wording.studies}",
            reference_format.name)
    downloads = [Download(name, description, kind, len(content))
                 for name, (content, description, kind) in files.items()]
    page = (environment or make_environment()).get_template("downloads.md.j2").render(
        review=evidence.review, downloads=downloads,
    )
    return [Page(f"{FOLDER}/index.md", page, ("Downloads",)),
            *(Page(f"{FOLDER}/{name}", content) for name, (content, _, _) in files.items())]
