"""YAML frontmatter at the top of a note (``---`` … ``---``)."""
from __future__ import annotations

import yaml

from ..model import Diagnostic

DECK_KEYS = ("deck", "anki-deck", "anki_deck", "target-deck", "target deck")


def split_frontmatter(text: str, rel: str, diagnostics: list[Diagnostic]) -> tuple[dict, int]:
    """(frontmatter mapping, 1-based line where the body starts). Bad YAML → warning, {}."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, 1
    for no in range(1, len(lines)):
        if lines[no].rstrip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[1:no])) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 2 if mark else 1
                diagnostics.append(Diagnostic(rel, line, "warning", "frontmatter is not valid YAML; ignored"))
                return {}, no + 2
            if not isinstance(data, dict):
                diagnostics.append(Diagnostic(rel, 1, "warning", "frontmatter is not a mapping; ignored"))
                return {}, no + 2
            return data, no + 2
    return {}, 1  # no closing line: not frontmatter


def frontmatter_tags(data: dict) -> list[str]:
    """``tags:``/``tag:`` as a YAML list or a string of space/comma-separated tags."""
    out: list[str] = []
    for key in ("tags", "tag"):
        value = data.get(key)
        if isinstance(value, str):
            out += value.replace(",", " ").split()
        elif isinstance(value, list):
            out += [str(v).strip() for v in value if v is not None and str(v).strip()]
    return out


def frontmatter_deck(data: dict) -> str | None:
    for key in DECK_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
