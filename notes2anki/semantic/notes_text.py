"""What a *note* looks like to the semantic layer: weighted text chunks, one embedding per note.

A note is embedded from its prose and its cards, split by headings:

* the frontmatter is left out (only the body, from ``Note.body_start``, is read);
* the lines of cards (START/END blocks, regex cards, ``STARTI ... ENDI``), ``TARGET DECK`` / ``FILE TAGS``
  lines and ``FROZEN`` blocks are cut out of the prose — as the parser found them, with the vault's own
  marker words (``Note.syntax_lines``, ``Note.inline_spans``; no card-syntax pattern is repeated here, so
  markers renamed in the plugin's Syntax settings are followed); each card becomes a chunk of its own, with exactly
  :func:`~notes2anki.semantic.text.card_text` as its text, so its vector is shared with ``dupes``/``topics``;
* the remaining prose is split at the note's headings. A section with no words left is dropped (an empty
  ``## Questions`` above the cards, a heading with nothing under it). Long sections are cut into windows of
  about :data:`WINDOW_WORDS` words at paragraph or sentence ends, since the encoder truncates long inputs;
* each prose chunk reads ``"<note name> — <heading path>: <plain text>"``. Template headings, i.e. heading
  texts that occur in many notes of the vault ("Summary", "Notes", "References", see
  :func:`template_headings`), and an H1 that just repeats the note name, are left out of that path, so they
  do not make unrelated notes look alike;
* only the first :data:`PROSE_CHARS` characters of a note's prose are read (a pasted 2 MB table made
  1,668 windows: 25 s to cut and minutes to embed, for a vector that the first windows already set);
* chunks are weighted: a card weighs 1, a prose chunk by its length (a one-line bibliography weighs little,
  a full paragraph more), see :func:`prose_weight`.

The note vector is the weighted mean of the chunks' unit vectors, normalised again (:func:`note_vector`).
Changing these rules changes the note vectors but not the cache: chunks are cached by their text.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from ..model import Note
from .text import card_text, plain_text

WINDOW_WORDS = 120  # the encoder reads ~256 word pieces: keep prose chunks well below that
TEMPLATE_MIN_NOTES = 3  # a heading text in at least this many notes ...
TEMPLATE_MIN_SHARE = 0.02  # ... and in at least this share of the notes is a template heading
CARD_WEIGHT = 1.0
PROSE_CHARS = 50_000  # prose read per note (≈ 7,500 words, ≈ 60 windows); its cards are always read

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Chunk:
    """One piece of a note to embed: ``kind`` is "prose" or "card"; ``line`` where it starts (1-based)."""

    text: str
    weight: float
    kind: str
    line: int


def heading_key(text: str) -> str:
    """Heading text as compared across notes: plain, lower case, single spaces."""
    return " ".join(plain_text(text).lower().split())


def template_headings(notes: Iterable[Note], min_notes: int = TEMPLATE_MIN_NOTES,
                      min_share: float = TEMPLATE_MIN_SHARE) -> frozenset[str]:
    """Heading keys (:func:`heading_key`) that occur in at least ``min_notes`` notes and in at least
    ``min_share`` of all notes: the vault's template headings."""
    notes = list(notes)
    counts: Counter[str] = Counter()
    for note in notes:
        counts.update({heading_key(h.text) for h in note.headings} - {heading_key(note.name)})
    needed = max(min_notes, min_share * len(notes))
    return frozenset(key for key, count in counts.items() if key and count >= needed)


def prose_weight(words: int) -> float:
    """Weight of a prose chunk of ``words`` words: 0.25 for a fragment, rising to 1.5 for a full window."""
    return float(min(1.5, max(0.25, words / 60)))


def _card_lines(note: Note, total: int) -> set[int]:
    """1-based lines that belong to block or regex cards (with their ID line)."""
    out: set[int] = set()
    for card in note.cards:
        if card.inline:
            continue
        last = max(card.end_line or card.line, card.id_line or 0)
        out.update(range(card.line, min(last, total) + 1))
    return out


def _prose_lines(note: Note, budget: int = PROSE_CHARS) -> list[tuple[int, str]]:
    """(line number, text) of the body lines that are prose: no cards, no deck/tag/frozen lines, and the
    inline cards of a line cut out (each replaced by a space); lines after the first ``budget``
    characters of prose are left out (a longer line is cut there)."""
    lines = note.text.split("\n")
    skip = _card_lines(note, len(lines)) | note.syntax_lines
    out: list[tuple[int, str]] = []
    for no in range(max(1, note.body_start), len(lines) + 1):
        if budget <= 0:
            break
        if no not in skip:
            line = _without_spans(lines[no - 1], note.inline_spans.get(no, ()))[:budget]
            budget -= len(line) + 1
            out.append((no, line))
    return out


