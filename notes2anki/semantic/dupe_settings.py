"""The ``[dupes]`` settings :func:`notes2anki.semantic.dupes.find_duplicates` reads: the ``ignore`` list
(pairs kept on purpose, by card ID or ``file.md:LINE``) parsed and matched to cards, and the validated
model / threshold of a :class:`notes2anki.config.Config`."""
from __future__ import annotations

import re
from itertools import combinations
from typing import Any, Sequence

from notes2anki.model import Card, Diagnostic
from notes2anki.config_lines import shown
from notes2anki.unicode_paths import nfc

_WHERE = re.compile(r"^(?P<file>.+?):(?P<line>\d+)$")


def _ref_matches(ref: int | tuple[str, int], card: Card) -> bool:
    if isinstance(ref, int):
        return card.id == ref
    path, line = ref
    return nfc(card.file) == path and (card.line == line or card.line <= line <= card.end_line)


def _parse_ref(ref: Any) -> int | tuple[str, int] | None:
    """A card reference as written (an ID, ``"ID"`` or ``"file.md:LINE"``) → ID or (path, line); None when
    it is neither."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ref
    if isinstance(ref, str) and ref.strip().isascii() and ref.strip().isdigit():
        return int(ref.strip())
    if isinstance(ref, str) and (m := _WHERE.match(ref.strip().replace("\\", "/"))):
        return nfc(m.group("file").removeprefix("./")), int(m.group("line"))  # matched to each card's NFC path
    return None


def _shown(ref: int | tuple[str, int]) -> str:
    return f"card ID {ref}" if isinstance(ref, int) else f'"{ref[0]}:{ref[1]}"'


def parse_ignore(entries: Any) -> tuple[list[list[int | tuple[str, int]]], list[str]]:
    """The ``[dupes] ignore`` list: each entry a list of two or more card references; every pair among
    them is ignored. A reference is a card ID (``1768062256217`` or ``"1768062256217"``) or
    ``"path/in/vault.md:LINE"`` with the line of the card's START (any line of the block works; the path
    is kept in Unicode NFC and matched to the NFC form of each card's file).
    Returns (entries, warnings about malformed ones). (The configuration loader rejects those already;
    this is for callers that pass a list of their own.)"""
    if entries in (None, ()):
        return [], []
    warnings: list[str] = []
    parsed: list[list[int | tuple[str, int]]] = []
    if not isinstance(entries, (list, tuple)):
        return [], [f"[dupes] ignore must be a list of lists of card references, got {shown(entries)}"]
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, (list, tuple)) or len(entry) < 2:
            warnings.append(f"[dupes] ignore, entry {n} {shown(entry)} skipped: give two or more card references")
            continue
        refs: list[int | tuple[str, int]] = []
        for ref in entry:
            found = _parse_ref(ref)
            if found is None:
                warnings.append(f"[dupes] ignore reference {shown(ref)} not understood: use a card ID or "
                                f"\"file.md:LINE\"")
            else:
                refs.append(found)
        if len(refs) >= 2:
            parsed.append(refs)
    return parsed, warnings


def _ignored_pairs(entries: list[list[int | tuple[str, int]]], cards: Sequence[Card]) -> set[frozenset[int]]:
    """Index pairs (as frozensets of positions in ``cards``) the ignore list covers."""
    out: set[frozenset[int]] = set()
    for entry in entries:
        groups = [[i for i, card in enumerate(cards) if _ref_matches(ref, card)] for ref in entry]
        for ga, gb in combinations(groups, 2):
            out.update(frozenset((i, j)) for i in ga for j in gb if i != j)
    return out


def unmatched_references(entries: Any, cards: Sequence[Card]) -> list[tuple[int, int, str]]:
    """The references of the ``[dupes] ignore`` ``entries`` (as written) that name none of ``cards`` (those
    marked DELETE do not count): ``(entry, reference, what it says)``, positions 0-based in the list as
    written (see :func:`ignore_problems` for the messages)."""
    if not isinstance(entries, (list, tuple)):
        return []
    live = [card for card in cards if not card.delete]
    ids = {card.id for card in live if card.id is not None}
    out = []
    for n, entry in enumerate(entries):
        for k, ref in enumerate(entry if isinstance(entry, (list, tuple)) else ()):
            found = _parse_ref(ref)
            if found is None:
                continue
            if found in ids if isinstance(found, int) else any(_ref_matches(found, card) for card in live):
                continue
            out.append((n, k, _shown(found)))
    return out


def ignore_problems(config: Any, cards: Sequence[Card]) -> list[Diagnostic]:
    """A warning for each ``[dupes] ignore`` reference of ``config`` that names none of ``cards``, at the
    line of `.notes2anki.toml` where that reference is written (tester 12-03: they were reported for the
    "vault", with no line): the pair it was meant to keep is reported again."""
    entries = getattr(getattr(config, "dupes", None), "ignore", None) or []
    return [_located(config, n, k, f"{what} matches no card; pairs with it are not ignored")
            for n, k, what in unmatched_references(entries, cards)]


def _located(config: Any, entry: int, ref: int, message: str) -> Diagnostic:
    from notes2anki.config_files import CONFIG_FILE
    from notes2anki.config_lines import key_text

    line = config.line_of("dupes", "ignore", entry, ref) if hasattr(config, "line_of") else 0
    return Diagnostic(CONFIG_FILE, line, "warning", f"{key_text(['dupes', 'ignore', entry, ref])}: {message}")


def moved_line_refs(config: Any, cards: Sequence[Card], changed: dict[str, dict[int, int]]) -> list[Diagnostic]:
    """Warnings for the ``[dupes] ignore`` references of ``config`` by ``file.md:LINE`` into notes whose lines
    ``ids`` has just moved (``changed``: vault path → {1-based line of each card that got an ID → that ID}):
    an ID inserted above a card shifts its line, so the reference would match another card or none. Each
    warning, at the reference's line of `.notes2anki.toml`, names the card's ID to write instead. ``cards``:
    the vault's cards as read before writing."""
    entries = config.dupes.ignore or []
    changed = {nfc(path): lines for path, lines in changed.items()}  # references are NFC (_parse_ref)
    out: list[Diagnostic] = []
    for n, entry in enumerate(entries):
        for k, written in enumerate(entry):
            ref = _parse_ref(written)
            if ref is None or isinstance(ref, int):
                continue
            path, line = ref
            if path not in changed or not any(at < line for at in changed[path]):
                continue
            card = next((c for c in cards if _ref_matches(ref, c)), None)
            ident = card.id if card is not None and card.id is not None else \
                changed[path].get(card.line) if card is not None else None
            hint = f"write its ID {ident} instead" if ident else "write the card's ID instead"
            out.append(_located(config, n, k, f"\"{path}:{line}\" no longer names that card: IDs were added "
                                              f"above it; {hint}"))
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
