"""The ``[dupes]`` settings :func:`notes2anki.semantic.dupes.find_duplicates` reads: the ``ignore`` list
(pairs kept on purpose, by card ID or ``file.md:LINE``) parsed and matched to cards, and the validated
model / threshold of a :class:`notes2anki.config.Config`."""
from __future__ import annotations

import re
from itertools import combinations
from typing import Any, Sequence

from notes2anki.model import Card
from notes2anki.unicode_paths import nfc

_WHERE = re.compile(r"^(?P<file>.+?):(?P<line>\d+)$")


def _ref_matches(ref: int | tuple[str, int], card: Card) -> bool:
    if isinstance(ref, int):
        return card.id == ref
    path, line = ref
    return nfc(card.file) == path and (card.line == line or card.line <= line <= card.end_line)


def parse_ignore(entries: Any) -> tuple[list[list[int | tuple[str, int]]], list[str]]:
    """The ``[dupes] ignore`` list: each entry a list of two or more card references; every pair among
    them is ignored. A reference is a card ID (``1768062256217`` or ``"1768062256217"``) or
    ``"path/in/vault.md:LINE"`` with the line of the card's START (any line of the block works; the path
    is kept in Unicode NFC and matched to the NFC form of each card's file).
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
                refs.append((nfc(m.group("file").removeprefix("./")), int(m.group("line"))))
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


def moved_line_refs(entries: Any, cards: Sequence[Card], changed: dict[str, dict[int, int]]) -> list[str]:
    """Warnings for the ``[dupes] ignore`` references by ``file.md:LINE`` into notes whose lines ``ids``
    has just moved (``changed``: vault path → {1-based line of each card that got an ID → that ID}): an ID
    inserted above a card shifts its line, so the reference would match another card or none. Each
    warning names the card's ID to write instead. ``cards``: the vault's cards as read before writing."""
    parsed, _ = parse_ignore(entries)
    changed = {nfc(path): lines for path, lines in changed.items()}  # references are NFC (parse_ignore)
    out: list[str] = []
    for ref in (r for entry in parsed for r in entry if not isinstance(r, int)):
        path, line = ref
        if path not in changed or not any(at < line for at in changed[path]):
            continue
        card = next((c for c in cards if _ref_matches(ref, c)), None)
        ident = card.id if card is not None and card.id is not None else \
            changed[path].get(card.line) if card is not None else None
        hint = f"write its ID {ident} instead" if ident else "write the card's ID instead"
        out.append(f"[dupes] ignore reference \"{path}:{line}\" no longer names that card: IDs were added "
                   f"above it; {hint}")
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
