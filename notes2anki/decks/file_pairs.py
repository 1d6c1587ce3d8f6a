"""Renamed files paired file to file, before cards are matched across the vault.

Two lesson files can each hold a card with the same text (``Translate: the dog`` / ``el perro``). When both
files are renamed (``L1.md`` -> ``Lesson1.md``, ``L2.md`` -> ``Lesson2.md``) and one of those cards is edited,
matching each card vault-wide by its text alone gave the unedited card of ``Lesson2.md`` the note of ``L1.md``
(the first equal one) and the edited card the note left over: the review history swapped between two notes
(tester A r6). The other cards of each file tell which old file is which.

So ``sync`` (sync_rematch.py), ``build`` (build_gone.renamed_guids) and ``ids`` (id_record.Records.settle)
first pair each new file with the old file (gone from the vault, or the place of recorded cards no card
claims) most of whose recorded cards it holds (:func:`pair_files`), and match the cards of the paired files
with each other before any vault-wide matching: an old file's entries are its partner's first
(:func:`prefer_partners`). A near tie pairs nothing: the cards are then matched vault-wide, as before, where
two equal candidates are no guess.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable

SAME_FRONT = 0.5  # a recorded card whose note type and first field a card of the new file has (back edited)


def pair_files(found: Iterable[tuple[str, str, Hashable, float]], sizes: dict[str, int]) -> dict[str, str]:
    """New file -> old file it is (renamed). ``found``: (new file, old file, recorded entry, weight) for each
    card of a new file and recorded entry of an old file it may be: weight 1 for equal text,
    :data:`SAME_FRONT` for its note type and first field alone. ``sizes``: old file -> its recorded entries
    (those no card claims). An old entry counts once per new file (its best weight). A pair is taken when the
    new file holds more than half of the old file's entries and more than any other old file's, and the old
    file is held more by it than by any other new file (a tie pairs neither)."""
    best: dict[tuple[str, str, Hashable], float] = {}
    for new, old, entry, weight in found:
        if new != old and weight > best.get((new, old, entry), 0.0):
            best[new, old, entry] = weight
    holds: dict[tuple[str, str], float] = {}
    for (new, old, _), weight in best.items():
        holds[new, old] = holds.get((new, old), 0.0) + weight
    by_new: dict[str, list[float]] = {}
    by_old: dict[str, list[float]] = {}
    for (new, old), value in holds.items():
        by_new.setdefault(new, []).append(value)
        by_old.setdefault(old, []).append(value)
    out: dict[str, str] = {}
    for (new, old), value in holds.items():
        if value * 2 > sizes.get(old, 0) and _alone(value, by_new[new]) and _alone(value, by_old[old]):
            out[new] = old
    return out


def _alone(value: float, values: list[float]) -> bool:
    """Whether ``value`` (one of ``values``) is above every other of them."""
    return max(values) == value and sum(1 for v in values if v >= value) == 1


def prefer_partners(hits: dict[Hashable, list], card_file: dict[Hashable, str], entry_file: dict,
                    partners: dict[str, str]) -> dict[Hashable, list]:
    """The candidate entries of each card (``hits``: card key -> entry ids) with the paired files first:
    a card of a paired new file that may be an entry of its old file keeps only those; an entry of an old
    file that a card of its partner may be is no other card's candidate. ``card_file``: card key -> its file;
    ``entry_file``: entry id -> the old file; ``partners``: :func:`pair_files`."""
    if not partners:
        return hits
    out: dict[Hashable, list] = {}
    for key, entries in hits.items():
        partner = partners.get(card_file[key])
        own = [e for e in entries if partner is not None and entry_file.get(e) == partner]
        out[key] = own or list(entries)
    reserved = {e for key, entries in out.items() for e in entries
                if partners.get(card_file[key]) is not None and entry_file.get(e) == partners[card_file[key]]}
    for key, entries in out.items():
        partner = partners.get(card_file[key])
        out[key] = [e for e in entries if e not in reserved or entry_file.get(e) == partner]
    return out
