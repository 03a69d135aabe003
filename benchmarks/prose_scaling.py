"""Build time against the length of one study's prose: 10 KB, 100 KB and 1 MB (figures only).

    python benchmarks/prose_scaling.py                 # prose in `notes`
    python benchmarks/prose_scaling.py --field participants --sizes 10,100

Each size builds a fresh one-study synthetic project (benchmarks/synthetic.py) whose field
holds generated prose in one paragraph with a punctuation mark after every word (commas, full
stops, parentheses, quotes, colons, slashes), with `livingreview build`'s library function, and
prints the seconds of the whole build and the seconds per KB above the same build with a
one-sentence value (1 KB = 1,000 characters: a study file may hold at most 1 MiB).
Python-Markdown once made this quadratic (220 s for 740 KB): record text in inline context
became a numeric reference per punctuation mark, and its inline processor rebuilds the line for
each one. Record text is now written as raw HTML blocks Markdown does not scan
(build_tools.core.mdtext.prose), so the figure per KB should stay flat. Not a test: a 2-core
machine shared with other work varies by ±20 %.
"""

from __future__ import annotations

import argparse
import html
import random
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import WORDS, write_synthetic_project
from build_tools.site.build import build_site

MARKS = (", ", ". ", "; ", ": ", " (", ") ", " \"", "\" ", "'s ", " / ", " - ", "? ")


def prose(size: int, seed: int = 11) -> str:
    """About `size` characters of synthetic prose as one paragraph: the worst case, since
    Markdown processes a paragraph's inline text as one string."""
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS) + rng.choice(MARKS)
        parts.append(word)
        length += len(word)
    return "".join(parts)[:size].strip()


def build_seconds(field: str, text: str) -> float:
    with tempfile.TemporaryDirectory(prefix="prose-scaling-") as folder:
        project = write_synthetic_project(Path(folder), 1)
        path = next(project.studies_dir.glob("*.yaml"))
        record = yaml.safe_load(path.read_text("utf-8"))
        record.pop(field, None)
        # A literal block keeps the file near the text's size (records may be at most 1 MiB).
        block = "".join(f"  {line}\n" if line else "\n" for line in text.splitlines())
        path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True)
                        + f"{field}: |-\n{block}", "utf-8")
        start = time.perf_counter()
        site = build_site(project)
        seconds = time.perf_counter() - start
        page = (site / "studies" / path.stem / "index.html").read_text("utf-8")
        if text.split()[-1] not in html.unescape(page):
            raise SystemExit(f"the end of the {field} text is not on the study page")
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--field", default="notes", help="the study field to fill (default notes)")
    parser.add_argument("--sizes", default="10,100,1000",
                        help="sizes in KB of 1,000 characters (default 10,100,1000)")
    arguments = parser.parse_args()
    base = build_seconds(arguments.field, "One sentence of synthetic prose.")
    print(f"field {arguments.field}; baseline build (one sentence): {base:.2f} s")
    print(f"{'KB':>6} {'seconds':>8} {'above baseline':>15} {'s per KB':>9}")
    for kb in (int(s) for s in arguments.sizes.split(",")):
        seconds = build_seconds(arguments.field, prose(kb * 1000))
        extra = seconds - base
        print(f"{kb:>6} {seconds:>8.2f} {extra:>15.2f} {extra / kb:>9.4f}")


if __name__ == "__main__":
    main()
