"""Checks of configuration values that need more than their type (:mod:`notes2anki.config_schema`): deck
names with empty levels, marker words that clash, gitignore-style patterns and custom regexes that cannot
be used, folder keys (normalised once here: ``"./sub"`` is ``sub``) and field tables naming fields a note
type lacks. Each problem is a :class:`~notes2anki.model.Diagnostic` naming the file the value came from, the
key and, in `.notes2anki.toml`, its line; an error of ``kind="config"`` stops the commands (exit 2)."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path, PurePosixPath
from typing import Any

from .config_files import CONFIG_FILE, PLUGIN_SETTINGS, _line_of, _problem
from .config_lines import is_written, key_text, shown, toml_key
from .config_syntax import Syntax
from .model import Diagnostic
from .unicode_paths import spelled_on_disk


def _check_deck_names(values: dict[str, Any], origin: dict[str, str], diags: list[Diagnostic],
                      text: str | None = None, written: dict[str, dict[str, str]] | None = None) -> None:
    """A deck name with empty levels (``default_deck = "A::::"``, a folder deck ``"::B"``): a warning naming
    the key as written (``written``: :func:`_folder_tables`' keys, ``"./sub"`` for the folder ``sub``; in
    `.notes2anki.toml`, ``text``: at its line); the cards get the name without them
    (:func:`notes2anki.parsers.rules.deck_name`)."""
    from .parsers.rules import deck_problem

    spelled = (written or {}).get("folder_decks", {})
    named = [(["default_deck"], values.get("default_deck"))]
    named += [(["folder_decks", spelled.get(folder, folder)], deck)
              for folder, deck in (values.get("folder_decks") or {}).items()]
    for loc, deck in named:
        problem = deck_problem(deck) if isinstance(deck, str) else None
        if problem:
            source = origin.get(loc[0], CONFIG_FILE)
            line = _line_of(text, loc) if text and source == CONFIG_FILE else 0
            diags.append(_problem(source, f"{_key(loc)}: {problem}", line, severity="warning"))


def _key(loc: list[str]) -> str:
    """A key path as `.notes2anki.toml` writes it: ``folder_decks."./sub"``."""
    return ".".join(toml_key(part) for part in loc)


def _folder_rel(value: str) -> str:
    """A vault folder as written in a setting → vault-relative POSIX path: ``\\`` → ``/``, ``.`` parts
    and slashes at either end dropped (``./inner``, ``inner/.``, ``/inner/`` → ``inner``; ``.``, ``./`` →
    ``""``, the whole vault)."""
    parts = PurePosixPath(value.strip().replace("\\", "/")).parts
    return "/".join(p for p in parts if p not in ("/", "."))


def _folder_tables(root: Path, values: dict[str, Any], origin: dict[str, str], diags: list[Diagnostic],
                   text: str | None = None) -> dict[str, dict[str, str]]:
    """``folder_decks`` / ``folder_tags`` keys normalised once, like the scan directory (``./f``, ``f/``,
    ``f\\`` → ``f``), so every later use (decks, tags, messages) sees one spelling. A key of
    ``.notes2anki.toml`` that names no folder of the vault (``nonexist``, ``""``) is a warning naming it,
    at its line (``text``): it would be silently ignored; so is a second key naming the folder of an earlier
    one (``sub`` and ``"./sub"``: the later is used, as TOML gives them). (The plugin's data.json lists the
    folders it saw; stale ones stay.) Returns, per table, each normalised key → the key as written, for
    messages about its value."""
    written: dict[str, dict[str, str]] = {}
    for table in ("folder_decks", "folder_tags"):
        entries = values.get(table)
        if not entries:
            continue
        source = origin.get(table, CONFIG_FILE)
        fixed: dict[str, Any] = {}
        spelled: dict[str, str] = {}
        for key, value in entries.items():
            rel = _folder_rel(key)
            line = _line_of(text, [table, key]) if text and source == CONFIG_FILE else 0
            where = _key([table, key])
            if source != CONFIG_FILE:  # the plugin lists folders as it saw them; a stale one is harmless
                fixed[rel] = value
                continue
            if not key.strip():
                diags.append(_problem(source, f"{where}: an empty folder name; not used (`.` is the whole vault)",
                                      line, severity="warning"))
                continue
            if rel and spelled_on_disk(root, rel) is None:  # (in any Unicode normal form: see rules.py)
                diags.append(_problem(source, f"{where}: not a folder of the vault; not used", line,
                                      severity="warning"))
                continue
            if rel in spelled:
                first = spelled[rel]
                first_line = _line_of(text, [table, first]) if text else 0
                at = f" (line {first_line})" if first_line else ""
                diags.append(_problem(source, f"{where}: names the same folder as {_key([table, first])}{at}; "
                                              f"{shown(value)} is used", line, severity="warning"))
            fixed[rel] = value
            spelled[rel] = key
        values[table] = fixed
        written[table] = spelled
    return written


def _check_tag_names(values: dict[str, Any], origin: dict[str, str], diags: list[Diagnostic],
                     text: str | None = None, tags_given: bool = False) -> None:
    """A ``default_tag`` or ``folder_tags`` tag that the cards get otherwise than written (``"two words"``
    → ``two_words``: an Anki tag holds no space; an empty level ``a::::b`` → ``a::b``; a control
    character): one ``tag-name`` warning naming the key and what the tag becomes, in `.notes2anki.toml`
    (``text``) at its line. ``tags_given``: ``build --tag`` replaces ``default_tag``, which is then not
    checked."""
    from .parsers.anki_normal import tag_problem
    from .parsers.rules import normalise_tag

    named = [] if tags_given else [(["default_tag"], values.get("default_tag"))]
    named += [(["folder_tags", folder, i], tag) for folder, tags in (values.get("folder_tags") or {}).items()
              for i, tag in enumerate(tags or [])]
    for loc, tag in named:
        problem = tag_problem(tag, normalise_tag(tag), shown) if isinstance(tag, str) else None
        if problem:
            source = origin.get(loc[0], CONFIG_FILE)
            line = _line_of(text, loc) if text and source == CONFIG_FILE else 0  # (an entry: its own line)
            diags.append(Diagnostic(source, line, "warning", f"{_key(loc[:2])}: {problem}", kind="tag-name"))


def override_problems(overrides: dict[str, Any]) -> list[Diagnostic]:
    """Warnings about command-line values the cards get otherwise than typed: ``--deck '::::'`` (a
    ``deck-name`` warning), ``--tag 'two words'`` (``tag-name``: read as ``two_words``). A value is quoted
    as the other messages quote the values a user typed (``config_lines.shown``: ``"two words"``), never in
    Python's form."""
    from .parsers.anki_normal import tag_problem
    from .parsers.rules import deck_problem, normalise_tag

    out = []
    deck = overrides.get("default_deck")
    problem = deck_problem(deck) if isinstance(deck, str) else None
    if problem:
        out.append(Diagnostic("--deck", 0, "warning", problem, kind="deck-name"))
    tags = overrides.get("default_tag")
    for tag in (tags,) if isinstance(tags, str) else tags or ():
        problem = tag_problem(tag, normalise_tag(tag), shown)  # (quoted as --deck's: "two words")
        if problem:
            out.append(Diagnostic("--tag", 0, "warning", problem, kind="tag-name"))
    return out


