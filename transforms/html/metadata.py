"""HTML mode: the metadata fields trafilatura read from the page (pure)."""

from __future__ import annotations

import re

from transforms.html.parse import norm_space


def authors_of(value: str | None) -> list[str]:
    """trafilatura's ``"A; B"`` author string as a list, once each."""
    if not value:
        return []
    out = []
    for part in re.split(r"\s*;\s*", value):
        part = norm_space(part)
        if part and part not in out:
            out.append(part)
    return out


def metadata_of(doc, extractor: str = "trafilatura") -> dict[str, str]:
    """The other metadata trafilatura found, as strings."""
    meta = {"extractor": extractor}
    for name in ("sitename", "hostname", "image", "pagetype", "license", "language"):
        value = getattr(doc, name, None)
        if value:
            meta[name] = str(value)
    for name in ("categories", "tags"):
        value = getattr(doc, name, None)
        if value:
            meta[name] = ", ".join(str(v) for v in value if v)
    return meta
