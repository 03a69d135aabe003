"""The mkdocs.yml of an exported documentation tree: the project's own, without our plugin.

The project's file is read as data, keeping tags MkDocs and Material resolve themselves (`!ENV`,
`!!python/name:` for emoji and Pygments functions) exactly as written, so the exported file means
what the original meant. Only what the plugin would have set is changed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from build_tools.core.errors import BuildError
from build_tools.site.site_assets import with_assets
from build_tools.site.tex_math import with_math

PLUGIN_NAME = "living-review"
DOCS_DIR = "docs"
THEME_OVERRIDES = "overrides"


class Tagged:
    """A YAML value under a tag we do not resolve (`!ENV`, `!!python/name:`), kept as written."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value

    def __repr__(self) -> str:
        return f"Tagged({self.tag!r}, {self.value!r})"


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return Tagged(node.tag, value)


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Loader.add_multi_constructor("!", _construct_tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_tagged)
def _represent_text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data.rstrip("\n") or data.endswith("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(Tagged, _represent_tagged)
_Dumper.add_representer(str, _represent_text)


def read_config(path: Path, shown: str) -> dict[str, Any]:
    """The project's mkdocs.yml as a mapping, tags kept; `shown` names it in messages."""
    try:
        data = yaml.load(path.read_text("utf-8-sig"), Loader=_Loader)  # a SafeLoader
    except (OSError, yaml.YAMLError) as error:
        raise BuildError(f"{shown}: cannot be read: {error}".splitlines()[0]) from None
    if not isinstance(data, dict):
        raise BuildError(f"{shown}: is not a mapping of MkDocs settings")
    if "INHERIT" in data:
        raise BuildError(f"{shown}: INHERIT is not supported by export-docs; copy the inherited "
                         "settings into this file")
    return data


def dump_config(config: dict[str, Any]) -> str:
    return yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=math.inf, default_flow_style=False)


def without_plugin(plugins: Any) -> Any:
    """The `plugins` setting with ours removed (a list of names or one-key mappings, or a map)."""
    if isinstance(plugins, dict):
        return {name: value for name, value in plugins.items() if name != PLUGIN_NAME}
    if isinstance(plugins, list):
        return [entry for entry in plugins
                if entry != PLUGIN_NAME and not (isinstance(entry, dict) and PLUGIN_NAME in entry)]
    return plugins


def exported_config(raw: dict[str, Any], *, config_dir: Path, site_name: str,
                    extra: dict[str, Any], nav: list[Any],
                    not_in_nav: Sequence[str]) -> dict[str, Any]:
    """The tree's mkdocs.yml: `raw` with our plugin's work written in as plain settings."""
    config = dict(raw)
    config["site_name"] = site_name
    config["docs_dir"] = DOCS_DIR
    config["site_dir"] = "site"
    theme = raw.get("theme") or {}
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    theme["custom_dir"] = THEME_OVERRIDES
    config["theme"] = theme
    plugins = without_plugin(raw.get("plugins", ["search"]))
    config["plugins"] = plugins
    config["extra"] = {**(raw.get("extra") or {}), **extra}
    config["nav"] = nav
    patterns = [str(raw["not_in_nav"]).strip()] if raw.get("not_in_nav") else []
    patterns += not_in_nav
    if patterns:
        config["not_in_nav"] = "\n".join(patterns) + "\n"
    config = with_math(with_assets(config))
    config.pop("watch", None)  # only `mkdocs serve` reads it, and its paths are the project's
    if raw.get("hooks"):
        # Hook files stay in the project: point at them rather than copy code around.
        config["hooks"] = [str((config_dir / str(hook)).resolve()) for hook in raw["hooks"]]
    return config
