"""Related notes: which notes of the vault are about the same thing as a note (or a card), and which of
those are not linked yet.

Every note gets one vector (see :mod:`notes2anki.semantic.notes_text`: weighted mean of its heading-split
prose chunks and its cards). Related notes are ranked by cosine corrected for *hubs*: a note that is close
to everything (a review note mixing all subjects, a note in a language the model does not read) would
otherwise top every list, so a candidate is ranked by its cosine minus half its mean cosine to its
:data:`HUB_K` nearest notes (the "cross-domain similarity local scaling" of bilingual word retrieval,
:attr:`Suggestion.rank_score`); the score shown, and the one the floors apply to, is the plain cosine. Links count in both directions: a suggestion is *linked* when the query
note links to it or it links to the query note (wiki links in the prose and in cards, resolved to files
like Obsidian does, and to a note whose frontmatter ``aliases`` holds the link text).

Notes matching the ``exclude`` globs (``[related] exclude``; default: the templates folder and the daily
notes folder named in ``.obsidian/templates.json`` / ``daily-notes.json``), and notes named as daily notes
(the whole name in the ``format`` of ``daily-notes.json``, default ``2024-05-01``), are never suggested and
get no suggestions, in ``related --all`` and asked about by name alike: a template or a day's log is near
everything a little, and its suggestions were noise (tester). The command leaves out suggestions under
:data:`NOTE_MIN_SCORE` (one note or card) or :data:`ALL_MIN_SCORE` (``--all``) unless ``--min-score`` or
``[related] min_score`` says otherwise.

All embeddings go through :class:`~notes2anki.semantic.encoder.Embedder` (cached); when every chunk is
cached no model is loaded and torch is not imported. Note vectors themselves are kept in the result cache
(:mod:`notes2anki.semantic.note_cache`): a warm run re-reads only the notes that changed. Nothing here prints.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..config import number_setting
from ..config_lines import shown
from ..model import Card, Note, Vault
from ..parsers.links import LinkResolver
from .encoder import Embedder
from .note_cache import cached_note_vectors
from .related_chargrams import Readership, cached_chargram_note_vectors, chargram_note_vectors, readership, \
    reads_with_bundled_model
from .note_names import (NoteNotFound, aliases, link_names, notes_also_named, resolve_card,  # noqa: F401
                         resolve_note)  # (re-exported: they lived here)
from .related_exclusion import default_excludes, excluded_notes  # noqa: F401  (re-exported)
from .result_cache import ResultCache
from .text import card_text

DEFAULT_K = 5
HUB_K = 5
ALL_MIN_SCORE = 0.5  # related --all: suggestions below this cosine are left out unless --min-score says
NOTE_MIN_SCORE = 0.25  # related NOTE / --card: likewise. Measured on the labelled vault (bundled model): of
# each note's top 5, 87 % of those on its own subject score 0.25 or more, 7 % of those on another subject;
# at 0.5, 16 % and 0 % (a floor for one note must not hide its real neighbours; --all lists pairs vault-wide)


# frontmatter as parsers.frontmatter.split_frontmatter reads it: a first line "---", up to the first line "---" or
# "..." (spaces after either), whole lines only
_FRONTMATTER = re.compile(r"---[^\S\n]*\n(?:[^\n]*\n)*?(?:---|\.\.\.)[^\S\n]*(?:\n|\Z)")
# an embed, else a word character: scanned left to right, the first match of the group is a word outside embeds
_FIRST_WORD = re.compile(r"!\[\[[^\]\n]{0,1024}\]\]|!\[[^\]\n]{0,1024}\]\([^)\n]{0,2048}\)|(\w)")
_COMMENTS = (("<!--", "-->"), ("%%", "%%"))


def _without_comments(text: str) -> str:
    """``text`` with each closed comment (``<!-- -->``, Obsidian's ``%% %%``; the leftmost first, as a regex
    search would take them) replaced by a space; an unclosed one stays text. One pass: each marker's next
    place is looked up again only once passed (linear time)."""
    out: list[str] = []
    at = 0
    nxt = [text.find(opening) for opening, _ in _COMMENTS]
    while True:
        for k, (opening, _) in enumerate(_COMMENTS):
            if 0 <= nxt[k] < at:
                nxt[k] = text.find(opening, at)
        found = [(place, k) for k, place in enumerate(nxt) if place >= 0]
        if not found:
            break
        start, k = min(found)
        opening, closing = _COMMENTS[k]
        end = text.find(closing, start + len(opening))
        if end < 0:  # unclosed: no later comment of this kind closes either
            nxt[k] = -1
            continue
        out.append(text[at:start])
        out.append(" ")
        at = end + len(closing)
    out.append(text[at:])
    return "".join(out)


def has_words(text: str) -> bool:
    """Whether a note's text holds a word outside its frontmatter, embeds (``![[pic.png]]``,
    ``![](x.png)``) and comments: a note without one has only its title to be compared by. Frontmatter is
    what the frontmatter parser takes for it (``--- `` with trailing spaces, a closing ``...``: tester 12-03);
    a comment of any length counts, an unclosed one is text."""
    if len(text) > 20_000:
        return True  # a note this long holds words (a bound: the search below reads at most this much)
    front = _FRONTMATTER.match(text)
    body = _without_comments(text[front.end():] if front else text)
    return any(m.group(1) for m in _FIRST_WORD.finditer(body))


@dataclass(frozen=True)
class Suggestion:
    """A related note: vault path, cosine score, whether a link joins it to the query note, and the value
    it was ranked by (``rank``: the cosine less the hub correction; None: not ranked, the cosine)."""

    note: str
    score: float
    linked: bool
    link_out: bool = False  # the query note links to it
    link_in: bool = False  # it links to the query note
    rank: float | None = None

    @property
    def rank_score(self) -> float:
        """The value suggestions are ordered by: the cosine less half the note's hubness."""
        return self.score if self.rank is None else self.rank

    def as_json(self) -> dict:
        """The suggestion in the stable JSON output: ``{"note", "score" (the cosine, 4 decimals), "linked",
        "rank_score" (the value ranked by, 4 decimals)}``."""
        return {"note": self.note, "score": round(self.score, 4), "linked": self.linked,
                "rank_score": round(self.rank_score, 4)}


