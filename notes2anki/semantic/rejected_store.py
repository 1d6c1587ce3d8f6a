"""The rejected candidates of a stored duplicate check (:mod:`~notes2anki.semantic.dupes_memo`): what
``dupes --explain`` lists after a replayed check. Kept as arrays (positions, scores, the judge's feature rows)
in ``<entry>.rejected.pickle``, a second file read only when the rejected candidates are used; their reasons
are computed then. A small edit of a big vault does not rewrite the file (:func:`store_rejected`); ``--explain``
then checks again once (:func:`recheck`). Nothing here raises on a missing or damaged file."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from notes2anki.memo_file import read_pickle

if TYPE_CHECKING:
    from notes2anki.semantic.dupes_memo import Memo

REJECTED_SUFFIX = ".rejected.pickle"
REJECTED_SKIP_FROM = 20_000  # candidates a check must have before a small edit skips storing the rejected ones
REJECTED_FEW = 2_000  # measured pairs (or 2 % of the candidates) that count as a small edit

_rechecking = False  # set by recheck(): no replay, and the rejected candidates are stored whatever changed


def rechecking() -> bool:
    """Whether a :func:`recheck` is running (no replay then, and the rejected candidates are stored)."""
    return _rechecking


def load_rejected(memo: Memo) -> dict | None:
    """The stored rejected candidates of ``memo`` (see :func:`pack_rejected`), or None when they are missing
    or belong to another result."""
    try:
        data = read_pickle(memo.folder / (memo.name + REJECTED_SUFFIX))
    except Exception:
        return None
    from notes2anki.semantic.dupes_memo import FORMAT

    if not isinstance(data, dict) or data.get("digest") != memo.digest or data.get("format") != FORMAT:
        return None
    return data


def pack_rejected(rejected: Sequence[Any], where: dict) -> dict:
    """The rejected candidates as arrays (positions ``where[card.key]``, scores, the judge's feature rows,
    method, vetoes): their reasons and signals are not computed here but when read back and used
    (--explain); 100,000 rows of explanations cost seconds, their feature rows a 30 MB array."""
    import numpy as np

    from notes2anki.semantic.pair_features import FEATURES

    ij = np.array([(where[r.a.key], where[r.b.key]) for r in rejected], dtype=np.int64).reshape(-1, 2)
    scores = np.array([r.score for r in rejected], dtype=np.float64)
    rows = np.zeros((len(rejected), len(FEATURES)), dtype=np.float64)
    method, vetoes, why, plain, threshold = [], {}, {}, {}, None
    for k, r in enumerate(rejected):
        verdict = r.verdict
        if verdict is None or verdict.row is None:
            plain[k] = (r.reason, r.signals)
            method.append("")
            continue
        rows[k] = verdict.row
        method.append(verdict.method)
        if verdict.vetoes:
            vetoes[k] = list(verdict.vetoes)
        if verdict._why is not None:
            why[k] = verdict._why
        threshold = verdict.threshold if verdict.threshold is not None else threshold
    return {"ij": ij, "scores": scores, "rows": rows, "method": method, "vetoes": vetoes, "why": why,
            "plain": plain, "threshold": threshold}


def unpack_rejected(data: dict, live: Sequence[Any]) -> list:
    """:class:`~notes2anki.semantic.dupes.Rejection` objects on today's cards from :func:`pack_rejected`
    (or :func:`_pack_report`'s unsorted form, put in order here)."""
    from notes2anki.semantic.dupe_report import Rejection
    from notes2anki.semantic.dupes_memo import _in_order
    from notes2anki.semantic.scoring import Verdict

    if data.get("unsorted"):
        data = _in_order(data, live)
    out = []
    rows, vetoes, why, plain, threshold = data["rows"], data["vetoes"], data["why"], data["plain"], data["threshold"]
    for k, ((i, j), score, method) in enumerate(zip(data["ij"].tolist(), data["scores"].tolist(), data["method"])):
        if k in plain:
            reason, signals = plain[k]
            out.append(Rejection(live[i], live[j], score, reason, dict(signals)))
            continue
        verdict = Verdict(score, method, None, vetoes.get(k), why.get(k), row=rows[k], threshold=threshold)
        out.append(Rejection(live[i], live[j], score, verdict=verdict))
    return out


def recheck(run: Callable[[], Any]) -> Any:
    """``run()`` (a duplicate check of the cards of a replayed result, with its caches) without replaying
    the stored result, and storing the rejected candidates whatever changed: what ``--explain`` runs when a
    replayed result's rejected candidates were not stored (see :func:`store_rejected`)."""
    global _rechecking
    before, _rechecking = _rechecking, True
    try:
        return run()
    finally:
        _rechecking = before


def store_rejected(candidates: int, measured: int) -> bool:
    """Whether a check with ``candidates`` candidate pairs, ``measured`` of them measured this run, stores
    its rejected candidates (for ``--explain`` after a replay). Not after a small edit of a big vault (at
    least :data:`REJECTED_SKIP_FROM` candidates, at most :data:`REJECTED_FEW` or 2 % of them measured): the
    file is as big as the candidates' feature rows (10,000 cards: 35 MB, ~0.25 s to pack and write on every
    edit) and only ``--explain`` reads it; the stale one is removed, and ``--explain`` after a replay checks
    again once (incrementally, inside :func:`recheck`, which stores it). Same rejected candidates."""
    if _rechecking or candidates < REJECTED_SKIP_FROM:
        return True
    return measured > max(REJECTED_FEW, 0.02 * candidates)
