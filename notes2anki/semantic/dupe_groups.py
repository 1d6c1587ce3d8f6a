"""Duplicate groups: three or more cards that are all pairwise reported duplicates (maximal cliques of
the reported pairs, so no group chains through a middle card)."""
from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Sequence

from notes2anki.model import Card

if TYPE_CHECKING:
    from notes2anki.semantic.dupes import DuplicateGroup, DuplicatePair


def _maximal_cliques(adjacency: dict[int, set[int]]) -> list[frozenset[int]]:
    """Maximal cliques (Bron–Kerbosch with pivoting; iterative, so deep graphs do not recurse)."""
    cliques: list[frozenset[int]] = []
    stack = []  # one search per connected component (the pivot's cost grows with the square of its size)
    seen: set[int] = set()
    for start in sorted(adjacency, reverse=True):
        if start in seen:
            continue
        component, todo = {start}, [start]
        while todo:
            for w in adjacency[todo.pop()]:
                if w not in component:
                    component.add(w)
                    todo.append(w)
        seen |= component
        stack.append((frozenset(), frozenset(component), frozenset()))
    while stack:
        r, p, x = stack.pop()
        if not p and not x:
            cliques.append(r)
            continue
        pivot = max(p | x, key=lambda u: (len(adjacency[u] & p), -u))
        for v in sorted(p - adjacency[pivot]):
            stack.append((r | {v}, p & adjacency[v], x & adjacency[v]))
            p = p - {v}
            x = x | {v}
    return cliques


def clique_groups(pairs: dict[tuple[int, ...], DuplicatePair], cards: Sequence[Card]) -> list[DuplicateGroup]:
    """Groups of three or more cards that are all pairwise reported duplicates; each card in one group at
    most, larger then closer groups first. Score = the weakest pair inside."""
    from notes2anki.semantic.dupes import DuplicateGroup

    adjacency: dict[int, set[int]] = {}
    for i, j in pairs:
        adjacency.setdefault(i, set()).add(j)
        adjacency.setdefault(j, set()).add(i)
    candidates = []
    for clique in _maximal_cliques(adjacency):
        if len(clique) < 3:
            continue
        members = sorted(clique)
        inside = [pairs[(i, j)] for i, j in combinations(members, 2)]
        candidates.append((members, min(p.score for p in inside), all(p.kind == "exact" for p in inside)))
    candidates.sort(key=lambda c: (-len(c[0]), -c[1], c[0]))
    taken: set[int] = set()
    groups = []
    for members, score, exact in candidates:
        free = [m for m in members if m not in taken]
        if len(free) < 3:
            continue
        if len(free) < len(members):  # part of it is in a group already: the rest is still a clique
            inside = [pairs[(i, j)] for i, j in combinations(free, 2)]
            score, exact = min(p.score for p in inside), all(p.kind == "exact" for p in inside)
        taken.update(free)
        groups.append(DuplicateGroup(sorted((cards[m] for m in free), key=lambda c: (c.file, c.line)), score, exact))
    groups.sort(key=lambda g: (not g.exact, -g.score, g.cards[0].file, g.cards[0].line))
    return groups
