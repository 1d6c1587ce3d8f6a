"""Whether the embedding model reads a vault's notes at all, for `related`'s warning.

On notes in a language the bundled English model does not read (medu4, Japanese) `related` ranks noise at
high cosines; `dupes` and `topics` switch to character n-grams there, `related` says so.
"""
from __future__ import annotations

import hashlib

from ..model import Vault
from .result_cache import ResultCache


UNREAD_SHARE = 1 / 3  # the share of notes the model does not read above which `related` says so
SAMPLE_CHARS = 300  # of each note's text measured (its start: the title, first lines and cards)
SAMPLE_NOTES = 100  # notes measured at most (every k-th in path order): ~0.05 s, not 0.8 s for 1,000 notes


def unread_notes_warning(vault: Vault, model: object = None, embedder: object = None) -> str | None:
    """A warning when ``model`` (None: the bundled one) does not read more than :data:`UNREAD_SHARE` of the
    vault's notes (their language, measured on the first :data:`SAMPLE_CHARS` characters of at most
    :data:`SAMPLE_NOTES` notes spread over the vault with :func:`~notes2anki.semantic.language.covered`):
    their suggestions rank noise with high cosines. None when it reads them, or when another model is
    named."""
    from .language import covered

    texts = [n.text[:SAMPLE_CHARS] for n in sorted(vault.notes, key=lambda n: n.path) if n.text.strip()]
    if not texts:
        return None
    texts = texts[::-(-len(texts) // SAMPLE_NOTES)]
    key = hashlib.sha256("\0".join([str(model), *texts]).encode("utf-8", "surrogatepass")).hexdigest()
    with ResultCache.beside(embedder) if embedder is not None else ResultCache(None) as results:
        known = results.get("related-unread", key)  # the measure needs the model's vocabulary: 0.12 s to load
        if known is not None:
            return known.decode("utf-8") or None
        unread = sum(not ok for ok in covered(texts, model))
        warning = None if unread <= UNREAD_SHARE * len(texts) else _unread_message(unread, len(texts))
        results.put("related-unread", key, (warning or "").encode("utf-8"))
    return warning


def _unread_message(unread: int, measured: int) -> str:
    from .language import MULTILINGUAL_HINT

    return (f"the model does not read {unread / measured:.0%} of the notes (their language; {measured} "
            f"measured): related notes for them are unreliable; {MULTILINGUAL_HINT}")

