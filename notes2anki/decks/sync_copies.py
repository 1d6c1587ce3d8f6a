"""Exact copies of cards in one sync: the same note type and the same fields (tester r7).

Obsidian's "Make a copy" (``Cell.md`` → ``Cell 1.md``) copies cards without an ID too; each copy is a new
card to `sync`, so it adds a second note, reviewed apart. :func:`warn_added_copies` says so when the
notes are added. When the original note is deleted afterwards, its notes — the ones with the review
history — would be deleted as gone from the vault while their exact text is still there, on the copy's
fresh notes: :func:`hold_reviewed_copies` holds those deletions (``--yes`` is not enough) and says how to
keep the history (give the remaining card the reviewed note's ID line) or have the note deleted anyway.
"""
from __future__ import annotations

import unicodedata

from ..messages import counted
from ..model import Diagnostic
from .sync_plan_data import Change, SyncPlan

LISTED = 3  # places named in a warning


def _key(fields: dict[str, str]) -> tuple:
    """What makes two notes exact copies: their field names and values (NFC, as Anki stores them)."""
    return tuple((name, unicodedata.normalize("NFC", value)) for name, value in fields.items())


def _places(items: list[str], sep: str = ", ") -> str:
    shown = sep.join(items[:LISTED])
    return shown + (f" and {len(items) - LISTED} more" if len(items) > LISTED else "")


def warn_added_copies(plan: SyncPlan) -> None:
    """Append to ``plan.diagnostics`` one warning for the cards this sync adds as new notes that are exact
    copies (same note type, same fields) of another card it syncs, naming both places."""
    first: dict[tuple, Change] = {}
    for change in plan.changes:
        if not change.left:
            first.setdefault((change.card.note_type, _key(change.fields)), change)
    for change in plan.changes:  # a copy of a card already in Anki is named before an earlier new one
        if change.nid and not change.left:
            first[(change.card.note_type, _key(change.fields))] = change
    pairs = []
    for change in plan.changes:
        if "new" not in change.kinds:
            continue
        other = first.get((change.card.note_type, _key(change.fields)))
        if other is not None and other is not change:
            pairs.append(f"{change.where} = {other.where}")
    if pairs:
        one = len(pairs) == 1
        plan.diagnostics.append(Diagnostic("", 0, "warning", (
            f"{counted(len(pairs), 'card')} added as {'a new note is an exact copy' if one else 'new notes are exact copies'} "
            f"of another card of this vault ({_places(pairs)}): Anki gets a second note, reviewed apart. If you "
            "copied a note to rename or reorganise it, delete the copy (or the original) before syncing; to keep "
            "both, make them differ")))


def _reviewed(col, nids: list[int]) -> set[int]:
    """The notes of ``nids`` with a review: a card reviewed (``reps``) or a row in the review log."""
    found: set[int] = set()
    for start in range(0, len(nids), 500):
        part = nids[start:start + 500]
        marks = ",".join("?" * len(part))
        found.update(col.db.list(
            f"select distinct nid from cards where nid in ({marks}) and "
            "(reps > 0 or exists (select 1 from revlog where revlog.cid = cards.id))", *part))
    return found


def hold_reviewed_copies(col, plan: SyncPlan) -> None:
    """Take out of ``plan.deletions`` the notes gone from the vault ("removed") that have review history while
    a card of the vault without an ID line holds exactly their content (note type and fields): kept in the
    vault's registry (``plan.held``), with one warning naming the note and the card that remains and how to
    end it. A remaining card with an ID line is the user's choice (tester C r3: following the warning's own
    remedy made the copy's reviewed note held the same way, endlessly): the other note is deleted as any
    note gone from the vault. A note marked DELETE is deleted as asked."""
    removed = [d for d in plan.deletions if d.reason == "removed"]
    if not removed:
        return
    reviewed = _reviewed(col, [d.nid for d in removed])
    if not reviewed:
        return
    remaining: dict[tuple, list[Change]] = {}  # each held note named with a card of its own (tester C r7)
    for change in plan.changes:
        if change.card.id is None:
            remaining.setdefault(_key(change.fields), []).append(change)
    found: list[tuple] = []
    for deletion in removed:
        if deletion.nid not in reviewed:
            continue
        try:
            note = col.get_note(deletion.nid)
        except Exception:
            continue
        same = remaining.get(_key(dict(zip(note.keys(), note.fields))), [])
        cards = [c for c in same if c.nid != deletion.nid]
        if not cards or len(cards) < len(same):
            continue
        found.append((deletion, same.pop(0) if len(same) > 1 else same[0]))
    if not found:
        return
    both = _reviewed(col, [c.nid for _, c in found if c.nid])
    held: list[str] = []
    for deletion, change in found:
        plan.deletions.remove(deletion)
        plan.held[deletion.nid] = deletion.where
        copy = (f"note nid:{change.nid}, reviewed too" if change.nid in both else
                f"note nid:{change.nid}, without its reviews" if change.nid else "a new note, without its reviews")
        held.append(f"nid:{deletion.nid} (last at {deletion.where}) is the card at {change.where}, synced to "
                    f"the {copy}: to keep nid:{deletion.nid}, its ID line `<!--ID: {deletion.nid}-->`")
    one = len(held) == 1
    plan.diagnostics.append(Diagnostic("", 0, "warning", (
        f"{counted(len(held), 'reviewed note')} whose card{'' if one else 's'} left {'its file' if one else 'their files'} "
        f"{'is' if one else 'are'} not deleted, --yes or not: the same card (note type and fields) is still in "
        f"the vault, without an ID line ({_places(held, '; ')}). Choose which note the card keeps: to keep the "
        f"held {'note' if one else 'notes'}{chr(39)}{'s' if one else ''} history, put that ID line below the remaining card and sync again (the "
        "other note is then deleted as gone from the vault, its reviews with it if it has any); to keep the "
        f"other instead, delete the held note{'' if one else 's'} in Anki's browser (or give the remaining card "
        "the other note's ID line)")))


