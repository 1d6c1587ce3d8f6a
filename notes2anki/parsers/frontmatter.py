"""YAML frontmatter at the top of a note (``---`` … ``---``).

Bounded: frontmatter over ``MAX_FRONTMATTER_BYTES`` is ignored with a warning, and YAML aliases
(``*name``) are refused beyond ``MAX_ALIASES``, and frontmatter whose values, aliases expanded, number
more than ``MAX_NODES`` is ignored (a "billion laughs" document of nested aliases would otherwise expand
to gigabytes when its values are read). Keys are matched case-insensitively
(``Tags``, ``TAGS``, ``Deck``). The plugin's ``TARGET DECK`` / ``FILE TAGS`` lines (with the words the
vault's syntax settings give them) count inside frontmatter too, as the plugin reads them anywhere in
the file — also when the YAML is not valid.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from ..model import Diagnostic

DECK_KEYS = ("deck", "anki-deck", "anki_deck", "target-deck", "target_deck", "target deck")
TAG_KEYS = ("tags", "tag", "file tags", "file-tags", "file_tags")
MAX_FRONTMATTER_BYTES = 64 * 1024  # frontmatter larger than this is ignored (warning)
MAX_ALIASES = 20  # YAML aliases (*name) allowed in one frontmatter
MAX_NODES = 10_000  # values in the frontmatter once aliases are expanded


class _TooManyAliases(yaml.YAMLError):
    pass


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader (no Python objects) that refuses more than ``MAX_ALIASES`` aliases and reads
    every plain scalar but ``null``/``~`` as the text written: PyYAML follows YAML 1.1, where ``deck: 3.10``
    is the number 3.1, ``010`` is 8, ``1:20`` is 80, ``yes``/``no``/``on``/``off`` are booleans and
    ``2024-01-01`` a date; a deck or tag name is what the user typed."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _TooManyAliases(f"more than {MAX_ALIASES} YAML aliases")
        return super().compose_node(parent, index)


_KEPT_RESOLVERS = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"}
_BoundedLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag in _KEPT_RESOLVERS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def split_frontmatter(text: str, rel: str, diagnostics: list[Diagnostic],
                      syntax: Any = None) -> tuple[dict, int]:
    """(frontmatter mapping with keys as written, 1-based line where the body starts).

    Bad YAML, too many aliases, too large, not a mapping → a warning and {} (or, when the plugin's
    ``TARGET DECK`` / ``FILE TAGS`` lines are in it, a mapping of just those; see
    :func:`plugin_lines`). ``syntax``: the vault's :class:`notes2anki.config.Syntax` (default words
    when None).
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, 1
    for no in range(1, len(lines)):
        if lines[no].rstrip() not in ("---", "..."):
            continue
        source = "\n".join(lines[1:no])
        body_start = no + 2
        fallback = plugin_lines(lines[1:no], syntax)
        if len(source.encode("utf-8")) > MAX_FRONTMATTER_BYTES:
            diagnostics.append(Diagnostic(rel, 1, "warning", f"frontmatter larger than "
                                          f"{MAX_FRONTMATTER_BYTES // 1024} KiB; ignored"))
            return fallback, body_start
        try:
            data = yaml.load(source, Loader=_BoundedLoader) or {}  # noqa: S506 - a SafeLoader subclass
        except _TooManyAliases as exc:
            diagnostics.append(Diagnostic(rel, 1, "warning", f"frontmatter has {exc}; ignored"))
            return fallback, body_start
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            diagnostics.append(Diagnostic(rel, line, "warning", "frontmatter is not valid YAML; ignored"
                                          + ("" if not fallback else " (its deck and file tags lines "
                                             "are read as the plugin reads them)")))
            return fallback, body_start
        if not isinstance(data, dict):
            diagnostics.append(Diagnostic(rel, 1, "warning", "frontmatter is not a mapping; ignored"))
            return fallback, body_start
        if _expanded_size(data, MAX_NODES) > MAX_NODES:
            diagnostics.append(Diagnostic(rel, 1, "warning", f"frontmatter has more than {MAX_NODES} values "
                                          "once its YAML aliases are expanded; ignored"))
            return fallback, body_start
        return data, body_start
    return {}, 1  # no closing line: not frontmatter


def _expanded_size(data: Any, limit: int) -> int:
    """How many values ``data`` holds with shared (aliased) parts counted each time; stops past
    ``limit``."""
    count, stack = 0, [data]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend(item)
    return count


