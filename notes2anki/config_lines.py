"""Where a key of `.notes2anki.toml` is written, and how a message names it.

``tomllib`` keeps no positions, so a message's line is read from the text's TOML structure
(:mod:`notes2anki.toml_positions`): the line of a key path (:func:`line_of`), and of one item of an array
value, however the array is spread over lines (``[dupes] ignore`` written one pair a line). A key path with list positions is
named for a person, counting from 1 (:func:`key_text`: ``dupes.ignore, entry 2, reference 1``). A value is
shown as the file writes it (:func:`shown`: ``"x"``, ``true``, ``["a", "b"]``), never in Python's form.
"""
from __future__ import annotations

import json
import re
from typing import Any, Sequence

# What the positions of a key's nested lists are called in messages (outermost first); others: entry, item.
_ITEM_WORDS = {"dupes.ignore": ("entry", "reference")}


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_LONGEST = 60  # characters of a string shown; longer ones lose their middle
_ITEMS = 6  # items of a list or table shown


def shown(value: Any, depth: int = 0) -> str:
    """A configuration value as TOML (and JSON) write it, for a message: ``"x"`` (escapes as TOML reads
    them), ``true`` / ``false``, ``5``, ``["a", "b"]``, ``{ Basic = "Front" }``; a long string loses its
    middle (``"abc…xyz"``), a long list or table its tail (``…``), values nested deeper than 3 are ``…``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if len(value) > _LONGEST:
            value = value[:_LONGEST // 2 - 1] + "…" + value[-(_LONGEST // 2 - 1):]
        return json.dumps(value, ensure_ascii=False)
    if depth >= 3 and isinstance(value, (list, tuple, dict)):
        return "…"
    if isinstance(value, (list, tuple)):
        items = [shown(v, depth + 1) for v in value[:_ITEMS]] + (["…"] if len(value) > _ITEMS else [])
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        items = [f"{toml_key(str(k))} = {shown(v, depth + 1)}" for k, v in list(value.items())[:_ITEMS]]
        return "{ " + ", ".join(items + (["…"] if len(value) > _ITEMS else [])) + " }" if items else "{}"
    if value is None:
        return "nothing"
    return shown(str(value), depth)


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be (``sub``, ``folder_decks``), else quoted (``"./sub"``,
    ``"Basic (and reversed card)"``)."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def key_text(loc: Sequence[object], toml: bool = True) -> str:
    """A key path as a message names it: ``("dupes", "ignore", 1, 0)`` → ``dupes.ignore, entry 2,
    reference 1``; ``("ignore", 0)`` → ``ignore, entry 1``; no positions: the dotted path, each key as TOML
    writes it (``folder_decks."./sub"``, ``folder_decks."a.b"``, as the other messages name them; ``toml``
    false: as written, for the plugin's JSON keys). A position is an int; a table key is text (``"2024"``)."""
    quoted = toml_key if toml else str
    head: list[str] = []
    tail: list[str] = []
    depth = 0
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):  # a list position (a table key is text)
            words = _ITEM_WORDS.get(".".join(head), ("entry", "item"))
            tail.append(f"{words[min(depth, len(words) - 1)]} {part + 1}")
            depth += 1
        elif tail:
            tail[-1] += f".{quoted(str(part))}"
        else:
            head.append(quoted(str(part)))
    return ", ".join([".".join(head) or "(top level)", *tail])


# Build keys may be written at the top level or under [build] ([build] wins): a message about the value in use
# names the line of the one used. (config_schema.BuildKeys' fields; kept here so that no pydantic is imported.)
_BUILD_TABLE = "build"
_CACHE: dict[str, dict[tuple[str, ...], int]] = {}


def written_at(text: str) -> dict[tuple[str, ...], int]:
    """:func:`notes2anki.toml_positions.positions` of ``text``, read once per text."""
    if text not in _CACHE:
        from .toml_positions import positions

        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[text] = positions(text)
    return _CACHE[text]


def line_of(text: str, loc: Sequence[object], exact: bool = False) -> int:
    """The line of `.notes2anki.toml` where the key at ``loc`` is written (0 when not found), read from the
    TOML's structure (:mod:`notes2anki.toml_positions`): a key of one table is never found in another. List
    positions in ``loc`` (``("dupes", "ignore", 1)``, 0-based) give the line of that item, however the array
    is spread over lines; a part that the file does not write (a validator's name in a pydantic location) is
    passed over. A build key (``("folder_tags", "sub")``) is looked for under ``[build]`` first, where the value
    in use comes from when both are written; ``exact``: only as ``loc`` says (a problem of the top-level
    value itself)."""
    loc = tuple(str(p) for p in loc)
    if not text or not loc:
        return 0
    found = written_at(text)
    if not exact and loc[0] != _BUILD_TABLE and (_BUILD_TABLE, loc[0]) in found:
        line = _deepest(found, (_BUILD_TABLE, *loc))
        if line:
            return line
    return _deepest(found, loc)


def is_written(text: str, loc: Sequence[object]) -> bool:
    """Whether the key path ``loc`` is written in ``text`` as it is (not under ``[build]`` instead)."""
    return bool(text) and tuple(str(p) for p in loc) in written_at(text)


def _deepest(found: dict[tuple[str, ...], int], loc: tuple[str, ...]) -> int:
    """The line of the longest written path along ``loc`` (parts not written passed over); 0 when its first
    part is not written."""
    if loc[:1] not in found:
        return 0
    path: tuple[str, ...] = ()
    for part in loc:
        if (*path, part) in found:
            path = (*path, part)
    return found[path]


def item_line(text: str, key_line: int, positions: Sequence[int]) -> int:
    """Kept for callers: the line of the item at ``positions`` (0-based, outermost first) of the array whose
    key is written on line ``key_line``; 0 when there is none."""
    found = written_at(text)
    for path, line in found.items():
        if line == key_line and (*path, *map(str, positions)) in found:
            return found[(*path, *map(str, positions))]
    return 0
