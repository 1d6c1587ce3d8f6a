"""Note vectors for `related` on a vault mostly in a language the embedding model does not read.

There the model's cosines are high and its suggestions noise (medu4, Japanese: median 0.80), and embedding
the notes' prose was nearly all of the cost (Supre, French: 65 s for `related --all`, for suggestions the
command itself called unreliable). As `topics` does (:func:`~notes2anki.semantic.topic_vectors.vault_vectors`),
such a vault gets latent-semantic vectors of character 2–4-grams instead, and no model is loaded.

* **Which notes the model reads** — :func:`~notes2anki.semantic.language.covered` on the start of each
  note's body (frontmatter left out, the first :data:`SAMPLE_CHARS` characters: the title line, first prose
  and cards), the measure `dupes` and `topics` use for cards. The body is what the index embeds, and its
  first 1,000 characters already hold 100–200 words, enough for the known-word rate and the function words;
  reading whole notes would cost seconds on a large English vault for the same answer. The count is kept
  in the result cache (keyed by the measured texts), so a warm run only hashes them.
* **The vectors** — the notes are cut into chunks exactly as for embedding
  (:func:`~notes2anki.semantic.notes_text.note_chunks`: template headings left out, prose windows, one
  chunk per card, the same weights); each chunk gets a character n-gram LSA vector fitted on all the
  vault's chunks, and a note's vector is their weighted mean (:func:`~notes2anki.semantic.notes_text.note_vector`).
  The LSA is fitted on the texts in sorted order: the same vault gives the same vectors in any file order.
* **Cache** — the LSA is fitted on the whole vault, so the note vectors are kept in the result cache under
  one key for all notes (their digests as :mod:`~notes2anki.semantic.note_cache` takes them, this code, the
  scikit-learn version): a warm run reads them (Supre: 5 s of TF-IDF and SVD saved), an edit to any note
  fits them again. A card's query (`related --card`) fits them again to map the card into their space.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..model import Note
from .result_cache import ResultCache

SAMPLE_CHARS = 1000  # of each note's body measured for its language


@dataclass
class Readership:
    """How many of the notes measured (those with any text) the model does not read."""

    unread: int
    measured: int

    @property
    def mostly_unread(self) -> bool:
        """Whether most notes are not read by the model (then `related` uses character n-grams)."""
        return self.measured > 0 and self.unread * 2 > self.measured


def reads_with_bundled_model(embedder) -> bool:
    """Whether ``embedder`` is the bundled model's (or a stand-in without a model ``spec``, as in tests): the
    model whose vocabulary :func:`~notes2anki.semantic.language.covered` knows."""
    spec = getattr(embedder, "spec", None)
    return spec is None or getattr(spec, "location", None) == ""


def _body_start(note: Note) -> str:
    lines = note.text.split("\n", max(note.body_start - 1, 0))
    body = lines[-1] if note.body_start > 1 and len(lines) >= note.body_start else note.text
    return body[:SAMPLE_CHARS]


def readership(notes: Sequence[Note], results: ResultCache | None = None) -> Readership:
    """How many of ``notes`` the bundled model does not read (see the module docstring), from ``results``
    when the same texts were measured before."""
    texts = [t for t in (_body_start(n) for n in notes) if t.strip()]
    if not texts:
        return Readership(0, 0)
    h = hashlib.sha256()
    for t in sorted(texts):
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    key = h.hexdigest()
    if results is not None:
        known = results.get("related-readership", key)
        if known is not None:
            try:
                unread, measured = (int(x) for x in known.decode("ascii").split("/"))
                return Readership(unread, measured)
            except ValueError:
                pass
    from .language import covered

    stored = _measurements(texts, results)
    unread = sum(not ok for ok in covered(texts, None))
    if results is not None:
        _keep_measurements(texts, stored, results)
        results.put("related-readership", key, f"{unread}/{len(texts)}".encode("ascii"))
    return Readership(unread, len(texts))


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _measurements(texts: Sequence[str], results: ResultCache | None) -> set[str]:
    """Put into :mod:`~notes2anki.semantic.language`'s memo what it measured of each of ``texts`` before
    (known-word rate, words, language votes: one entry per text in ``results``), so that after an edit only
    the edited notes are measured (issue 13: the 10,000-card bench vault's edit measured all its 1,000 notes
    again, 0.4 s); the keys found. ``covered`` then decides from the same measurements as before."""
    import marshal

    from . import language

    if results is None:
        return set()
    keys = {_text_key(t): t for t in texts}
    found = results.get_many("language-measure", list(keys))
    for k, blob in found.items():
        if keys[k] not in language._memo:
            try:
                language._memo[keys[k]] = marshal.loads(blob)
            except (EOFError, ValueError, TypeError):
                pass  # damaged: measured again
    return set(found)


def _keep_measurements(texts: Sequence[str], stored: set[str], results: ResultCache) -> None:
    """Store the measurements of ``texts`` not among ``stored`` (see :func:`_measurements`)."""
    import marshal

    from . import language

    new = {}
    for t in texts:
        k = _text_key(t)
        entry = language._memo.get(t)
        if k not in stored and entry is not None:
            try:
                new[k] = marshal.dumps(entry)
            except ValueError:
                continue
    if new:
        results.put_many("language-measure", new)


CHARGRAM_CODE = ("text.py", "notes_text.py", "note_cache.py", "topic_vectors.py", "related_chargrams.py")


def cached_chargram_note_vectors(notes: Sequence[Note], results: ResultCache | None) -> np.ndarray:
    """:func:`chargram_note_vectors`' vectors, read from ``results`` when the same notes were fitted before."""
    if results is None:
        return chargram_note_vectors(notes)[0]
    from .note_cache import note_digest
    from .result_cache import code_digest, digest

    base = digest("related-chargrams", code_digest(CHARGRAM_CODE, ["scikit-learn"]))
    key = digest(base, [note_digest(n, base) for n in notes])
    blob = results.get("related-chargrams", key)
    if blob is not None and len(blob) >= 4:
        dim = int.from_bytes(blob[:4], "little")
        body = np.frombuffer(blob[4:], dtype=np.float32)
        if dim > 0 and body.size == dim * len(notes) and np.all(np.isfinite(body)):
            return body.reshape(len(notes), dim).copy()
    vectors = chargram_note_vectors(notes)[0]
    results.put("related-chargrams", key, int(vectors.shape[1]).to_bytes(4, "little")
                + np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    return vectors


def chargram_note_vectors(notes: Sequence[Note]) -> tuple[np.ndarray, Callable[[Sequence[str]], np.ndarray]]:
    """One unit vector per note (rows in the order of ``notes``, zeros for a note with no text) from character
    n-gram LSA over the notes' chunks, and the function that maps other texts (a card's) into that space."""
    from .notes_text import note_chunks, note_vector, template_headings
    from .topic_vectors import chargram_space

    template = template_headings(notes)
    per_note = [note_chunks(n, template) for n in notes]
    texts = [c.text for chunks in per_note for c in chunks]
    flat, project = chargram_space(texts)
    flat = flat.astype(np.float32)
    dim = flat.shape[1] if flat.ndim == 2 else 1
    rows, at = [], 0
    for chunks in per_note:
        part = flat[at:at + len(chunks)]
        at += len(chunks)
        rows.append(note_vector(part, [c.weight for c in chunks]) if chunks else np.zeros(dim, dtype=np.float32))
    vectors = np.stack(rows).astype(np.float32) if rows else np.zeros((0, dim), dtype=np.float32)
    return vectors, project
