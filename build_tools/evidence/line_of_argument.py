"""What supports each node of the line-of-argument model: its themes, subthemes and studies.

A node names the subthemes and themes it draws on (review.yaml `line_of_argument.nodes`); the
studies that support it are those contributing to any of them, or to any node below them in the
theme tree, each once, in the site's order of studies. Nothing here is curated by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from build_tools.evidence.assemble import Evidence, Study, Subtheme
from build_tools.evidence.review import ArgumentLevel, ArgumentNode, LineOfArgument


@dataclass(frozen=True)
class SupportedNode:
    """A node with its level and what supports it (`draws_on`: its subthemes, then its themes,
    as nodes of the theme tree; a theme is a node of depth 0)."""

    node: ArgumentNode
    level: ArgumentLevel
    draws_on: tuple[Subtheme, ...]
    studies: tuple[Study, ...]


def supported_nodes(evidence: Evidence, model: LineOfArgument) -> tuple[SupportedNode, ...]:
    """Every node in the model's order, with its support; a reference validation would refuse
    (an undeclared level, subtheme or theme) is left out rather than guessed."""
    known = {t.id for t in evidence.themes} | {s.id for t in evidence.themes for s in t.subthemes}
    order = {study.id: position for position, study in enumerate(evidence.studies)}
    result = []
    for node in model.nodes:
        level = model.level(node.level) or ArgumentLevel(node.level, node.level)
        names = dict.fromkeys(n for n in (*node.subthemes, *node.themes) if n in known)
        draws_on = tuple(evidence.subtheme(name) for name in names)
        studies = {study.id: study for part in draws_on for study in part.all_studies}
        result.append(SupportedNode(node, level, draws_on,
                                    tuple(sorted(studies.values(), key=lambda s: order[s.id]))))
    return tuple(result)


def levels_in_use(model: LineOfArgument) -> tuple[ArgumentLevel, ...]:
    """The rows of the drawing: the declared levels that hold a node, in order, then any level
    a node names that is not declared (only on unvalidated data)."""
    named = dict.fromkeys(node.level for node in model.nodes)
    declared = [level for level in model.levels if level.id in named]
    known = {level.id for level in declared}
    return (*declared, *(ArgumentLevel(name, name) for name in named if name not in known))
