"""The ``[dupes]`` settings :func:`notes2anki.semantic.dupes.find_duplicates` reads: the ``ignore`` list
(pairs kept on purpose, by card ID or ``file.md:LINE``) parsed and matched to cards, and the validated
model / threshold of a :class:`notes2anki.config.Config`."""
from __future__ import annotations

import re
from itertools import combinations
from typing import Any, Sequence

from notes2anki.model import Card

_WHERE = re.compile(r"^(?P<file>.+?):(?P<line>\d+)$")


def _ref_matches(ref: int | tuple[str, int], card: Card) -> bool:
    if isinstance(ref, int):
        return card.id == ref
    path, line = ref
    return card.file == path and (card.line == line or card.line <= line <= card.end_line)


def parse_ignore(entries: Any) -> tuple[list[list[int | tuple[str, int]]], list[str]]:
    """The ``[dupes] ignore`` list: each entry a list of two or more card references; every pair among
    them is ignored. A reference is a card ID (``1768062256217`` or ``"1768062256217"``) or
    ``"path/in/vault.md:LINE"`` with the line of the card's START (any line of the block works).
    Returns (entries, warnings about malformed ones)."""
    if entries in (None, ()):
        return [], []
    warnings: list[str] = []
    parsed: list[list[int | tuple[str, int]]] = []
    if not isinstance(entries, (list, tuple)):
        return [], [f"[dupes] ignore must be a list of lists of card references, got {entries!r}"]
    for entry in entries:
        if not isinstance(entry, (list, tuple)) or len(entry) < 2:
            warnings.append(f"[dupes] ignore entry {entry!r} skipped: give two or more card references")
            continue
        refs: list[int | tuple[str, int]] = []
        for ref in entry:
            if isinstance(ref, int) and not isinstance(ref, bool):
                refs.append(ref)
            elif isinstance(ref, str) and ref.strip().isdigit():
                refs.append(int(ref.strip()))
            elif isinstance(ref, str) and (m := _WHERE.match(ref.strip().replace("\\", "/"))):
                refs.append((m.group("file").removeprefix("./"), int(m.group("line"))))
            else:
                warnings.append(f"[dupes] ignore reference {ref!r} not understood: use a card ID or "
                                f"\"file.md:LINE\"")
        if len(refs) >= 2:
            parsed.append(refs)
    return parsed, warnings


def _ignored_pairs(entries: list[list[int | tuple[str, int]]], cards: Sequence[Card],
                   warnings: list[str]) -> set[frozenset[int]]:
    """Index pairs (as frozensets of positions in ``cards``) the ignore list covers."""
    out: set[frozenset[int]] = set()
    for entry in entries:
        groups = []
        for ref in entry:
            hits = [i for i, card in enumerate(cards) if _ref_matches(ref, card)]
            if not hits:
                shown = ref if isinstance(ref, int) else f"{ref[0]}:{ref[1]}"
                warnings.append(f"[dupes] ignore reference {shown} matches no card")
            groups.append(hits)
        for ga, gb in combinations(groups, 2):
            out.update(frozenset((i, j)) for i in ga for j in gb if i != j)
    return out


def settings_from_config(config: Any) -> tuple[str | None, float | None, Any, list[str]]:
    """(model, threshold, ignore entries, warnings) from the validated ``config.semantic.model`` and
    ``config.dupes`` of a :class:`notes2anki.config.Config` (None where unset; the configuration loader
    has already reported invalid values)."""
    if config is None:
        return None, None, (), []
    semantic, dupes = getattr(config, "semantic", None), getattr(config, "dupes", None)
    model = getattr(semantic, "model", None)
    threshold = getattr(dupes, "threshold", None)
    ignore = [list(entry) for entry in getattr(dupes, "ignore", ())]
    return model, None if threshold is None else float(threshold), ignore, []
