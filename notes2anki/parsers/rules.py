"""Deck and tag rules for the cards of one file.

Deck, first that applies: the file's ``TARGET DECK`` line, its frontmatter ``deck``, the innermost
folder of ``folder_decks``, the configured default deck, ``Default``.
Tags: the card's ``Tags:`` line + ``FILE TAGS`` + frontmatter tags + ``folder_tags`` (inherited by
subfolders) + the default tag. ``#a/b`` becomes ``a::b``; Unicode letters are kept.
Folder keys are matched to the note's folders in Unicode NFC (:mod:`notes2anki.unicode_paths`): ``Café``
typed composed names the folder a Mac or git stored decomposed, and the reverse.
"""
from __future__ import annotations

import re

from ..config import Config
from ..config_lines import shown
from ..model import Diagnostic
from ..unicode_paths import nfc
from .anki_normal import tag_levels

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise_tag(tag: str) -> str:
    """An Obsidian tag as an Anki tag: no leading '#', '/' nests ('a::b'), no spaces; and as Anki keeps
    it (:func:`anki_normal.tag_levels`: no control characters, no empty level: ``a::::b`` → ``a::b``)."""
    tag = tag.strip().lstrip("#").strip()
    tag = tag.replace("/", "::")
    tag = "_".join(tag.split())
    return tag_levels(tag)


def unique_tags(tags: list[str]) -> list[str]:
    """Normalised, de-duplicated (case-insensitively, as Anki compares tags), first spelling kept."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in tags:
        tag = normalise_tag(raw)
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out


def _folders(rel: str) -> list[str]:
    """Parent folders of a vault path, innermost first, ending with ``""``: the vault itself (a
    ``folder_decks`` / ``folder_tags`` key ``.``)."""
    parts = rel.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)] + [""]


def deck_name(name: str) -> str:
    """A deck name as Anki reads it: ``::`` separates the levels and each level is trimmed of spaces
    (Anki's ``normalized_deck_name_component``, rslib decks/name.rs). Empty levels are dropped here
    (``A::::`` → ``A``, ``::B`` → ``B``), where Anki would name them "blank"; "" when nothing is left."""
    name = _CONTROL.sub("", name)  # a line break or tab in a name: Anki drops it ("x\ny" → "xy")
    return "::".join(part for part in (p.strip() for p in name.split("::")) if part)


def deck_problem(name: str) -> str | None:
    """Why ``name`` is read as another deck name (empty levels between ``::``, a line break or other
    control character), or None."""
    if _CONTROL.search(name.strip()):
        fixed = deck_name(name)
        return f"deck name {shown(name.strip())} has a line break or control character, which Anki drops; read as {shown(fixed)}"
    if not name.strip():
        return "empty deck name; ignored"
    if any(not p.strip() for p in name.strip().split("::")):
        fixed = deck_name(name)
        read = f"read as {shown(fixed)}" if fixed else "ignored"
        return f"deck name {shown(name.strip())} has empty parts between '::' (Anki would name them 'blank'); {read}"
    return None


def file_deck(rel: str, target_deck: str | None, fm_deck: str | None, config: Config) -> str:
    """The deck of every card of the note at vault path ``rel`` (the order in the module docstring),
    normalised by :func:`deck_name`; a name with nothing left after that does not count."""
    folders = {nfc(k.strip("/")): v for k, v in config.folder_decks.items()}
    chosen = [target_deck, fm_deck, *(folders.get(folder) for folder in _folders(nfc(rel))), config.default_deck]
    return next((deck_name(d) for d in chosen if d and deck_name(d)), "Default")


def file_tags(rel: str, file_tag_lines: list[str], fm_tags: list[str], config: Config) -> list[str]:
    """The tags every card of the note at ``rel`` gets (not yet normalised: see :func:`unique_tags`)."""
    tags = list(file_tag_lines) + list(fm_tags)
    folders = {nfc(k.strip("/")): v for k, v in config.folder_tags.items()}
    for folder in reversed(_folders(nfc(rel))):
        tags += folders.get(folder, [])
    if isinstance(config.default_tag, tuple):  # build --tag A --tag B
        tags += config.default_tag
    elif config.default_tag:
        tags.append(config.default_tag)
    return tags


def fold_deck_case(vault) -> None:
    """Give every deck name of ``vault``'s cards one spelling per deck, as Anki does: deck names differ
    only by case in Anki (``Bio`` and ``bio`` are one deck; a package holding both is imported as ``Bio``
    and ``bio_``), so each level takes the spelling of the first card (in vault order) that names it, and
    ``default`` is Anki's ``Default``. One ``deck-name`` warning per other spelling, at its first card.
    Names are taken in Unicode's composed form (NFC), as Anki stores them: ``Tiếng Việt`` typed on macOS
    (decomposed) and on Linux (composed) look the same and are one deck (a package holding both was imported
    as ``Tiếng Việt`` and ``Tiếng Việt_``); no warning, the two spellings cannot be told apart on screen."""
    canon: dict[str, str] = {"default": "Default"}
    warned: set[str] = set()
    named: dict[str, tuple[str, str]] = {}  # deck as written -> (NFC, its spelling): fixed once found
    for note in vault.notes:
        for card in note.cards:
            found = named.get(card.deck)
            if found is None:
                found = named[card.deck] = _spelling(card.deck, canon)
            written, name = found
            if name != written and written not in warned:
                warned.add(written)
                vault.diagnostics.append(Diagnostic(
                    card.file, card.line, "warning", f"deck {written!r} differs from {name!r} only in case; "
                    f"Anki holds them as one deck, so {name!r} is used", "deck-name"))
            card.deck = name


def _spelling(deck: str, canon: dict[str, str]) -> tuple[str, str]:
    """``deck`` in NFC and its spelling given the spellings ``canon`` holds by case-folded level path (the
    first spelling of each level is added to it; an entry never changes, so a deck's spelling is fixed once
    found)."""
    import unicodedata

    written = deck if deck.isascii() else unicodedata.normalize("NFC", deck)
    parts, spelled = written.split("::"), []
    for i, part in enumerate(parts):
        key = "::".join(p.casefold() for p in parts[:i + 1])
        spelled.append(canon.setdefault(key, "::".join([*spelled[-1:], part]) if spelled else part))
    return written, spelled[-1] if spelled else written
