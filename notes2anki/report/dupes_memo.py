"""The report's duplicate pairs, remembered in the result cache for an unchanged vault.

A warm report must not spend its time re-running the duplicate check when nothing changed. The pairs
:func:`~notes2anki.semantic.dupes.find_duplicates` reports are stored under a digest of everything they
depend on: every card (place, ID, note type, fields), the threshold and the ``[dupes] ignore`` entries, the
model (and its int8 variant), the source of every module and data file of ``notes2anki/semantic`` and the
installed versions of the libraries the check uses. Change any of them and the check runs again (it is
itself incremental, see :mod:`notes2anki.semantic.pair_cache`). Cards are stored by ``Card.key``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from ..model import Card
from ..semantic.dupes import DuplicatePair, find_duplicates
from ..semantic.note_cache import card_state, model_key
from ..semantic.result_cache import ResultCache, code_digest, digest

PACKAGES = ("numpy", "scipy", "scikit-learn", "faiss-cpu", "stopwordsiso")
KIND = "report-dupes"


def _semantic_sources() -> list[str]:
    here = Path(__file__).resolve().parent.parent / "semantic"
    return sorted([p.name for p in here.glob("*.py")] + [f"data/{p.name}" for p in (here / "data").glob("*")])


def dupes_key(cards: Sequence[Card], embedder, *, threshold: float | None, ignore) -> str | None:
    """The key of the duplicate check of ``cards`` (None: ``embedder`` cannot be cached for)."""
    model = model_key(embedder)
    if model is None:
        return None
    location = getattr(getattr(embedder, "spec", None), "location", "")
    return digest(KIND, model, location, threshold, repr(ignore), code_digest(_semantic_sources(), PACKAGES),
                  [(card_state(c), c.id) for c in cards])


def duplicate_pairs(cards: Sequence[Card], embedder, results: ResultCache, *, threshold: float | None = None,
                    ignore=()) -> tuple[list[DuplicatePair], list[str]]:
    """(the reported pairs, best first as ``find_duplicates`` orders them; its warnings) for ``cards``, from
    ``results`` when the same check was made before. ``embedder``: an Embedder or a
    :class:`~notes2anki.semantic.lazy_embedder.LazyEmbedder` (made real only when the check runs)."""
    key = dupes_key(cards, embedder, threshold=threshold, ignore=ignore)
    if key is not None:
        blob = results.get(KIND, key)
        if blob is not None:
            by_key = {c.key: c for c in cards}
            try:
                data = json.loads(blob)
                pairs = [DuplicatePair(by_key[tuple(a)], by_key[tuple(b)], float(score), str(kind), {}, str(method))
                         for a, b, score, kind, method in data["pairs"]]
                return pairs, [str(w) for w in data["warnings"]]
            except (ValueError, KeyError, TypeError):
                pass  # does not fit the cards: check again
    real = getattr(embedder, "real", embedder)
    transient = list(real.warnings)
    found = find_duplicates(cards, embedder=real, threshold=threshold, ignore=ignore)
    warnings = [w for w in found.warnings if w not in transient and w not in real.warnings]  # not cache trouble
    if key is not None:
        data = {"pairs": [[list(p.a.key), list(p.b.key), p.score, p.kind, p.method] for p in found.pairs],
                "warnings": warnings}
        results.put(KIND, key, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return found.pairs, found.warnings
