"""What the report page shows, assembled from the library (nothing printed, nothing written).

:func:`assemble` reads the vault and its configuration, checks identities as a build would, and — unless the
encoder cannot be loaded — finds duplicate pairs (:mod:`notes2anki.semantic.dupes`), unlinked related notes
(:mod:`notes2anki.semantic.related`) and topics (:mod:`notes2anki.semantic.topics`), all through one
:class:`~notes2anki.semantic.lazy_embedder.LazyEmbedder`, so the embedding cache is shared and a warm run
loads no model. The topic map places every card at its 2-D principal-component projection (:func:`project`).
Duplicate pairs (:mod:`.dupes_memo`), note vectors and the topic map with its projection are kept in the
result cache (:mod:`notes2anki.semantic.result_cache`): a warm report of an unchanged vault recomputes none
of them, and after an edit each is recomputed from its (itself cached) inputs.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config import load_config, table_problems
from ..messages import by_kind, heading
from ..model import Card, Diagnostic, Vault
from ..parsers import load_vault
from ..parsers.markdown import obsidian_uri

RELATED_NOTES_SHOWN = 300  # notes listed with unlinked suggestions (best-scoring first)
RELATED_K = 3  # per note; [related] k overrides it; the minimum score is related --all's (tester B r9: the page
# listed pairs at 0.31-0.48 that `related --all` leaves out; [related] min_score overrides both)
HOVER_CHARS = 300  # characters of a card's front in the topic map's hover text


@dataclass
class Problem:
    """One message of the "problems to fix" list: vault path, 1-based line (0: the whole file), the
    message, and an ``obsidian://open`` link to the note."""

    file: str
    line: int
    message: str
    url: str  # obsidian:// link that opens the note ("" for the vault as a whole)

    @property
    def where(self) -> str:
        """``file:line``, the file alone for a whole-file message, or "vault"."""
        return f"{self.file}:{self.line}" if self.line else (self.file or "vault")


@dataclass
class ProblemGroup:
    """The problems of one kind and severity (as ``messages.by_kind`` groups them), in file:line order."""

    severity: str  # "error" | "warning"
    kind: str
    problems: list[Problem]


@dataclass
class CardView:
    """A card as the report shows it: place, deck, note type, and its fields' HTML."""

    where: str
    url: str
    deck: str
    note_type: str
    fields: list[tuple[str, str]]  # (field name, Anki HTML: media by their names in Anki)
    media: dict[str, str]  # media name in the HTML → vault path of the file


@dataclass
class DuplicateView:
    """One duplicate pair drawn side by side: the judge's score (0–1), "exact" or "near", both cards."""

    score: float
    kind: str  # "exact" | "near"
    a: CardView
    b: CardView


@dataclass
class Point:
    """One card on the topic map: its place in [0, 1]² (first two principal components, scaled), its
    topic id (0: unassigned), the hover text, and where it is (file:line, obsidian:// link)."""

    x: float  # projection coordinates, scaled to [0, 1]
    y: float
    topic: int  # topic id, 0 = unassigned
    front: str  # plain text, at most HOVER_CHARS characters
    where: str
    url: str


@dataclass
class TopicView:
    """A topic in the map's legend: its id (the points' ``topic``), its label and how many cards it has."""

    id: int
    label: str
    cards: int


@dataclass
class ReportData:
    """Everything the report page shows, gathered before rendering (:func:`notes2anki.report.page.render`):
    counts, decks and note types with their card counts, cards without an ID, the problem groups, the
    duplicate pairs drawn, related notes (note, its link, [(suggested note, link, score)]), topics and
    map points, and notices for the terminal."""

    vault_name: str
    notes: int
    cards: int
    decks: list[tuple[str, int]]
    note_types: list[tuple[str, int]]
    without_id: int
    problems: list[ProblemGroup] = field(default_factory=list)
    duplicates: list[DuplicateView] = field(default_factory=list)
    related: list[tuple[str, str, list[tuple[str, str, float]]]] = field(default_factory=list)
    topics: list[TopicView] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    projection: str = ""  # how the map was made, in words
    notices: list[str] = field(default_factory=list)  # e.g. "duplicates not checked: model not loadable"
    root: Path = Path(".")
    # the folder given is inside an Obsidian vault: the warning the terminal gives first, first on the page too
    place_warning: str = ""


def card_view(card: Card, vault_name: str, field_names: list[str], media_index=None) -> CardView:
    """``media_index``: the vault's :class:`~notes2anki.parsers.media.MediaIndex` (names the renderer
    wrote into the HTML → files)."""
    media = {media_index.name(p): p for p in card.media} if media_index is not None else {}
    return CardView(card.where, obsidian_uri(vault_name, card.file), card.deck, card.note_type,
                    [(name, card.html.get(name, "")) for name in field_names], media)


