"""Babel extractor: the framework's texts go into the same catalog as the interface."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

TRANSLATABLE = ("title", "description", "question", "guidance", "unit")
STAGES = {1: "Start-up", 2: "Formative", 3: "Established", 4: "Strategic", 5: "Dynamic"}


def _scalars(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _message(node: yaml.Node, context: str) -> Iterator[tuple]:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str") and node.value.strip():
        text = yaml.safe_load(yaml.serialize(node))  # same folding/stripping as the loader
        if isinstance(text, str) and text.strip():
            yield node.start_mark.line + 1, None, text.strip(), [context]


def _count_message(one: yaml.Node, other: yaml.Node, code: str) -> Iterator[tuple]:
    """The number and its unit as a plural message (Arabic has six forms; '1 cases' is wrong)."""
    if all(isinstance(node, yaml.ScalarNode) and node.value.strip() for node in (one, other)):
        yield (
            one.start_mark.line + 1,
            "ngettext",
            count_with_unit(one.value.strip(), other.value.strip()),
            [f"i18n: a number and its unit, for indicator {code}"],
        )


def count_with_unit(one: str, other: str) -> tuple[str, str]:
    """The singular and plural msgids of a count with this unit ('%(number)s case')."""
    return "%(number)s " + one, "%(number)s " + other


def _indicator(node: yaml.MappingNode, pillar: str) -> Iterator[tuple]:
    fields = _scalars(node)
    code = fields["id"].value if "id" in fields else "?"
    for key in TRANSLATABLE:
        if key in fields:
            yield from _message(fields[key], f"i18n: {key} of indicator {code} (pillar {pillar})")
    if "unit" in fields and "unit_one" in fields:
        yield from _count_message(fields["unit_one"], fields["unit"], code)
    if isinstance(fields.get("references"), yaml.SequenceNode):
        for reference in fields["references"].value:
            ref = _scalars(reference) if isinstance(reference, yaml.MappingNode) else {}
            if "provision" in ref:
                instrument = ref["instrument"].value if "instrument" in ref else "?"
                yield from _message(
                    ref["provision"], f"i18n: part of the instrument '{instrument}' that indicator {code} reflects"
                )
    if isinstance(fields.get("options"), yaml.SequenceNode):
        for option in fields["options"].value:
            parts = _scalars(option) if isinstance(option, yaml.MappingNode) else {}
            if "label" in parts:
                option_id = parts["id"].value if "id" in parts else "?"
                yield from _message(parts["label"], f"i18n: answer '{option_id}' offered by {code}")
    if isinstance(fields.get("levels"), yaml.MappingNode):
        for level_key, text in fields["levels"].value:
            stage = STAGES.get(int(level_key.value), level_key.value)
            yield from _message(text, f"i18n: what a country at stage '{stage}' has, for {code}")


def extract_framework(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    """Yield (line, function, message, comments) for every text of a framework file."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if not isinstance(root, yaml.MappingNode):
        return
    top = _scalars(root)
    for key in ("title", "description"):
        if key in top:
            yield from _message(top[key], f"i18n: framework {key}")
    if isinstance(top.get("instruments"), yaml.MappingNode):
        for name, title in top["instruments"].value:
            yield from _message(title, f"i18n: name of the legal instrument '{name.value}'")
    for pillar in top.get("pillars", yaml.SequenceNode("", [])).value:
        fields = _scalars(pillar)
        code = fields["id"].value if "id" in fields else "?"
        for key in ("title", "description"):
            if key in fields:
                yield from _message(fields[key], f"i18n: {key} of the pillar '{code}'")
        for indicator in fields.get("indicators", yaml.SequenceNode("", [])).value:
            yield from _indicator(indicator, code)
