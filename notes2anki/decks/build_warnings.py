"""What a build warns about what an import of its package will not do.

Anki's import of a package updates the fields and tags of the notes it already has (matched by GUID), but
never moves such a note to another deck, and skips one whose note type is not the package's ("conflicting").
A plain build knows a card's deck and note type at its last build (the build state); ``build --collection``
knows the note's own deck and note type in the collection.
"""
from __future__ import annotations

from ..messages import counted
from ..model import Diagnostic


def _places(items: list, limit: int = 3) -> str:
    return ", ".join(items[:limit]) + (", …" if len(items) > limit else "")


def import_cannot_move(moved: list[tuple[str, bool, bool]]) -> Diagnostic:
    """The warning for cards whose deck or note type changed since the last build (``moved``: file:line,
    deck changed, note type changed): Anki's import of a package neither moves a note it has nor changes its
    note type (a retyped note is skipped as conflicting, and so are its later edits)."""
    decks = sum(1 for _, deck, _ in moved if deck)
    types = sum(1 for _, _, kind in moved if kind)
    what = " and ".join(part for part in (f"{counted(decks, 'card')} changed deck" if decks else "",
                                          f"{counted(types, 'card')} changed note type" if types else "") if part)
    return Diagnostic("", 0, "warning",
                      f"{what} since the last build ({_places([w for w, _, _ in moved])}): importing the package "
                      "does not move or retype notes Anki already has — use `notes2anki sync`, or change them in "
                      "Anki (Browse → Change Deck / Change Note Type)")


def kept_guids(places: list[str]) -> Diagnostic:
    """The warning of a plain build that packaged cards under the GUIDs ``build --collection`` adopted."""
    n = len(places)
    return Diagnostic("", 0, "warning", (
        f"{counted(n, 'card')} ({_places(places)}) {'was' if n == 1 else 'were'} last built with --collection, "
        f"under the GUID{'' if n == 1 else 's'} of the Anki note{'' if n == 1 else 's'} "
        f"{'it updates' if n == 1 else 'they update'} (the plugin's note{'' if n == 1 else 's'}): this package keeps "
        f"{'that GUID' if n == 1 else 'those GUIDs'}, so importing it adds no duplicates, but Anki skips a note "
        "whose note type is not the package's (\"conflicting\"), so changes to "
        f"{'this card reach' if n == 1 else 'these cards reach'} Anki only through `build --collection` or `sync`"))


def followed(cards: list[tuple[str, str]]) -> Diagnostic:
    """The warning of a build that packaged cards without an ID under the GUID of the card last built from
    another place (build_gone.renamed_guids): (file:line, the earlier card's file:line)."""
    n = len(cards)
    places = ", ".join(where if where.rpartition(":")[0] == was.rpartition(":")[0] else f"{where} (was {was})"
                       for where, was in cards[:5]) + (f", … {n - 5} more" if n > 5 else "")
    one = n == 1
    return Diagnostic("", 0, "warning", (
        f"{counted(n, 'card')} without an ID ({places}) {'is' if one else 'are'} packaged under the "
        f"{'GUID of the card' if one else 'GUIDs of the cards'} last built from where {'it was' if one else 'they were'} "
        f"({'its file renamed, the card' if one else 'their files renamed, the cards'} moved, or the vault's "
        f"`vault_id` set or changed; the same note "
        f"type and first field): importing the package updates {'that note, its' if one else 'those notes, their'} "
        f"review history kept, instead of adding a new one; run `notes2anki ids` to write the "
        f"ID{'' if one else 's'}"))


def anki_decks(cards: list[tuple[str, str, str]]) -> Diagnostic:
    """``build --collection``: the cards whose notes the collection has in another deck than the card's
    (file:line, the deck in Anki, the card's deck). The import updates them where they are."""
    n = len(cards)
    shown = [f"{where} in {anki!r}, the vault says {deck!r}" for where, anki, deck in cards]
    return Diagnostic("", 0, "warning", (
        f"{counted(n, 'card')} whose note Anki has in another deck ({_places(shown, 2)}): importing the "
        "package updates a note where it is and does not move it — `notes2anki sync` moves "
        f"{'it' if n == 1 else 'them'} (or, in Anki: Browse → Change Deck)"))


def anki_types(cards: list[tuple[str, str, str, list[str]]]) -> Diagnostic:
    """``build --collection``: the cards whose notes have another note type in the collection, one ``sync``
    keeps as chosen in Anki (file:line, the type in Anki, the card's type, the card's fields that type
    lacks). The package updates such a note in its own type; an import does not change it."""
    n = len(cards)
    shown = [f"{where}: {anki!r}, the card says {card!r}"
             + (f", whose field{'' if len(missing) == 1 else 's'} {', '.join(map(repr, missing))} "
                f"{'does' if len(missing) == 1 else 'do'} not reach Anki" if missing else "")
             for where, anki, card, missing in cards]
    return Diagnostic("", 0, "warning", (
        f"{counted(n, 'card')} whose note has another note type in Anki ({_places(shown, 2)}): the package "
        "updates a note in its own note type and importing it does not change the type — `notes2anki sync "
        f"--retype` changes {'it' if n == 1 else 'them'} (or, in Anki: Browse → Notes → Change Note Type)"))