def _plain(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def group_problems(diagnostics: list[Diagnostic], vault_name: str) -> list[ProblemGroup]:
    """Diagnostics grouped by kind and wording as the terminal summary groups them (``messages.by_kind``),
    each headed by ``messages.heading``: errors first, then the largest groups."""
    return [ProblemGroup(severity, heading(kind, ds),  # headed as the terminal summary heads it
                         [Problem(d.file, d.line, d.message,
                                  obsidian_uri(vault_name, d.file) if d.file and not d.file.startswith("/") else "")
                          for d in ds])
            for severity, kind, ds in by_kind(diagnostics)]


def project(vectors: np.ndarray) -> np.ndarray:
    """2-D coordinates of unit vectors, each axis scaled to [0, 1]: principal component analysis
    (scikit-learn's PCA, full SVD: deterministic, signs fixed). Zero rows (cards without text) stay at the
    centre of the data. Fewer than 3 rows: spread on a line; rows all equal: all at the centre."""
    n = vectors.shape[0]
    if n == 0:
        return np.zeros((0, 2))
    if n < 3 or vectors.shape[1] < 2:
        return np.column_stack([np.linspace(0.1, 0.9, n) if n > 1 else [0.5], np.full(n, 0.5)])
    if not np.ptp(vectors, axis=0).any():  # all cards alike (one text): nothing to spread them by
        return np.full((n, 2), 0.5)
    from sklearn.decomposition import PCA

    xy = PCA(n_components=2, svd_solver="full").fit_transform(vectors.astype(np.float64))
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    return (xy - low) / span


def assemble(root: Path, *, model: str | None = None, semantic: bool = True,
             cache_path: Path | str | None = None, config=None, vault: Vault | None = None,
             diagnostics: list[Diagnostic] | None = None, progress=None) -> ReportData:
    """Everything the report page shows for the vault at ``root``.

    ``config``/``vault``: already loaded (else read here); ``diagnostics``: the problems found so far — the
    list is extended with what this finds (identities, semantic warnings) and all of it becomes the page's
    problems. ``semantic=False`` (or an encoder that cannot be loaded: a notice says so) leaves out
    duplicates, related notes and the topic map. ``progress(done, total, phase)``: told while the model is
    converted or loaded and texts are encoded (:data:`notes2anki.semantic.encoder.Progress`; never called
    when every text is cached). Bad vault content never raises: it becomes problems.
    """
    from ..decks.identity import assign_identities
    from ..model import note_type_fields

    root = Path(root)
    diags: list[Diagnostic] = diagnostics if diagnostics is not None else []
    if config is None:
        config = load_config(root, diags)
    if vault is None:
        vault = load_vault(root, config)
        diags += vault.diagnostics
    cards = [c for c in vault.cards if not c.delete]
    assign_identities(cards, diags)  # duplicate IDs and missing IDs, as `build` reports them
    name = config.vault_name or vault.name
    data = ReportData(vault_name=name, notes=len(vault.notes), cards=len(cards),
                      decks=sorted(Counter(c.deck for c in cards).items()),
                      note_types=sorted(Counter(c.note_type for c in cards).items(), key=lambda kv: -kv[1]),
                      without_id=sum(1 for c in cards if c.id is None), root=root)
    fields = note_type_fields(config.note_types)
    before = len(diags)
    if semantic and vault.notes:  # related notes need notes only; duplicates and the map need cards
        _semantic(data, vault, config, fields, model, cache_path, diags, progress)
    # a warning about how duplicates, related notes and topics were computed (the model does not read the
    # vault's language, a cache not written) is a notice of the page, not a problem of the vault: the
    # warnings counted are those `check` reports (tester 2: Supre, "15 warnings" here, 14 in check)
    # (moved from ``diagnostics`` to the notices, which the command prints once each)
    data.notices += list(dict.fromkeys(d.message for d in diags[before:] if not d.file and d.message not in data.notices))
    diags[before:] = [d for d in diags[before:] if d.file]
    data.problems = group_problems(diags, name)
    data.place_warning = _place_warning(root, data)
    return data


def _place_warning(root: Path, data: ReportData) -> str:
    """The warning for a report on a folder inside an Obsidian vault (as the command prints it first:
    :func:`notes2anki.cli.vault_place.inside_vault_problem`), "" otherwise; taken out of the notices if a
    diagnostic carried it there (the page shows it once, at its top)."""
    from ..cli.vault_place import inside_vault_problem

    warning = inside_vault_problem(root, "report", writes=False) or ""
    if warning:
        data.notices[:] = [n for n in data.notices if n != warning]
    return warning


def _semantic(data: ReportData, vault: Vault, config, fields, model, cache_path, diags, progress=None) -> None:
    from ..semantic import related as rel
    from ..semantic import topics as tp
    from ..parsers.media import MediaIndex
    from ..semantic import device
    from ..semantic.dupes import ignore_problems, settings_from_config
    from ..semantic.encoder import EncoderError
    from ..semantic.lazy_embedder import LazyEmbedder
    from ..semantic.result_cache import ResultCache, code_digest
    from ..semantic.topic_cache import cached_topic_map
    from .dupes_memo import duplicate_pairs
    from ..semantic.text import question_text

    cfg_model, threshold, ignore, problems = settings_from_config(config)
    diags += table_problems(config, problems)
    topic_opts, problems = tp.settings(config.section("topics"))
    related_opts, more = rel.settings(config.section("related"))
    diags += table_problems(config, problems + more)
    try:
        embedder = LazyEmbedder(model or cfg_model, cache_path=cache_path,  # opened only if something is new
                                progress=progress, **device.options(config))
    except EncoderError as exc:
        data.notices.append(f"duplicates, related notes and the topic map are left out: {exc}")
        return
    try:
        with embedder, ResultCache.beside(embedder) as results:
            cards = [c for c in vault.cards if not c.delete]
            if cards:
                pairs, warnings = duplicate_pairs(cards, embedder, results, threshold=threshold, ignore=ignore)
                diags += [Diagnostic("", 0, "warning", w) for w in warnings] + ignore_problems(config, cards)
                index = MediaIndex(vault.root, vault.files)
                data.duplicates = [DuplicateView(p.score, p.kind,
                                                 card_view(p.a, data.vault_name, fields[p.a.note_type], index),
                                                 card_view(p.b, data.vault_name, fields[p.b.note_type], index))
                                   for p in pairs]
            index = rel.RelatedIndex.build(vault, embedder, exclude=related_opts.get("exclude"),
                                           exclude_defaults=related_opts.get("exclude_defaults", True), results=results,
                                           config=config)
            if index.method == "chargrams" and index.readership is not None:
                r, total = index.readership, len(index.paths)
                of = f"{r.measured} notes" if r.measured == total else f"the {r.measured} notes with text ({total} in all)"
                data.notices.append(f"the embedding model does not read {r.unread} of {of} (their language): "
                                    "related notes come from character n-grams")
            rows = index.suggestions_all(related_opts.get("k", RELATED_K),
                                        min_score=related_opts.get("min_score"))
            seen_pairs: set[frozenset[str]] = set()  # A→B and B→A are one suggestion
            for k, (path, found) in enumerate(rows):
                found = [s for s in found if frozenset((path, s.note)) not in seen_pairs]
                seen_pairs.update(frozenset((path, s.note)) for s in found)
                rows[k] = (path, found)
            rows = [(path, found) for path, found in rows if found]
            rows.sort(key=lambda row: (-row[1][0].score, row[0]))
            data.related = [(path, obsidian_uri(data.vault_name, path),
                             [(s.note, obsidian_uri(data.vault_name, s.note), s.score) for s in found])
                            for path, found in rows[:RELATED_NOTES_SHOWN]]
            if cards:
                all_cards, result, xy = cached_topic_map(vault, embedder, results, project=project,
                                                         project_code=code_digest(["../report/data.py"],
                                                                                  ["scikit-learn"]),
                                                         **topic_opts)
            diags += [Diagnostic("", 0, "warning", w) for w in embedder.warnings + results.warnings]
    except EncoderError as exc:
        data.notices.append(f"duplicates, related notes and the topic map are left out: {exc}")
        return
    if not cards:
        return
    topic_of = {c.key: t.id for t in result.topics for c in t.cards}
    data.topics = [TopicView(t.id, t.label, len(t.cards)) for t in result.topics]
    data.points = [Point(float(px), float(py), topic_of.get(c.key, 0),
                         _plain(question_text(c) or c.where, HOVER_CHARS), c.where,
                         obsidian_uri(data.vault_name, c.file))
                   for c, (px, py) in zip(all_cards, xy)]
    vectors = ("each card's character n-gram vector (the model does not read the vault's language)"
               if getattr(result, "method", "") == "chargrams" else "each card's embedding")
    data.projection = (f"principal component analysis (scikit-learn PCA) of {vectors} blended with "
                       "its note's, as `topics` clusters them")

