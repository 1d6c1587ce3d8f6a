"""Twins with their old notes by an order-preserving alignment of the whole same-front group.

Twins (cards of one file with one front and one text, no ID) cannot be told apart by their text, only by
where they sit among the group's other cards. Pairing each text's twins with the old entries of that text
nearest their places (:func:`~.similar_cards.pair_in_place`) went wrong when a card was inserted above the
twins and the *second* twin edited (``perro, gato, gato, casa`` -> ``perro, pez, gato, gato negro, casa``):
the unedited twin sat nearest the second twin's old place and took its note, and the edited twin the first
twin's note (and its review history). So the group is aligned as a whole (:func:`align`): the cards now and
the entries then, both in file order, paired in order so as to keep the most cards on the entry of their own
text, and of those alignments the one whose other pairs (an edited card on an entry) are the most alike
(:func:`~.similar_cards.similarity`, at :data:`~.similar_cards.SIMILAR` or more): ``gato`` stays with the
first twin's entry because ``gato negro`` is like the second's. Only the exact pairs are taken from it; the
edited cards are paired after, by the callers' own rules (``pair_alike``, the gap rule, sync's later passes).
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Callable, Hashable, Sequence

from .similar_cards import SIMILAR, similarity

MAX_CELLS = 250_000  # cards x entries aligned by the table (a larger stretch: split at unique texts, else in order)
MAX_SCORED = 4096  # similarities computed per stretch (more: the alignment ignores them)


def align(now: Sequence[Hashable], then: Sequence[Hashable],
          like: Callable[[int, int], float] | None = None) -> list[tuple[int, int]]:
    """The pairs ``(i, j)`` with ``now[i] == then[j]`` of the best order-preserving alignment of ``now`` (the
    group's cards' texts, file order now) with ``then`` (its old entries' texts, file order then), ascending
    in both. Best: (1) the most such exact pairs; (2) of those, the greatest sum of ``like(i, j)`` (0.0 to 1.0;
    counted at :data:`~.similar_cards.SIMILAR` or more) over the unequal pairs the alignment sets side by side
    (an edited card against its old text); (3) the fewest cards and entries left unpaired or set against an
    unequal one; (4) a tie: the pair of the earliest card and entry first. A table over both sequences (the
    global alignment of Needleman & Wunsch 1970, J. Mol. Biol. 48:443, scored as above), O(len(now) ×
    len(then)) after the equal head and tail are paired; a stretch over :data:`MAX_CELLS` cells is split at
    the texts found once on each side (in order: a longest increasing run), and a part still too large pairs
    each card with the next equal entry in order. ``like`` is asked only for a card whose text has fewer
    entries than cards and an entry whose text has fewer cards than entries, and not at all when more than
    :data:`MAX_SCORED` such pairs would be."""
    head = 0
    while head < min(len(now), len(then)) and now[head] == then[head]:
        head += 1
    tail = 0
    while tail < min(len(now), len(then)) - head and now[-1 - tail] == then[-1 - tail]:
        tail += 1
    pairs = [(k, k) for k in range(head)]
    a, b = list(now[head:len(now) - tail]), list(then[head:len(then) - tail])
    if a and b:
        shifted = (lambda i, j: like(head + i, head + j)) if like is not None else None
        pairs += [(head + i, head + j) for i, j in _middle(a, b, shifted)]
    return pairs + [(len(now) - tail + k, len(then) - tail + k) for k in range(tail)]


def _middle(a: list, b: list, like) -> list[tuple[int, int]]:
    if len(a) * len(b) <= MAX_CELLS:
        return _table(a, b, _scores(a, b, like))
    anchors = _anchors(a, b)
    if not anchors:
        return _banded(a, b, like)
    out: list[tuple[int, int]] = []
    i0 = j0 = 0
    for i1, j1 in anchors + [(len(a), len(b))]:
        if i1 > i0 and j1 > j0:
            sub = (lambda i, j, i0=i0, j0=j0: like(i0 + i, j0 + j)) if like is not None else None
            out += [(i0 + i, j0 + j) for i, j in align(a[i0:i1], b[j0:j1], sub)]
        if i1 < len(a):
            out.append((i1, j1))
        i0, j0 = i1 + 1, j1 + 1
    return out


def _banded(a: list, b: list, like) -> list[tuple[int, int]]:
    """A stretch too large for the whole table, with no text found once on each side: the table over the cells
    near the diagonals from its start to its end (as many as :data:`MAX_CELLS` allows: a card inserted or
    deleted at one place shifts the others by one), else each card with the next equal entry in order."""
    n, m = len(a), len(b)
    low, high = min(0, n - m), max(0, n - m)
    spare = MAX_CELLS // (n + m) - (high - low) - 1
    if spare < 4:
        return _greedy(a, b)
    width = spare // 2
    return _table(a, b, _scores(a, b, like), (low - width, high + width))


def _scores(a: list, b: list, like) -> dict[tuple[int, int], int]:
    """(i, j) -> similarity in thousandths (at SIMILAR or more) of the unequal pairs worth scoring."""
    if like is None:
        return {}
    count_a: dict = {}
    count_b: dict = {}
    for t in a:
        count_a[t] = count_a.get(t, 0) + 1
    for t in b:
        count_b[t] = count_b.get(t, 0) + 1
    cards = [i for i, t in enumerate(a) if count_a[t] > count_b.get(t, 0)]
    entries = [j for j, t in enumerate(b) if count_b[t] > count_a.get(t, 0)]
    if not cards or not entries or len(cards) * len(entries) > MAX_SCORED:
        return {}
    out = {}
    for i in cards:
        for j in entries:
            if a[i] != b[j]:
                score = like(i, j)
                if score >= SIMILAR:
                    out[i, j] = round(score * 1000)
    return out


def _table(a: list, b: list, scores: dict[tuple[int, int], int], band: tuple[int, int] | None = None
           ) -> list[tuple[int, int]]:
    """:func:`align`'s table over ``a`` and ``b``: a value per suffix pair, exact pairs weighing more than any
    sum of similarities, which weigh more than any count of edits. ``band``: only the cells whose ``i - j``
    lies in it (lo, hi) are filled (the others out of reach)."""
    n, m = len(a), len(b)
    lo, hi = band if band is not None else (-m, n)
    edit, alike = 1, n + m + 1
    exact = alike * (1000 * min(n, m) + 1)
    out_of_reach = -exact * (n + m + 2)
    best: dict[tuple[int, int], int] = {}

    def at(i: int, j: int) -> int:
        return best.get((i, j), out_of_reach)

    for i in range(n, -1, -1):
        for j in range(min(m, i - lo), max(0, i - hi) - 1, -1):
            if i == n or j == m:
                best[i, j] = -(n - i) - (m - j)
                continue
            if a[i] == b[j]:
                d = at(i + 1, j + 1) + exact
            else:
                d = at(i + 1, j + 1) - edit + alike * scores.get((i, j), 0)
            s, t = at(i + 1, j) - edit, at(i, j + 1) - edit
            best[i, j] = d if d >= s and d >= t else (s if s >= t else t)
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        same = a[i] == b[j]
        d = at(i + 1, j + 1) + (exact if same else alike * scores.get((i, j), 0) - edit)
        if best[i, j] == d:
            if same:
                pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i, j] == at(i + 1, j) - edit:
            i += 1
        else:
            j += 1
    return pairs


def _anchors(a: list, b: list) -> list[tuple[int, int]]:
    """(i, j) of the texts found once in ``a`` and once in ``b``, the longest run of them in order in both."""
    once_a: dict = {}
    once_b: dict = {}
    for i, t in enumerate(a):
        once_a[t] = None if t in once_a else i
    for j, t in enumerate(b):
        once_b[t] = None if t in once_b else j
    found = [(i, once_b[t]) for t, i in once_a.items() if i is not None and once_b.get(t) is not None]
    found.sort()
    tails: list[int] = []  # patience sorting: the longest increasing run of j
    tail_at: list[int] = []
    back: list[int] = []
    for k, (_, j) in enumerate(found):
        p = bisect_left(tails, j)
        if p == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[p], tail_at[p] = j, k
        back.append(tail_at[p - 1] if p else -1)
    run, k = [], tail_at[-1] if tail_at else -1
    while k >= 0:
        run.append(found[k])
        k = back[k]
    return run[::-1]


def _greedy(a: list, b: list) -> list[tuple[int, int]]:
    """Each card with the next equal entry in order (a stretch too large for the table)."""
    pairs, j = [], 0
    at: dict = {}
    for k, t in enumerate(b):
        at.setdefault(t, []).append(k)
    for i, t in enumerate(a):
        spots = at.get(t, ())
        p = bisect_left(spots, j)
        if p < len(spots):
            pairs.append((i, spots[p]))
            j = spots[p] + 1
    return pairs


def rest_like(mine: Sequence[str | None], theirs: Sequence[str | None]) -> Callable[[int, int], float]:
    """``like`` for :func:`align` from the cards' and entries' other fields (None: not kept, never alike),
    each similarity computed once."""
    seen: dict[tuple[int, int], float] = {}

    def like(i: int, j: int) -> float:
        if (i, j) not in seen:
            x, y = mine[i], theirs[j]
            seen[i, j] = 0.0 if x is None or y is None else similarity(x, y)
        return seen[i, j]
    return like


def realigned(now: Sequence[Hashable], then: Sequence[Hashable], like: Callable[[int, int], float] | None,
              first: dict[int, int]) -> dict[int, int]:
    """``first`` (card index -> entry index: :func:`align`'s pairs of ``now`` and ``then``) with the cards and
    entries it left unpaired aligned again among themselves (:func:`align`, each side in its order): a block of
    twins moved past other cards (``gato, gato, perro, casa`` -> ``perro, casa, gato, gato gris``) crosses the
    pairs of the whole alignment, which then pairs none of them, and by nearest place alone the unedited twin
    took the second twin's note (tester 12-03 round 16); among themselves ``gato`` pairs with the first and
    ``gato gris`` stays beside the second."""
    rest_i = [i for i in range(len(now)) if i not in first]
    taken = set(first.values())
    rest_j = [j for j in range(len(then)) if j not in taken]
    if not rest_i or not rest_j:
        return dict(first)
    sub = (lambda a, b: like(rest_i[a], rest_j[b])) if like is not None else None
    out = dict(first)
    out.update({rest_i[a]: rest_j[b] for a, b in align([now[i] for i in rest_i], [then[j] for j in rest_j], sub)})
    return out


def pair_aligned(ranks: list[int], places: list[int], aligned: dict[int, int]) -> list[tuple[int, int]]:
    """Twins of one text with the entries of that text: ``(i, j)`` pairs of the cards at ``ranks[i]`` (their
    places in the group now) and the entries at ``places[j]`` (their places among the group's entries then),
    first those :func:`align` paired (``aligned``: rank -> place), then the twins and entries it left
    (moved since) in order, nearest their places (:func:`~.similar_cards.pair_in_place`)."""
    from .similar_cards import pair_in_place

    where = {p: j for j, p in enumerate(places)}
    out = [(i, where[aligned[r]]) for i, r in enumerate(ranks) if aligned.get(r) in where]
    used_i, used_j = {i for i, _ in out}, {j for _, j in out}
    rest_i = [i for i in range(len(ranks)) if i not in used_i]
    rest_j = [j for j in range(len(places)) if j not in used_j]
    for x, y in pair_in_place([ranks[i] for i in rest_i], [places[j] for j in rest_j]):
        out.append((rest_i[x], rest_j[y]))
    return sorted(out)