def out_of_order(found: list[Suggestion]) -> bool:
    """Whether the hub correction ranks a lower cosine above a higher one somewhere in ``found``."""
    return any(a.score < b.score for a, b in zip(found, found[1:]))


@dataclass
class LinkGraph:
    """Resolved wiki links between notes: ``out[path]`` the notes a note links to, ``into[path]`` the notes
    linking to it (paths of notes of the vault only; links to itself are ignored)."""

    out: dict[str, set[str]] = field(default_factory=dict)
    into: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, vault: Vault) -> "LinkGraph":
        """The link graph of ``vault``: each note's wiki links resolved as Obsidian does."""
        resolver = LinkResolver(vault.files or [n.path for n in vault.notes])
        notes = {n.path for n in vault.notes}
        by_alias = aliases(vault)
        graph = cls({p: set() for p in notes}, {p: set() for p in notes})
        for note in vault.notes:
            for target in note.links:
                path = resolver.note(target, note.path)
                if path not in notes:
                    path = by_alias.get(target.split("|", 1)[0].split("#", 1)[0].strip().lower())
                if path in notes and path != note.path:
                    graph.out[note.path].add(path)
                    graph.into[path].add(note.path)
        return graph

    def linked(self, a: str, b: str) -> bool:
        """Whether a link joins notes ``a`` and ``b`` in either direction."""
        return b in self.out.get(a, ()) or a in self.out.get(b, ())


