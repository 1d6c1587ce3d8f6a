"""Pairing cards with notes by the similarity of their other fields: the one rule ``sync``
(:mod:`~notes2anki.decks.sync_rematch`), ``build`` (:func:`~notes2anki.decks.build_gone.renamed_guids`) and ``ids``
(:meth:`~notes2anki.decks.id_record.Records.settle`) apply to cards that share a note type and first field (moved
out of sync_rematch.py unchanged; re-exported there)."""
from __future__ import annotations

from difflib import SequenceMatcher
from typing import Callable

# The share of two texts in common: 2 × the characters in difflib's matching blocks of 3 or more characters /
# both lengths (single characters in common are chance), of a card's fields after the first and a note's.
# Cards of one same-front group share their front, so only the rest tells them apart. An edit keeps most
# of the note's text: "gato = cat" -> "gato = cat (also: kitty)" scores 0.59, "-> gato = cat, kitty" 0.74,
# a typo fixed ("mitochondria" -> "mitochondrion") 0.88; unrelated backs of one drill share only their
# format: "perro = dog" / "gato = cat" 0.38, "oso = bear" / "gato = cat" 0.40, "pez = fish" / "oso = bear"
# 0.30. So a card takes a note at SIMILAR (half of both texts in common, in order) or more, and only
# MARGIN above what it holds now and above what the note's present card scores on it (a near tie is not
# clearly better: nothing changes).
SIMILAR = 0.5
MARGIN = 0.15
MAX_TEXT = 1000  # characters compared per side (difflib is quadratic in the worst case)
MAX_GROUP = 64  # cards of one group compared pairwise; a larger group is left as it is


def pair_alike(edges: list[tuple], score: Callable[[object, object], float]) -> list[tuple]:
    """One-to-one pairs among the candidate (card, note or entry) pairs ``edges`` by their similarity
    (``score(card, note)``, :func:`similarity`, asked only when needed): a pair is taken at :data:`SIMILAR`
    or more when it beats by :data:`MARGIN` every other candidate pair of its card and of its note (so a card
    or a note is in one pair at most); a near tie pairs neither. A pair with no rival needs :data:`SIMILAR`
    only; one of a card or a note with more than :data:`MAX_GROUP` candidates is not taken. The rule
    ``sync``, ``build`` and ``ids`` pair several cards with one note type and first field by (a renamed
    file's two ``Translate:`` cards, both backs edited)."""
    rows: dict = {}
    cols: dict = {}
    for card, note in edges:
        rows.setdefault(card, []).append(note)
        cols.setdefault(note, []).append(card)
    out = []
    for card, note in edges:
        rivals = [(card, other) for other in rows[card] if other != note] \
            + [(other, note) for other in cols[note] if other != card]
        if not rivals:
            if score(card, note) >= SIMILAR:
                out.append((card, note))
        elif len(rows[card]) <= MAX_GROUP and len(cols[note]) <= MAX_GROUP and score(card, note) >= SIMILAR \
                and all(score(card, note) >= score(*rival) + MARGIN for rival in rivals):
            out.append((card, note))
    return out


def similarity(mine: str, theirs: str) -> float:
    """The share in common of two texts (see :data:`SIMILAR`; each cut to :data:`MAX_TEXT` characters), 0.0 to 1.0."""
    mine, theirs = mine[:MAX_TEXT], theirs[:MAX_TEXT]
    if mine == theirs:  # (a short back, `x`, has no block of 3 in common with itself)
        return 1.0
    blocks = SequenceMatcher(None, mine, theirs, autojunk=False).get_matching_blocks()
    return 2 * sum(b.size for b in blocks if b.size >= 3) / (len(mine) + len(theirs))


MAX_PLACED = 64  # twins (cards, notes) of one text paired by place; more: none paired this way


def pair_in_place(ranks: list[int], places: list[int]) -> list[tuple[int, int]]:
    """Twins (cards of one text, one file, one front) with the notes or entries of that text: (i, j) pairs of
    the cards at ``ranks[i]`` (a card's place among its same-front cards now, ascending) and the notes at
    ``places[j]`` (a note's place among its same-front notes then, ascending), in order in both, as many as
    can be, and of those the ones nearest their places (least sum of ``|rank - place|``; a tie: the earlier
    note). Twins cannot be told apart, only kept apart: so an edited twin is left with the note of its own
    place, as ``sync``, ``build`` and ``ids`` pair them (tester 12-03 rounds 3 and 14). More than
    :data:`MAX_PLACED` of either: none."""
    n, m = len(ranks), len(places)
    if not n or not m or n > MAX_PLACED or m > MAX_PLACED:
        return []
    # best[i][j]: (pairs, -distance) for cards i.. and notes j..
    best = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            below = best[i + 1][j + 1]
            best[i][j] = max((below[0] + 1, below[1] - abs(ranks[i] - places[j])), best[i + 1][j], best[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        below = best[i + 1][j + 1]
        if best[i][j] == (below[0] + 1, below[1] - abs(ranks[i] - places[j])):
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs
