"""Checks of configuration values that need more than their type (:mod:`notes2anki.config_schema`): deck
names with empty levels, marker words that clash, gitignore-style patterns and custom regexes that cannot
be used. Each problem is a :class:`~notes2anki.model.Diagnostic` naming the file the value came from, the
key and, in `.notes2anki.toml`, its line; an error of ``kind="config"`` stops the commands (exit 2)."""
from __future__ import annotations

from dataclasses import fields
from typing import Any

from .config_files import CONFIG_FILE, PLUGIN_SETTINGS, _line_of, _problem
from .config_lines import key_text
from .config_syntax import Syntax
from .model import Diagnostic


def _check_deck_names(values: dict[str, Any], origin: dict[str, str], diags: list[Diagnostic],
                      text: str | None = None) -> None:
    """A deck name with empty levels (``default_deck = "A::::"``, a folder deck ``"::B"``): a warning naming
    the key (in `.notes2anki.toml`, ``text``: at its line); the cards get the name without them (:func:`notes2anki.parsers.rules.deck_name`)."""
    from .parsers.rules import deck_problem

    named = [("default_deck", values.get("default_deck"))]
    named += [(f"folder_decks.{folder}", deck) for folder, deck in (values.get("folder_decks") or {}).items()]
    for key, deck in named:
        problem = deck_problem(deck) if isinstance(deck, str) else None
        if problem:
            source = origin.get(key.split(".", 1)[0], CONFIG_FILE)
            line = _line_of(text, key.split(".", 1)) if text and source == CONFIG_FILE else 0
            diags.append(_problem(source, f"{key}: {problem}", line, severity="warning"))


def _check_tag_names(values: dict[str, Any], origin: dict[str, str], diags: list[Diagnostic],
                     text: str | None = None, tags_given: bool = False) -> None:
    """A ``default_tag`` or ``folder_tags`` tag that the cards get otherwise than written (``"two words"``
    → ``two_words``: an Anki tag holds no space; an empty level ``a::::b`` → ``a::b``; a control
    character): one ``tag-name`` warning naming the key and what the tag becomes, in `.notes2anki.toml`
    (``text``) at its line. ``tags_given``: ``build --tag`` replaces ``default_tag``, which is then not
    checked."""
    from .parsers.anki_normal import tag_problem
    from .parsers.rules import normalise_tag

    named = [] if tags_given else [("default_tag", values.get("default_tag"))]
    named += [(f"folder_tags.{folder}", tag) for folder, tags in (values.get("folder_tags") or {}).items()
              for tag in (tags or [])]
    for key, tag in named:
        problem = tag_problem(tag, normalise_tag(tag)) if isinstance(tag, str) else None
        if problem:
            source = origin.get(key.split(".", 1)[0], CONFIG_FILE)
            line = _line_of(text, key.split(".", 1)) if text and source == CONFIG_FILE else 0
            diags.append(Diagnostic(source, line, "warning", f"{key}: {problem}", kind="tag-name"))


def override_problems(overrides: dict[str, Any]) -> list[Diagnostic]:
    """Warnings about command-line values the cards get otherwise than typed: ``--deck '::::'`` (a
    ``deck-name`` warning), ``--tag 'two words'`` (``tag-name``: read as ``two_words``)."""
    from .parsers.anki_normal import tag_problem
    from .parsers.rules import deck_problem, normalise_tag

    out = []
    deck = overrides.get("default_deck")
    problem = deck_problem(deck) if isinstance(deck, str) else None
    if problem:
        out.append(Diagnostic("--deck", 0, "warning", problem, kind="deck-name"))
    tags = overrides.get("default_tag")
    for tag in (tags,) if isinstance(tags, str) else tags or ():
        problem = tag_problem(tag, normalise_tag(tag))
        if problem:
            out.append(Diagnostic("--tag", 0, "warning", problem, kind="tag-name"))
    return out


def _check_markers(syntax: dict[str, str], source: str, diags: list[Diagnostic]) -> None:
    """Two marker words that are the same (``begin_note = end_note``) make every card ambiguous: a
    configuration error naming both keys."""
    merged = {**{f.name: getattr(Syntax(), f.name) for f in fields(Syntax)}, **syntax}
    owner: dict[str, str] = {}
    for key, word in merged.items():
        word = word.strip()
        if word in owner:
            diags.append(_problem(source, f"syntax: {owner[word]} and {key} are both {word!r}; each marker "
                                          "word must differ"))
        else:
            owner[word] = key


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
            diags.append(_problem(CONFIG_FILE, f"{key_text(loc)}: pattern {pattern!r} not used: {exc}",
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
            diags.append(_problem(source, f"{key}: no note type {note_type!r}; this regex is not used", line,
                                  severity="warning"))
            values["unused_regexps"] = (*values.get("unused_regexps", ()), note_type)
            continue
        kept[note_type] = pattern
    values["custom_regexps"] = kept
