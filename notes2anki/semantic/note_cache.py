"""Note vectors (:mod:`notes2anki.semantic.notes_text`) kept in the result cache, so a warm `related`,
`topics` or `report` neither re-splits the notes into chunks nor looks their chunks up again.

A note's vector depends on the note (its path, text, headings and cards as parsed), on which of its headings
are *template headings* of the vault (a vault-wide count, :func:`~notes2anki.semantic.notes_text.template_headings`),
on the embedding model and on the code that cuts and weighs the chunks. So two entries per note:

* ``"note-headings"``, keyed by :func:`note_digest`: the note's heading keys (what the vault-wide template
  count needs), so the template headings are counted without reading any heading again;
* ``"note-vector"``, keyed by the note digest and the note's own template headings: its unit vector.

Both keys include the model and a digest of ``text.py`` and ``notes_text.py``: another model or other
chunking code never reuses a vector. The vectors are exactly those :func:`~notes2anki.semantic.notes_text.note_vectors`
computes (float32, stored as they were computed; tested).
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Sequence

import numpy as np

from ..model import Note
from .notes_text import TEMPLATE_MIN_NOTES, TEMPLATE_MIN_SHARE, heading_key, note_chunks, note_vector
from .result_cache import ResultCache, code_digest, digest, plain_digest
from .text import TEXT_VERSION

NOTE_CODE = ("text.py", "notes_text.py", "note_cache.py")


def model_key(embedder) -> str | None:
    """What names ``embedder``'s vectors in result keys: its model's cache key, plus
    :func:`~notes2anki.semantic.encoder.vector_suffix` (the int8 graph's suffix when it runs int8); None for
    an object that is not an :class:`~notes2anki.semantic.encoder.Embedder` (no caching)."""
    spec = getattr(embedder, "spec", None)
    key = getattr(spec, "key", None)
    if not isinstance(key, str):
        return None
    from .encoder import vector_suffix

    return key + vector_suffix(getattr(embedder, "backend", None))


def card_state(card) -> tuple:
    """Everything of a card that the semantic results read: place, type, fields (in order), flags."""
    return (card.file, card.line, card.col, card.end_line, card.id_line, card.inline, card.delete,
            card.note_type, list(card.fields.items()))


def note_digest(note: Note, base: str) -> str:
    """A digest of the note as the semantic layer reads it (path, text, body start, headings, cards, and the
    syntax lines and inline-card spans the parser found, which follow the vault's marker settings), under
    ``base`` (model and code, see :func:`vectors_base`)."""
    return plain_digest(base, note.path, note.text, note.body_start,
                  [(h.level, h.text, h.line) for h in note.headings],
                  [card_state(c) for c in note.cards], sorted(getattr(note, "syntax_lines", ())),
                  sorted((line, list(spans)) for line, spans in getattr(note, "inline_spans", {}).items()))


def vectors_base(embedder) -> str | None:
    """The model-and-code part of every note key (None: ``embedder`` cannot be cached for)."""
    key = model_key(embedder)
    return None if key is None else digest("note-vectors", key, TEXT_VERSION, code_digest(NOTE_CODE))


def _own_headings(note: Note) -> list[str]:
    """The note's heading keys as :func:`template_headings` counts them (its title left out), sorted."""
    return sorted({heading_key(h.text) for h in note.headings} - {heading_key(note.name)})


def cached_note_vectors(notes: Sequence[Note], embedder, results: ResultCache | None) -> np.ndarray:
    """One unit vector per note (rows in the order of ``notes``), equal to
    ``notes_text.note_vectors(notes, embedder.embed)``, with only the notes not cached (new, edited, or
    whose template headings changed) cut into chunks and embedded. ``results`` None: nothing cached."""
    base = vectors_base(embedder) if results is not None else None
    if base is None or results is None:
        from .notes_text import note_vectors

        return note_vectors(notes, embedder.embed)
    digests = [note_digest(n, base) for n in notes]
    known = results.get_many("note-headings", digests)
    fresh: dict[str, bytes] = {}
    own: list[list[str]] = []
    for note, key in zip(notes, digests):
        stored = known.get(key)
        keys = json.loads(stored) if stored is not None else None
        if not isinstance(keys, list):
            keys = _own_headings(note)
            fresh[key] = json.dumps(keys, ensure_ascii=False).encode("utf-8")
        own.append(keys)
    results.put_many("note-headings", fresh)
    counts = Counter(k for keys in own for k in keys if k)
    needed = max(TEMPLATE_MIN_NOTES, TEMPLATE_MIN_SHARE * len(notes))
    template = frozenset(k for k, c in counts.items() if c >= needed)
    vector_keys = [digest(d, [k for k in keys if k in template]) for d, keys in zip(digests, own)]
    stored = results.get_many("note-vector", vector_keys)
    vectors: dict[int, np.ndarray] = {}
    for row, key in enumerate(vector_keys):
        blob = stored.get(key)
        if blob is not None and len(blob) % 4 == 0:
            vector = np.frombuffer(blob, dtype=np.float32)
            norm = float(np.dot(vector, vector)) if np.all(np.isfinite(vector)) else -1.0
            if norm == 0.0 or abs(norm - 1.0) < 1e-3:  # a unit vector (or a note with no text): else damaged
                vectors[row] = vector  # on disk, and embedded again (a garbled blob gave a score of 1e+24)
    missing = [row for row in range(len(notes)) if row not in vectors]
    if missing:
        per_note = [note_chunks(notes[row], template) for row in missing]
        texts = [c.text for chunks in per_note for c in chunks]
        flat = embedder.embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        dim = flat.shape[1] if flat.ndim == 2 and flat.shape[0] else 0
        at, new = 0, {}
        for row, chunks in zip(missing, per_note):
            part = flat[at:at + len(chunks)]
            at += len(chunks)
            vec = note_vector(part, [c.weight for c in chunks]) if chunks else np.zeros(0, dtype=np.float32)
            vectors[row] = vec
            new[vector_keys[row]] = np.ascontiguousarray(vec, dtype=np.float32).tobytes()
        results.put_many("note-vector", new)
    dims = {v.shape[0] for v in vectors.values() if v.shape[0]}
    if len(dims) > 1:  # entries of another size under this model (cannot happen unless the model changed)
        from .notes_text import note_vectors

        return note_vectors(notes, embedder.embed)
    dim = dims.pop() if dims else 0
    rows = [vectors[r] if vectors[r].shape[0] else np.zeros(dim, dtype=np.float32) for r in range(len(notes))]
    return np.stack(rows).astype(np.float32, copy=False) if rows else np.zeros((0, dim), dtype=np.float32)


PREPARE_PROSE_RATIO = 8  # build embeds the notes for `related` only while their text is at most this many
# times their cards' text: beyond, the prose would cost far more than the build asked for (a vault of long
# notes with few cards: 75 cards in 3.4 MB of notes took 179 s CPU and 1.3 GB), so the first `related` does it


def prepare(vault, embedder) -> list[str]:
    """Compute and store every note's vector of ``vault`` as ``related`` reads them (notes by path, the
    result cache beside ``embedder``'s embedding cache), so the first ``related`` after a ``build`` only
    reads them; only notes not stored yet are cut into chunks and embedded (for a vault mostly in a language
    the bundled model does not read, the character n-gram vectors ``related`` uses there are stored instead). Nothing is done when the notes'
    text is more than :data:`PREPARE_PROSE_RATIO` times their cards' text (characters). Returns the result
    cache's warnings. Raises :class:`~notes2anki.semantic.encoder.EncoderError` when the model cannot be
    loaded."""
    from .result_cache import ResultCache

    notes = sorted(vault.notes, key=lambda n: n.path)
    prose = sum(len(n.text) for n in notes)
    cards = sum(len(v) for n in notes for c in n.cards for v in c.fields.values())
    if prose > PREPARE_PROSE_RATIO * max(cards, 1):
        return []
    from .related_chargrams import cached_chargram_note_vectors, readership, reads_with_bundled_model

    with ResultCache.beside(embedder) as results:
        if reads_with_bundled_model(embedder) and readership(notes, results).mostly_unread:
            cached_chargram_note_vectors(notes, results)  # what `related` reads there: no model needed
        else:
            cached_note_vectors(notes, embedder, results)
        return list(results.warnings)