def _check_markers(syntax: dict[str, str], source: str, diags: list[Diagnostic], text: str | None = None) -> None:
    """Two marker words that are the same (``begin_note = end_note``) make every card ambiguous: a
    configuration error naming both keys, at the line of the later one in `.notes2anki.toml` (``text``). A
    word the file does not set is named as a default (``begin_note = ""`` is an error of its own and not
    used: ``end_note = "START"`` then clashes with begin_note's default, not with a "START" never written)."""
    defaults = {f.name: getattr(Syntax(), f.name) for f in fields(Syntax)}
    merged = {**defaults, **syntax}
    owner: dict[str, str] = {}

    def line(key: str) -> int:
        return _line_of(text, ["syntax", key], exact=True) if text and source == CONFIG_FILE else 0

    for key, word in merged.items():
        word = word.strip()
        if word not in owner:
            owner[word] = key
            continue
        first = owner[word]
        at = line(key) if key in syntax else 0
        if first not in syntax:  # the word the first key has by default
            why = " (its value is not used)" if text and is_written(text, ["syntax", first]) else ""
            said = f"syntax.{key}: {shown(word)} is the word {first} has by default{why}"
        elif key not in syntax:
            said = f"syntax.{first}: {shown(word)} is the word {key} has by default"
            at = line(first)
        else:
            first_at = line(first)
            said = (f"syntax: {first}{f' (line {first_at})' if first_at and first_at != at else ''} and {key} "
                    f"are both {shown(word)}")
        diags.append(_problem(source, f"{said}; each marker word must differ", at))


