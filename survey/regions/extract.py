"""Babel extractor: region names from the regions file go into the interface catalog."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml


def extract_regions(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    """Yield (line, function, message, comments) for each region's name and short name."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if not isinstance(root, yaml.MappingNode):
        return
    top = {k.value: v for k, v in root.value}
    for region in getattr(top.get("regions"), "value", []):
        fields = {k.value: v for k, v in region.value}
        code = getattr(fields.get("code"), "value", "?")
        for key in ("name", "short_name"):
            node = fields.get(key)
            if isinstance(node, yaml.ScalarNode) and node.value.strip():
                yield (
                    node.start_mark.line + 1,
                    None,
                    node.value.strip(),
                    [f"i18n: {key} of the region '{code}'"],
                )