def plugin_lines(lines: list[str], syntax: Any = None) -> dict[str, str]:
    """The plugin's ``TARGET DECK: x`` / ``FILE TAGS: a b`` lines (or the word alone, value on the next
    line) among ``lines``, as ``{"target deck": x, "file tags": "a b"}`` (keys: the syntax words,
    lower-cased)."""
    deck_word = getattr(syntax, "target_deck_line", "TARGET DECK")
    tags_word = getattr(syntax, "file_tags_line", "FILE TAGS")
    out: dict[str, str] = {}
    for word in (deck_word, tags_word):
        rule = re.compile(re.escape(word) + r"(?:: (.*)|$)")
        for i, line in enumerate(lines):
            m = rule.match(line)
            if not m:
                continue
            value = m.group(1) if m.group(1) is not None else (lines[i + 1] if i + 1 < len(lines) else "")
            if value.strip():
                out.setdefault(word.casefold(), value.strip())
                break
    return out


def _lookup(data: dict, keys: tuple[str, ...]) -> list[Any]:
    """Values of ``data`` whose key matches one of ``keys`` case-insensitively, in ``keys`` order."""
    folded: dict[str, list[Any]] = {}
    for key, value in data.items():
        if isinstance(key, str):
            folded.setdefault(key.strip().casefold(), []).append(value)
    return [v for key in keys for v in folded.get(key, [])]


def frontmatter_tags(data: dict, syntax: Any = None) -> list[str]:
    """``tags:``/``tag:`` (any case) as a YAML list or a string of space/comma-separated tags, plus the
    plugin's ``FILE TAGS`` key (space-separated)."""
    keys = TAG_KEYS + ((syntax.file_tags_line.casefold(),) if syntax is not None else ())
    out: list[str] = []
    for value in _lookup(data, tuple(dict.fromkeys(keys))):
        if isinstance(value, str):
            out += value.replace(",", " ").split()
        elif isinstance(value, list):
            out += [v.strip() for v in (_scalar(x) for x in value) if v and v.strip()]
    return out


def frontmatter_deck(data: dict, syntax: Any = None) -> str | None:
    """The deck named in frontmatter: ``deck``, ``anki-deck``, ``target-deck``, ``TARGET DECK``
    (any case; the first found), or None."""
    keys = DECK_KEYS + ((syntax.target_deck_line.casefold(),) if syntax is not None else ())
    for value in _lookup(data, tuple(dict.fromkeys(keys))):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # deck: 123 is the deck "123"
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def frontmatter_deck_problem(data: dict, syntax: Any = None) -> str | None:
    """Why a frontmatter deck key is not used as a deck name (a list, a mapping, true/false), as a
    message; None when it is usable or absent."""
    keys = DECK_KEYS + ((syntax.target_deck_line.casefold(),) if syntax is not None else ())
    for value in _lookup(data, tuple(dict.fromkeys(keys))):
        if isinstance(value, (bool, list, dict)):
            kind = "true/false" if isinstance(value, bool) else "a list" if isinstance(value, list) else "a mapping"
            return f"frontmatter deck is {kind}, not a deck name; ignored (write deck: Name::Sub)"
    return None


def frontmatter_tags_problem(data: dict, syntax: Any = None) -> str | None:
    """Why a frontmatter tags key gives no tags (a mapping, true/false, a number), as a message; None when it
    is usable or absent (tester 12-03: ``tags: {a: b}`` was dropped without a word, as a list ``deck:`` is
    not)."""
    keys = TAG_KEYS + ((syntax.file_tags_line.casefold(),) if syntax is not None else ())
    for value in _lookup(data, tuple(dict.fromkeys(keys))):
        if isinstance(value, (bool, dict)):
            kind = "true/false" if isinstance(value, bool) else "a mapping"
            return f"frontmatter tags are {kind}, not tags; ignored (write tags: [a, b] or tags: a b)"
    return None


def _scalar(value: Any) -> str | None:
    """A list item as a tag: strings and numbers only (nested lists and mappings are not tags)."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        return None
    return str(value)


def tag_lines(text: str, syntax: Any = None) -> dict[str, int]:
    """Each frontmatter tag (as :func:`frontmatter_tags` reads it) → the 1-based line of ``text`` where it
    is written (a list item: its own line; a string of tags: the line it starts on), read from PyYAML's
    node marks (composed, not constructed: no alias is expanded). {} when the frontmatter is not valid
    YAML or not a mapping (its tags are then the plugin's ``FILE TAGS`` line, said at the card)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}
    end = next((no for no in range(1, len(lines)) if lines[no].rstrip() in ("---", "...")), 0)
    if not end or len("\n".join(lines[1:end]).encode("utf-8")) > MAX_FRONTMATTER_BYTES:
        return {}
    try:
        root = yaml.compose("\n".join(lines[1:end]), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    keys = TAG_KEYS + ((syntax.file_tags_line.casefold(),) if syntax is not None else ())
    out: dict[str, int] = {}
    for key, value in root.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value.strip().casefold() in keys):
            continue
        items = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for item in items:
            if isinstance(item, yaml.ScalarNode):
                for tag in item.value.replace(",", " ").split() if item is value else [item.value.strip()]:
                    out.setdefault(tag, item.start_mark.line + 2)  # +1: 1-based, +1: the opening ---
    return out