# -- values across files --------------------------------------------------------------------------------

def _checked_patterns(patterns: list[str], key: str, text: str, diags: list[Diagnostic]) -> list[str]:
    """The gitignore-style patterns that can be used; an error for each other one."""
    from .parsers.ignore_patterns import PatternError, gitignore_patterns

    good = []
    for i, pattern in enumerate(patterns):
        try:
            gitignore_patterns([pattern])
            good.append(pattern)
        except PatternError as exc:
            loc = [*key.split("."), str(i)]
            diags.append(_problem(CONFIG_FILE, f"{key_text([*key.split('.'), i])}: pattern {shown(pattern)} not used: {exc}",
                                  _line_of(text, loc)))
    return good


def check_custom_regexps(values: dict[str, Any], origin: dict[str, str], text: str | None,
                         known: set[str], diags: list[Diagnostic]) -> None:
    """``custom_regexps`` (note type → JavaScript pattern; empty: off, as in the plugin): a pattern that
    does not compile is a configuration error naming the file, the key and (`.notes2anki.toml`) its line;
    a note type not in ``known`` is a warning (named in ``values["unused_regexps"]``, so ``sync`` deletes no
    note while a style of card is not read). Both entries are dropped from ``custom_regexps``."""
    patterns = values.get("custom_regexps")
    if not patterns:
        return
    from .parsers.js_regex import JsRegexError, compile_js

    source = origin.get("custom_regexps", CONFIG_FILE)
    kept = {}
    for note_type, pattern in patterns.items():
        if not isinstance(pattern, str) or not pattern:
            kept[note_type] = pattern
            continue
        line = _line_of(text, ["custom_regexps", note_type]) if text is not None and source == CONFIG_FILE else 0
        key = f"custom_regexps.{note_type}" if source == CONFIG_FILE else f"CUSTOM_REGEXPS.{note_type}"
        try:
            compile_js(pattern)
        except JsRegexError as exc:
            diags.append(_problem(source, f"{key}: not a valid regular expression: {exc}", line))
            continue
        if note_type not in known:
            diags.append(_problem(source, f"{key}: no note type {shown(note_type)}; this regex is not used", line,
                                  severity="warning"))
            values["unused_regexps"] = (*values.get("unused_regexps", ()), note_type)
            continue
        kept[note_type] = pattern
    values["custom_regexps"] = kept


_FIELD_TABLES = {"context_fields": ("add_context", "CONTEXT_FIELDS", "the context"),
                 "file_link_fields": ("add_file_link", "FILE_LINK_FIELDS", "the file link")}


def check_field_tables(values: dict[str, Any], origin: dict[str, str], text: str | None,
                       known: dict[str, list[str]], diags: list[Diagnostic]) -> None:
    """``context_fields`` / ``file_link_fields`` (note type → field): an entry naming a note type not in
    ``known`` (note type → its fields), or a field its note type does not have, would be silently ignored; a
    warning names it and the fields there are, at its line of `.notes2anki.toml`. The plugin's data.json
    fills these tables for every note type it saw in Anki, so its entries are checked only while the switch
    they serve (``add_context`` / ``add_file_link``) is on."""
    for table, (switch, plugin_key, what) in _FIELD_TABLES.items():
        entries = values.get(table) or {}
        source = origin.get(table, CONFIG_FILE)
        if not entries or (source != CONFIG_FILE and not values.get(switch)):
            continue
        for note_type, name in entries.items():
            if not isinstance(name, str):
                continue
            line = _line_of(text, [table, note_type]) if text and source == CONFIG_FILE else 0
            key = _key([table, note_type]) if source == CONFIG_FILE else f"{plugin_key}.{note_type}"
            if note_type not in known:
                if source == CONFIG_FILE:
                    diags.append(_problem(source, f"{key}: no note type {shown(note_type)} (known: "
                                                  f"{', '.join(sorted(known))}); not used", line, severity="warning"))
            elif name not in known[note_type]:
                fields_there = ", ".join(shown(f) for f in known[note_type])
                diags.append(_problem(source, f"{key}: note type {shown(note_type)} has no field {shown(name)} "
                                              f"(its fields: {fields_there}); {what} is not added to its cards",
                                      line, severity="warning"))