class RelatedIndex:
    """One unit vector per note of a vault, and the link graph, for related-note queries.

    Build with :meth:`build`; :attr:`paths` are sorted, :attr:`vectors` the matching rows (a note with no
    text at all has a zero row and is never suggested).
    """

    def __init__(self, vault: Vault, paths: list[str], vectors: np.ndarray, graph: LinkGraph,
                 embedder: Embedder | None = None, excluded: set[str] | frozenset[str] = frozenset()):
        self.vault = vault
        self.paths = paths
        self.vectors = vectors
        self.graph = graph
        self.embedder = embedder
        self._row = {p: i for i, p in enumerate(paths)}
        # notes with no text at all: never suggested, no suggestions
        self._blank = ~np.any(vectors, axis=1) if vectors.size else np.ones(len(paths), dtype=bool)
        # notes with nothing but a title (empty, an image, frontmatter): their vector is their title's,
        # no ground to suggest them or to suggest notes for them
        wordless = {n.path for n in vault.notes if not has_words(n.text)}
        if wordless:
            self._blank |= np.array([p in wordless for p in paths], dtype=bool)
        self._empty = self._blank.copy()  # and the excluded notes: never suggested, nothing in --all
        self.excluded = set(excluded)
        self.why_excluded: dict[str, str] = dict(excluded) if isinstance(excluded, dict) else {}
        self._empty |= np.array([p in self.excluded for p in paths], dtype=bool)
        self.hub = self._hubness()
        self.method = "embeddings"  # or "chargrams": most notes in a language the model does not read
        self.readership: Readership | None = None  # how many notes the model does not read (bundled model)
        self._project = None  # chargrams: maps a card's text into the notes' space

    def _hubness(self, block: int = 512) -> np.ndarray:
        """Per note, the mean cosine to its HUB_K nearest other notes (0 for empty or excluded notes)."""
        n = len(self.paths)
        out = np.zeros(n)
        live = np.nonzero(~self._empty)[0]
        if len(live) < 2:
            return out
        k = min(HUB_K, len(live) - 1)
        sub = self.vectors[live]
        for start in range(0, len(live), block):
            sims = sub[start:start + block] @ sub.T
            sims[np.arange(sims.shape[0]), np.arange(start, start + sims.shape[0])] = -np.inf
            out[live[start:start + block]] = np.partition(sims, sims.shape[1] - k, axis=1)[:, sims.shape[1] - k:].mean(axis=1)
        return out

    @classmethod
    def build(cls, vault: Vault, embedder: Embedder, *, exclude: list[str] | None = None,
              exclude_defaults: bool = True, results: ResultCache | None = None, config=None) -> "RelatedIndex":
        """Embed every note (excluded ones too: they may be queried, never suggested); ``exclude``: globs
        added to the default exclusions unless ``exclude_defaults`` is false (``config``: the vault's
        configuration, for the folders named like template folders; see
        :func:`~notes2anki.semantic.related_exclusion.excluded_notes`). Note vectors are reused from ``results`` (None: the result cache
        beside the embedder's cache, see :mod:`notes2anki.semantic.note_cache`) while a note is unchanged."""
        notes = sorted(vault.notes, key=lambda n: n.path)
        if results is None:
            with ResultCache.beside(embedder) as own:
                index = cls._build(vault, notes, embedder, own, exclude, exclude_defaults, config)
                embedder.warnings.extend(w for w in own.warnings if w not in embedder.warnings)
            return index
        return cls._build(vault, notes, embedder, results, exclude, exclude_defaults, config)

    @classmethod
    def _build(cls, vault: Vault, notes: list[Note], embedder: Embedder, results: ResultCache,
               exclude: list[str] | None, exclude_defaults: bool, config=None) -> "RelatedIndex":
        reads = readership(notes, results) if reads_with_bundled_model(embedder) else None
        if reads is not None and reads.mostly_unread:  # the bundled model does not read most notes
            vectors = cached_chargram_note_vectors(notes, results)
            index = cls(vault, [n.path for n in notes], vectors, LinkGraph.of(vault), embedder,
                        excluded_notes(vault, exclude, exclude_defaults, config))
            index.method, index.readership = "chargrams", reads
            index._project = lambda texts: chargram_note_vectors(notes)[1](texts)  # fitted again: --card only
            return index
        vectors = cached_note_vectors(notes, embedder, results)
        index = cls(vault, [n.path for n in notes], vectors, LinkGraph.of(vault), embedder,
                    excluded_notes(vault, exclude, exclude_defaults, config))
        index.readership = reads
        return index

    # -- queries -------------------------------------------------------------------------------------
    def _rank(self, scores: np.ndarray, about: str, k: int, *, exclude: set[str],
              own_links: frozenset[str] | set[str] = frozenset(), unlinked_only: bool = False,
              min_score: float | None = None) -> list[Suggestion]:
        """The best ``k`` notes by ``scores`` (one per note), ties by path; only a shortlist is sorted."""
        n = len(self.paths)
        if n == 0 or k < 1:
            return []
        out_links = self.graph.out.get(about, set()) | set(own_links)
        in_links = self.graph.into.get(about, set())
        skip = set(exclude) | ((out_links | in_links) if unlinked_only else set())
        cosine = np.where(self._empty, -np.inf, scores)
        scores = cosine - self.hub / 2  # ranking, corrected for hub notes
        wanted = min(n, k + len(skip))
        if wanted < n:  # a shortlist: the top ``wanted`` and everything tied with the last of them
            cut = np.partition(scores, n - wanted)[n - wanted]
            shortlist = np.nonzero(scores >= cut)[0]
        else:
            shortlist = np.arange(n)
        found: list[Suggestion] = []
        for i in sorted(shortlist.tolist(), key=lambda i: (-float(scores[i]), i)):  # paths are sorted
            path, score = self.paths[i], float(cosine[i])
            if path in skip or score == -np.inf:
                continue
            if min_score is not None and score < min_score:
                continue
            link_out, link_in = path in out_links, path in in_links
            found.append(Suggestion(path, score, link_out or link_in, link_out, link_in, float(scores[i])))
            if len(found) >= k:
                break
        return found

    def for_note(self, path: str, k: int = DEFAULT_K, *, unlinked_only: bool = False,
                 min_score: float | None = None) -> list[Suggestion]:
        """The ``k`` notes most similar to the note at ``path`` (itself left out), best first, with cosine at
        least ``min_score`` (None: any); none for a note without words or an excluded one (a template, a
        daily note: :meth:`is_excluded`)."""
        row = self._row.get(path)
        if row is None:
            raise NoteNotFound(f"{path} is not a note of the vault")
        if self._empty[row]:
            return []
        return self._rank(self.vectors @ self.vectors[row], path, k, exclude={path}, unlinked_only=unlinked_only,
                          min_score=min_score)

    def for_card(self, card: Card, k: int = DEFAULT_K, *, unlinked_only: bool = False,
                 min_score: float | None = None) -> list[Suggestion]:
        """The ``k`` notes most similar to one card, its own note left out; *linked* means linked to or from
        the card's note, or linked from the card itself. None for a card of an excluded note (a daily note's)."""
        if self._project is None and self.embedder is None:
            raise ValueError("this index has no embedder to embed the card with")
        text = card_text(card)
        if not text or not self.paths or self.is_excluded(card.file):
            return []
        query = (self._project([text]) if self._project is not None else self.embedder.embed([text]))[0]
        query = np.asarray(query, dtype=self.vectors.dtype)
        resolver = LinkResolver(self.vault.files or self.paths)
        own = {p for p in (resolver.note(t, card.file) for t in card.links) if p}
        return self._rank(self.vectors @ query, card.file, k, exclude={card.file}, own_links=own,
                          unlinked_only=unlinked_only, min_score=min_score)

    def is_excluded(self, path: str) -> bool:
        """Whether the note at ``path`` is left out of related notes (a template, a daily note, ``[related]
        exclude``: :attr:`why_excluded` says which)."""
        return path in self.excluded

    def suggestions_all(self, k: int = DEFAULT_K, *, min_score: float | None = None,
                        block: int = 512) -> list[tuple[str, list[Suggestion]]]:
        """For every note (by path), its ``k`` best suggestions that are not linked to it yet, with cosine at
        least ``min_score`` (None: :data:`ALL_MIN_SCORE`). Each pair of notes is listed once, under the note
        that comes first by path."""
        min_score = ALL_MIN_SCORE if min_score is None else min_score
        rows: list[tuple[str, list[Suggestion]]] = []
        seen: set[frozenset[str]] = set()
        for start in range(0, len(self.paths), block):
            scores = self.vectors[start:start + block] @ self.vectors.T
            for offset, row in enumerate(scores):
                path = self.paths[start + offset]
                found = [] if self._empty[start + offset] else self._rank(
                    row, path, k, exclude={path}, unlinked_only=True, min_score=min_score)
                kept = [s for s in found if frozenset((path, s.note)) not in seen]
                seen.update(frozenset((path, s.note)) for s in kept)
                rows.append((path, kept))
        return rows