def _without_spans(line: str, spans) -> str:
    """``line`` with each (start, end) column span replaced by a space."""
    for start, end in sorted(spans, reverse=True):
        line = line[:start] + " " + line[end:]
    return line


def _windows(paragraphs: list[str]) -> list[str]:
    """Plain-text windows of about WINDOW_WORDS words, cut at paragraph, then sentence boundaries."""
    pieces: list[str] = []
    for para in paragraphs:
        if len(para.split()) <= WINDOW_WORDS:
            pieces.append(para)
        else:
            pieces.extend(s for s in _SENTENCE_END.split(para) if s.strip())
    windows: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        words = piece.split()
        if len(words) > WINDOW_WORDS:  # a giant sentence: hard cut
            if current:
                windows.append(" ".join(current))
                current, size = [], 0
            windows.extend(" ".join(words[i:i + WINDOW_WORDS]) for i in range(0, len(words), WINDOW_WORDS))
            continue
        if current and size + len(words) > WINDOW_WORDS:
            windows.append(" ".join(current))
            current, size = [], 0
        current.append(piece)
        size += len(words)
    if current:
        windows.append(" ".join(current))
    return windows


def _paragraphs(lines: list[str]) -> list[str]:
    out, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line)
        elif current:
            text = plain_text("\n".join(current))
            if text:
                out.append(text)
            current = []
    return out


def note_chunks(note: Note, template: frozenset[str] = frozenset()) -> list[Chunk]:
    """The chunks of one note (prose sections first, in file order, then its cards)."""
    title = note.name
    title_key = heading_key(title)
    headings = sorted(note.headings, key=lambda h: h.line)
    prose = _prose_lines(note)
    sections: list[tuple[int, list, list[str]]] = []  # (first line, enclosing headings, body lines)
    trail: list = []
    body: list[str] = []
    first = prose[0][0] if prose else 1
    index = 0
    for no, line in prose:
        while index < len(headings) and headings[index].line <= no:
            sections.append((first, list(trail), body))
            heading = headings[index]
            while trail and trail[-1].level >= heading.level:
                trail.pop()
            trail.append(heading)
            body, first = [], heading.line
            index += 1
        if index and headings[index - 1].line == no:
            continue  # the heading line itself
        body.append(line)
    sections.append((first, list(trail), body))
    chunks: list[Chunk] = []
    for line, path, body in sections:
        paragraphs = _paragraphs(body)
        if not paragraphs:
            continue
        names = [plain_text(h.text) for h in path
                 if heading_key(h.text) not in template and heading_key(h.text) != title_key]
        prefix = " — ".join([title] + [n for n in names if n])
        for window in _windows(paragraphs):
            words = len(_WORD.findall(window))
            chunks.append(Chunk(f"{prefix}: {window}", prose_weight(words), "prose", line))
    for card in sorted(note.cards, key=lambda c: c.line):
        text = card_text(card)
        if text:
            chunks.append(Chunk(text, CARD_WEIGHT, "card", card.line))
    if not chunks and title.strip():
        chunks.append(Chunk(title, 0.25, "prose", 1))  # only a title: embed that
    return chunks


def note_vector(vectors: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Weighted mean of unit ``vectors`` (rows), normalised; zeros when there is nothing."""
    if len(weights) == 0 or vectors.size == 0:
        return np.zeros(vectors.shape[1] if vectors.ndim == 2 else 0, dtype=np.float32)
    w = np.asarray(weights, dtype=np.float32)[:, None]
    mean = (vectors * w).sum(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 0 else mean.astype(np.float32)


def note_vectors(notes: Sequence[Note], embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """One unit vector per note (rows in the order of ``notes``; zeros for a note with no text at all).

    ``embed`` is e.g. :meth:`Embedder.embed <notes2anki.semantic.encoder.Embedder.embed>`; all chunks of all
    notes go to it in one call, with the template headings of ``notes`` left out (:func:`template_headings`).
    """
    template = template_headings(notes)
    per_note = [note_chunks(n, template) for n in notes]
    texts = [c.text for chunks in per_note for c in chunks]
    flat = embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)
    dim = flat.shape[1] if flat.ndim == 2 and flat.shape[0] else 0
    rows, at = [], 0
    for chunks in per_note:
        part = flat[at:at + len(chunks)]
        rows.append(note_vector(part, [c.weight for c in chunks]) if chunks else np.zeros(dim, dtype=np.float32))
        at += len(chunks)
    return np.stack(rows).astype(np.float32) if rows else np.zeros((0, dim), dtype=np.float32)