def hold_reviewed_near_copies(col, plan: SyncPlan) -> None:
    """As :func:`hold_reviewed_copies` for a copy edited since (tester C r8: "Make a copy" of ``Untitled.md``
    as ``ATP.md``, synced, the copy's typo fixed, the original deleted): a reviewed note gone from the vault
    ("removed") is held when one card without an ID line, synced to a note without reviews (or new), has its
    field names and front and its other fields alike (:func:`~notes2anki.decks.similar_cards.pair_alike`),
    and that card is the only such one for it; one warning says how to keep the history or let it go."""
    from .similar_cards import pair_alike, similarity

    removed = [d for d in plan.deletions if d.reason == "removed"]
    reviewed = _reviewed(col, [d.nid for d in removed]) if removed else set()
    if not reviewed:
        return
    cards = [c for c in plan.changes if c.card.id is None and not c.left and c.fields]
    fresh = {c.nid for c in cards if c.nid} - _reviewed(col, [c.nid for c in cards if c.nid])
    cards = [c for c in cards if not c.nid or c.nid in fresh]
    notes: dict[int, dict[str, str]] = {}
    types: dict[int, str] = {}  # the card note type each was last synced from (else its Anki note type's name)
    for deletion in removed:
        if deletion.nid in reviewed:
            try:
                note = col.get_note(deletion.nid)
            except Exception:
                continue
            notes[deletion.nid] = dict(zip(note.keys(), note.fields))
            types[deletion.nid] = (plan.card_types or {}).get(deletion.nid) or note.note_type()["name"]

    def front(fields: dict[str, str]) -> tuple:
        name, value = next(iter(fields.items()), ("", ""))
        return name, " ".join(unicodedata.normalize("NFC", value).split())

    edges = [(i, nid) for i, c in enumerate(cards) for nid, f in notes.items()
             if types[nid] == c.card.note_type and set(f) == set(c.fields) and front(f) == front(c.fields)
             and _key(f) != _key(c.fields)]
    if not edges:
        return

    def score(i: int, nid: int) -> float:
        rest = list(cards[i].fields)[1:]
        return similarity("\x1f".join(cards[i].fields[n] for n in rest), "\x1f".join(notes[nid].get(n, "") for n in rest))

    held = []
    by_nid = {d.nid: d for d in removed}
    for i, nid in pair_alike(edges, score):
        deletion, change = by_nid[nid], cards[i]
        plan.deletions.remove(deletion)
        plan.held[nid] = deletion.where
        held.append(f"nid:{nid} (last at {deletion.where}) is like the card at {change.where}"
                    f"{f', synced to the note nid:{change.nid}' if change.nid else ', a new note'}, without "
                    f"its reviews: to keep nid:{nid}, its ID line `<!--ID: {nid}-->`")
    if held:
        one = len(held) == 1
        plan.diagnostics.append(Diagnostic("", 0, "warning", (
            f"{counted(len(held), 'reviewed note')} whose card{'' if one else 's'} left {'its file' if one else 'their files'} "
            f"{'is' if one else 'are'} not deleted, --yes or not: a card with {'its' if one else 'their'} front and "
            f"other fields alike (a copy edited since?) is still in the vault, without an ID line "
            f"({_places(held, '; ')}). To keep the history, put that ID line below that card and sync again (the "
            "card's text is then written to the held note, and the other note is deleted as gone from the vault); "
            "if the card is another card, give it any ID line of its own (`notes2anki ids`), or delete the held "
            "note in Anki's browser")))