def settings(section: dict) -> tuple[dict, list[str]]:
    """``[related]`` of `.notes2anki.toml` (``k``, ``min_score``, ``exclude``: a list of globs,
    ``exclude_defaults``: whether templates and daily notes are left out too) → defaults for
    the command, plus problems."""
    problems: list[str] = []
    values = {"k": number_setting(section, "related", "k", 1, whole=True, problems=problems),
              "min_score": number_setting(section, "related", "min_score", -1, 1, problems=problems)}
    switch = section.get("exclude_defaults")
    if switch is not None:
        if isinstance(switch, bool):
            values["exclude_defaults"] = switch
        else:
            problems.append(f"[related] exclude_defaults should be true or false, got {shown(switch)}; ignored")
    exclude = section.get("exclude")
    if exclude is not None:
        if isinstance(exclude, list) and all(isinstance(g, str) for g in exclude):
            values["exclude"] = list(exclude)
        else:
            problems.append(f"[related] exclude should be a list of globs, got {shown(exclude)}; ignored")
    return {key: value for key, value in values.items() if value is not None}, problems


# -- JSON -------------------------------------------------------------------------------------------------
def related_json(path: str, found: list[Suggestion], card: Card | None = None) -> dict:
    """The stable JSON of ``related``: ``{"note": path, "related": [...]}``, plus ``"card": {"file", "line"}``
    when the query was one card.
    """
    data: dict = {"note": path, "related": [s.as_json() for s in found]}
    if card is not None:
        data["card"] = {"file": card.file, "line": card.line}
    return data


def all_json(rows: list[tuple[str, list[Suggestion]]]) -> dict:
    """The stable JSON of ``related --all``: ``{"notes": [{"note": path, "suggestions": [...]}]}``."""
    return {"notes": [{"note": path, "suggestions": [s.as_json() for s in found]} for path, found in rows]}
