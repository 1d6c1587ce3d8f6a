"""Topic clusterings (and the report's topic map) kept in the result cache, so a warm `topics`, `report` or
`build --topic-tags` neither embeds nor clusters.

The key of a clustering is a digest of everything it is computed from: every note as the semantic layer
reads it (:func:`~notes2anki.semantic.note_cache.note_digest`: path, text, headings, cards with their fields;
card vectors and note vectors are functions of these and of the model), the model (and the int8 variant),
the model named for the language check, the settings (``k``, ``threshold``, ``min_size``, ``examples``), the
source of the modules that compute topics and the installed versions of numpy, SciPy, scikit-learn and
stopwordsiso. Any change gives another key, so a cached result is never stale; an edit of one note
re-clusters the vault (the clustering is global) but re-embeds only that note.

The value is the result as JSON, cards named by ``Card.key`` (file, line, column); a result that does not
match the vault's cards (which cannot happen unless the cache was tampered with) is recomputed.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..model import Card, Vault
from .note_cache import note_digest, vectors_base
from .result_cache import ResultCache, code_digest, digest
from .topics import Topic, TopicResult, find_topics, vault_topics
from .topic_vectors import vault_vectors

TOPIC_CODE = ("topics.py", "topic_clustering.py", "topic_labels.py", "label_words.py", "topic_vectors.py", "language.py", "text.py", "notes_text.py",
              "note_cache.py", "topic_cache.py")
TOPIC_PACKAGES = ("numpy", "scipy", "scikit-learn", "stopwordsiso", "simplemma", "sudachipy", "sudachidict-small", "rjieba")
_code: dict[str, str] = {}


def topics_key(vault: Vault, embedder, *, settings: dict, model: object = None, purpose: str = "topics") -> str | None:
    """The cache key of the topics of ``vault`` with ``settings`` (None: ``embedder`` cannot be cached for)."""
    base = vectors_base(embedder)
    if base is None:
        return None
    if "code" not in _code:
        _code["code"] = code_digest(TOPIC_CODE, TOPIC_PACKAGES)
    notes = sorted(vault.notes, key=lambda n: n.path)
    return digest(purpose, base, _code["code"], None if model is None else str(model),
                  sorted((k, v) for k, v in settings.items() if v is not None),
                  [note_digest(n, base) for n in notes])


# -- (de)serialising ---------------------------------------------------------------------------------------
def _topic_json(topic: Topic) -> dict:
    return {"id": topic.id, "label": topic.label, "keywords": list(topic.keywords), "slug": topic.slug,
            "cards": [list(c.key) for c in topic.cards], "examples": [list(c.key) for c in topic.examples],
            "subtopics": [_topic_json(t) for t in topic.subtopics]}


def result_bytes(result: TopicResult, extra: dict | None = None) -> bytes:
    """``result`` (and ``extra`` JSON-able data) as compact UTF-8 JSON."""
    data = {"topics": [_topic_json(t) for t in result.topics], "unassigned": [list(c.key) for c in result.unassigned],
            "threshold": result.threshold, "min_size": result.min_size, "k": result.k, "method": result.method,
            "uncovered": result.uncovered, "extra": extra or {}}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _topic(data: dict, cards: dict[tuple, Card]) -> Topic:
    return Topic(int(data["id"]), str(data["label"]), [str(k) for k in data["keywords"]],
                 [cards[tuple(k)] for k in data["cards"]], [cards[tuple(k)] for k in data["examples"]],
                 str(data["slug"]), [_topic(t, cards) for t in data["subtopics"]])


def result_from_bytes(blob: bytes, cards: list[Card]) -> tuple[TopicResult, dict] | None:
    """The result stored by :func:`result_bytes`, its cards taken from ``cards`` by key; None when the
    stored data does not fit them."""
    by_key = {c.key: c for c in cards}
    try:
        data = json.loads(blob)
        result = TopicResult([_topic(t, by_key) for t in data["topics"]],
                             [by_key[tuple(k)] for k in data["unassigned"]], data["threshold"],
                             int(data["min_size"]), data["k"], str(data["method"]), int(data["uncovered"]))
        return result, dict(data.get("extra") or {})
    except (ValueError, KeyError, TypeError):
        return None


# -- the cached computations ---------------------------------------------------------------------------------
def cached_vault_topics(vault: Vault, embedder, results: ResultCache | None = None, *, k: int | None = None,
                        threshold: float | None = None, min_size: int | None = None, examples: int = 3,
                        model: object = None) -> TopicResult:
    """:func:`~notes2anki.semantic.topics.vault_topics`, from ``results`` when the same vault (every note
    unchanged), settings, model and code were clustered before (``results`` None: the result cache beside
    the embedder's cache). The same result either way (tested)."""
    if results is None:
        with ResultCache.beside(embedder) as own:
            try:
                return cached_vault_topics(vault, embedder, own, k=k, threshold=threshold, min_size=min_size,
                                           examples=examples, model=model)
            finally:
                _pass_warnings(own, embedder)
    settings = {"k": k, "threshold": threshold, "min_size": min_size, "examples": examples}
    key = topics_key(vault, embedder, settings=settings, model=model)
    cards = vault.cards
    if key is not None:
        blob = results.get("topics", key)
        found = result_from_bytes(blob, cards) if blob is not None else None
        if found is not None:
            return found[0]
    result = vault_topics(vault, embedder, k=k, threshold=threshold, min_size=min_size, examples=examples,
                          model=model, results=results)
    if key is not None:
        results.put("topics", key, result_bytes(result))
    return result


def cached_topic_map(vault: Vault, embedder, results: ResultCache | None = None, *, project: Any,
                     project_code: str = "", **settings: Any) -> tuple[list[Card], TopicResult, np.ndarray]:
    """For the report: the cards not marked for deletion (notes by path, cards in file order), their topics
    (``settings`` as for :func:`~notes2anki.semantic.topics.find_topics`) and their 2-D map coordinates
    ``project(vectors)`` (n x 2), from ``results`` when the same vault, settings, model and code were mapped
    before. ``project_code``: a digest of the code behind ``project`` (see :func:`code_digest`)."""
    if results is None:
        with ResultCache.beside(embedder) as own:
            try:
                return cached_topic_map(vault, embedder, own, project=project, project_code=project_code,
                                        **settings)
            finally:
                _pass_warnings(own, embedder)
    cards = [c for n in sorted(vault.notes, key=lambda n: n.path) for c in n.cards if not c.delete]
    key = topics_key(vault, embedder, settings=dict(settings), purpose=f"topic-map:{project_code}")
    if key is not None:
        blob = results.get("topic-map", key)
        found = result_from_bytes(blob, cards) if blob is not None else None
        if found is not None:
            xy = np.asarray(found[1].get("xy", []), dtype=np.float64).reshape(-1, 2)
            if xy.shape[0] == len(cards):
                return cards, found[0], xy
    vv = vault_vectors(vault, embedder, results=results)
    keep = [i for i, c in enumerate(vv.cards) if not c.delete]
    kept, texts, x = [vv.cards[i] for i in keep], [vv.texts[i] for i in keep], vv.x[keep]
    result = find_topics(kept, x, texts=texts, **settings)
    result.method, result.uncovered = vv.method, vv.uncovered
    xy = np.asarray(project(x), dtype=np.float64).reshape(-1, 2)
    if key is not None:
        results.put("topic-map", key, result_bytes(result, {"xy": xy.tolist()}))
    return kept, result, xy


def _pass_warnings(results: ResultCache, embedder) -> None:
    warnings = getattr(embedder, "warnings", None)
    if isinstance(warnings, list):
        warnings.extend(w for w in results.warnings if w not in warnings)
