"""Topics: the vault's cards grouped by meaning into broad subjects and their sub-topics, each named by
a few keywords in the vault's own language.

Method (deterministic: the same set of cards gives the same topics in any file order; nothing here prints):

1. **Vectors.** Each card is embedded from :func:`~notes2anki.semantic.text.card_text` (the vectors ``dupes``
   caches too) and blended with its note's vector (:mod:`notes2anki.semantic.notes_text`), weight
   :data:`NOTE_BLEND`: a terse card is read in the light of its note. When most cards are in a language
   the model does not read (:func:`notes2anki.semantic.language.covered`: Japanese, Czech... with the
   bundled English model), the vectors are instead latent-semantic vectors of character n-grams
   (TF-IDF of 2–4-grams within words, truncated SVD to :data:`LSA_DIMS` dimensions), blended with the mean
   of the note's cards the same way; no model is loaded then.
2. **Broad subjects** (clustering: :mod:`notes2anki.semantic.topic_clustering`). The unit of clustering is a note (the mean of its cards' vectors): a note is about
   one subject far more often than not, and notes are much easier to group than terse single cards. A
   note holding more than :data:`BIG_NOTE_SHARE` of the cards (one big note per exam subject) is split into
   its cards. Units are put in a canonical order (by their cards' texts), clustered by average linkage on
   cosine distance (and by Ward linkage), and the clustering with the best silhouette among
   2..:data:`MAX_SUBJECTS` subjects wins, provided no subject holds more than ``MAX_SHARE`` of the
   cards (one sizeable subject must not swallow the others) — or ``k`` subjects when given (``topics --k
   N``; at most as many as topics of ``min_size`` cards can be made, see
   :func:`~notes2anki.semantic.topic_clustering.k_clusters` and :meth:`TopicResult.k_shortfall`), or a
   distance cut when a threshold is given. Subjects smaller than ``min_size`` cards join their nearest subject.
3. **Sub-topics.** Within each subject of at least ``2 * min_size`` cards, its cards are clustered the same
   way (2..:data:`MAX_SUBTOPICS`); sub-topics are kept only when their silhouette reaches
   :data:`MIN_SUB_SILHOUETTE` (else the subject has none).
4. **Labels.** Class-based TF-IDF (:mod:`notes2anki.semantic.topic_labels`): subjects against each other,
   sub-topics against their siblings, over lemmas (simplemma), Japanese compound nouns (sudachipy) and
   Chinese words (rjieba), shown in the form the cards use most (:mod:`notes2anki.semantic.label_words`,
   one :class:`~notes2anki.semantic.label_words.Lexicon` per vault); stop words of the vault's languages from stopwords-iso, words
   found in more than max(5 %, 2 / subjects) of all cards (question words a stop-word list misses, e.g.
   Czech "jaké"), and names of LaTeX commands the cards use (``\\overline``: "overline").
5. Subjects are numbered 1.. by size (largest first), then label; sub-topics likewise within a subject.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..config import number_setting, table_problems
from ..messages import counted
from ..model import Card, Diagnostic, Vault
from .text import card_text
from .topic_clustering import MAX_EXACT, best_clustering, cluster, merge_small, unit_rows  # cluster: re-exported
from .label_words import Lexicon
from .topic_labels import (LABEL_WORDS, Spread, boilerplate_name_words, common_words, keywords, latex_words,
                           math_words)
from .topic_vectors import NOTE_BLEND, vault_vectors

MAX_SUBJECTS = 40
MAX_SUBTOPICS = 8
MIN_SUB_SILHOUETTE = 0.1
BIG_NOTE_SHARE = 0.15
TAG_PREFIX = "topic::"

__all__ = ["Topic", "TopicResult", "find_topics", "vault_topics", "card_vectors", "cluster", "keywords",
           "topic_slug", "topic_tags", "settings", "default_min_size"]


@dataclass
class Topic:
    """One topic: its number, label, keywords (most specific first), its cards in ``(file, line)`` order, the
    most typical cards, and a slug unique among the topics.
    """

    id: int
    label: str
    keywords: list[str]
    cards: list[Card]  # sorted by (file, line)
    examples: list[Card] = field(default_factory=list)  # most typical cards first
    slug: str = ""  # unique among the topics; the tag is topic::<slug>
    subtopics: list["Topic"] = field(default_factory=list)

    @property
    def tag(self) -> str:
        """The Anki tag of the topic, ``topic::<slug>``."""
        return TAG_PREFIX + (self.slug or topic_slug(self.keywords[:LABEL_WORDS]))

    def as_json(self) -> dict:
        """The topic in the stable JSON output: ``{"id", "label", "keywords", "cards": [{"file", "line"}]}``.
        """
        data = {"id": self.id, "label": self.label, "keywords": list(self.keywords),
                "cards": [{"file": c.file, "line": c.line} for c in self.cards]}
        data["subtopics"] = [{"id": t.id, "label": t.label, "keywords": list(t.keywords),
                              "cards": [{"file": c.file, "line": c.line} for c in t.cards]} for t in self.subtopics]
        return data


@dataclass
class TopicResult:
    """The topics of a vault, the cards left unassigned (``(file, line)`` order), and the threshold and
    minimum size used.
    """

    topics: list[Topic]
    unassigned: list[Card]  # sorted by (file, line)
    threshold: float | None
    min_size: int
    k: int | None = None  # the number of subjects asked for (None: chosen by silhouette)
    method: str = "embeddings"  # or "chargrams" (most cards in a language the model does not read)
    uncovered: int = 0  # cards the model does not read

    def k_shortfall(self) -> str | None:
        """When ``k`` subjects were asked for and another number made (more than the cards allow in topics of
        ``min_size``): ``"50 asked for, 12 cards: made 4 topics of at least 3 cards"``; else None."""
        if self.k is None or not self.topics or len(self.topics) == self.k:
            return None
        cards = sum(len(t.cards) for t in self.topics)
        smallest = min(len(t.cards) for t in self.topics)
        size = (f"of at least {counted(self.min_size, 'card')}" if smallest >= self.min_size
                else f"(fewer cards than the min size {self.min_size})")
        return (f"{self.k} asked for, {counted(cards, 'card')}: made {counted(len(self.topics), 'topic')} "
                f"{size}")

    def min_size_too_large(self) -> str | None:
        """When ``min_size`` is more than half of the cards placed (no two topics can be made, whatever the
        vault): ``"min size 100000 is more than half of the 42 cards: at most one topic"``; else None
        (tester 12-03: ``min_size = 100000`` gave one topic without a word)."""
        cards = sum(len(t.cards) for t in self.topics)
        if not cards or 2 * self.min_size <= cards:
            return None
        return (f"min size {self.min_size} is more than half of the {counted(cards, 'card')}: at most one topic "
                "can be made")

    def as_json(self) -> dict:
        """The stable JSON of ``topics --json``: ``{"topics": [...], "unassigned": [{"file", "line"}]}``."""
        return {"topics": [t.as_json() for t in self.topics],
                "unassigned": [{"file": c.file, "line": c.line} for c in self.unassigned],
                "method": self.method, "cards_not_read_by_model": self.uncovered}


def default_min_size(n_cards: int) -> int:
    """Smallest topic kept: 3 cards, or 1 card in 200 on large vaults."""
    return max(3, math.ceil(n_cards / 200))


def topic_slug(keywords: Sequence[str]) -> str:
    """``["mitochondria", "atp"]`` → ``"mitochondria_atp"``: lower case, word characters and ``_`` only."""
    words = [re.sub(r"[^\w]+", "_", k.lower()).strip("_") for k in keywords]
    return "_".join(w for w in words if w) or "misc"


def _sample(texts: list[str], size: int) -> list[int]:
    """``size`` row indices chosen by text hash: independent of the order and names of the cards."""
    ranked = sorted(range(len(texts)), key=lambda i: (hashlib.sha256(texts[i].encode()).hexdigest(), i))
    return sorted(ranked[:size])


# -- the topics of a set of cards -----------------------------------------------------------------------------
def _units(cards: Sequence[Card], rows: list[int], big: int) -> list[list[int]]:
    """Rows grouped by note; a note with more than ``big`` cards is split into single cards."""
    by_note: dict[str, list[int]] = {}
    for r in rows:
        by_note.setdefault(cards[r].file, []).append(r)
    units: list[list[int]] = []
    for members in by_note.values():
        units.extend([[r] for r in members] if len(members) > big else [members])
    return units


def _make_topics(groups: list[list[int]], cards: Sequence[Card], texts: Sequence[str], x: np.ndarray,
                 lexicon: Lexicon, examples: int, outer: Spread | None = None,
                 spread: list[Spread] | None = None) -> list[Topic]:
    """Topics of index ``groups`` of ``cards``, labelled by :func:`~notes2anki.semantic.topic_labels.keywords`
    (``outer``, ``spread``: as there), numbered by size."""
    words = keywords([_label_texts([cards[r] for r in g], [texts[r] for r in g]) for g in groups], lexicon=lexicon,
                     outer=outer, spread=spread)
    topics = []
    for rows, kw in zip(groups, words):
        centre = x[rows].astype(np.float64).mean(axis=0)
        typical = sorted(rows, key=lambda r: (-float(x[r] @ centre), texts[r], cards[r].file, cards[r].line))
        topics.append(Topic(0, " · ".join(kw[:LABEL_WORDS]) or "misc", kw,
                            sorted((cards[r] for r in rows), key=lambda c: (c.file, c.line)),
                            [cards[r] for r in typical[:examples]]))
    topics.sort(key=lambda t: (-len(t.cards), t.label, t.cards[0].file, t.cards[0].line))
    seen: set[str] = set()
    for number, topic in enumerate(topics, 1):
        topic.id = number
        slug = topic_slug(topic.keywords[:LABEL_WORDS])
        extra = LABEL_WORDS
        while slug in seen:  # two topics with the same top words: add words, then the number
            extra += 1
            slug = topic_slug(topic.keywords[:extra]) if extra <= len(topic.keywords) else f"{slug}_{number}"
        if extra > LABEL_WORDS:
            topic.label = " · ".join(topic.keywords[:min(extra, len(topic.keywords))])
        topic.slug = slug
        seen.add(slug)
    return topics


def _note_names(cards: Sequence[Card]) -> list[str]:
    """The name of each card's note (file name without ``.md``), once each, sorted."""
    names = set()
    for card in cards:
        name = card.file.rsplit("/", 1)[-1]
        names.add(name[:-3] if name.lower().endswith(".md") else name)
    return sorted(names)


def _label_texts(cards: Sequence[Card], texts: Sequence[str]) -> list[str]:
    """What a topic's label is computed from: its cards' texts, and the name of each of their notes once."""
    return list(texts) + _note_names(cards)


def find_topics(cards: Sequence[Card], vectors: np.ndarray, *, texts: Sequence[str] | None = None,
                k: int | None = None, threshold: float | None = None, min_size: int | None = None,
                max_exact: int = MAX_EXACT, examples: int = 3, subtopics: bool = True) -> TopicResult:
    """Subjects (and their sub-topics) of ``cards`` given one unit vector per card (rows match ``cards``, in
    any order). ``k``: the number of subjects (None: chosen by silhouette); ``threshold``: cut the subjects
    at this cosine distance instead. Cards whose text is empty are left unassigned. The result depends only
    on the set of (card, vector)."""
    texts = list(texts) if texts is not None else [card_text(c) for c in cards]
    order = sorted((i for i in range(len(cards)) if texts[i]), key=lambda i: (texts[i], cards[i].file, cards[i].line))
    empty = sorted((cards[i] for i in range(len(cards)) if not texts[i]), key=lambda c: (c.file, c.line))
    min_size = min_size if min_size is not None else default_min_size(len(order))
    asked = k
    if not order:
        return TopicResult([], empty, threshold, min_size, k)
    x = unit_rows(np.asarray(vectors, dtype=np.float64)[order])
    ordered = [cards[i] for i in order]
    ordered_texts = [texts[i] for i in order]
    units = _units(ordered, list(range(len(order))), max(40, math.ceil(BIG_NOTE_SHARE * len(order))))
    if k is not None:  # no more subjects than topics of min_size cards the cards can make
        k = max(1, min(k, len(order) // min_size))
    if (k is not None and k > len(units)) or (threshold is not None and len(units) < 3):
        units = [[r] for unit in units for r in unit]  # more subjects asked for than notes: cluster the cards
    # canonical order: by the units' texts, then (equal texts in two notes) by their vectors
    units.sort(key=lambda u: ([ordered_texts[r] for r in u], np.round(x[u].mean(axis=0), 5).tobytes()))
    ux = unit_rows(np.stack([x[u].mean(axis=0) for u in units]))
    weights = np.array([len(u) for u in units], dtype=np.float64)
    rows = list(range(len(units)))
    if len(units) > max_exact:
        rows = _sample(["\n".join(ordered_texts[r] for r in u) for u in units], max_exact)
    labels_sample, _ = best_clustering(ux[rows], MAX_SUBJECTS, k=k, threshold=threshold, weights=weights[rows],
                                       min_size=min_size)
    labels = np.full(len(units), -1)
    labels[rows] = labels_sample
    if (labels < 0).any():  # units outside the sample join the nearest subject
        kept = sorted(set(labels_sample.tolist()))
        means = unit_rows(np.stack([ux[labels == c].mean(axis=0) for c in kept]))
        loose = np.nonzero(labels < 0)[0]
        labels[loose] = np.array(kept)[np.argmax(ux[loose] @ means.T, axis=1)]
    if k is None:
        labels = merge_small(labels, ux, weights, min_size)
    groups: dict[int, list[int]] = {}
    for unit, label in zip(units, labels.tolist()):
        groups.setdefault(label, []).extend(unit)
    lexicon = Lexicon(ordered_texts)
    sources = ["\n".join(c.fields.values()) for c in ordered]
    lexicon = lexicon.with_stop(lexicon.stop | common_words(ordered_texts, 2 / max(1, len(groups)), lexicon=lexicon)
                                | latex_words(sources) | math_words(sources, ordered_texts, lexicon)
                                | boilerplate_name_words(_note_names(ordered), lexicon))
    level: list[Spread] = []
    subjects = _make_topics([sorted(g) for _, g in sorted(groups.items())], ordered, ordered_texts, x, lexicon,
                            examples, spread=level)
    if subtopics:
        index = {(c.file, c.line): r for r, c in enumerate(ordered)}
        for subject in subjects:
            members = sorted(index[(c.file, c.line)] for c in subject.cards)
            if len(members) < 2 * min_size:
                continue
            kmax = min(MAX_SUBTOPICS, len(members) // min_size)
            sub, score = best_clustering(x[members], kmax)
            if score < MIN_SUB_SILHOUETTE or len(set(sub.tolist())) < 2:
                continue
            sub = merge_small(sub, x[members], np.ones(len(members)), min_size)
            if len(set(sub.tolist())) < 2:
                continue
            parts: dict[int, list[int]] = {}
            for row, label in zip(members, sub.tolist()):
                parts.setdefault(label, []).append(row)
            subject.subtopics = _make_topics(list(parts.values()), ordered, ordered_texts, x, lexicon, examples,
                                             outer=level[0])
    return TopicResult(subjects, empty, threshold, min_size, asked)


# -- the vault's topics ---------------------------------------------------------------------------------------
def card_vectors(vault: Vault, embedder, *, blend: float = NOTE_BLEND,
                 model: object = None) -> tuple[list[Card], list[str], np.ndarray]:
    """The vault's cards, their texts and unit vectors (see :func:`~notes2anki.semantic.topic_vectors.vault_vectors`)."""
    found = vault_vectors(vault, embedder, blend=blend, model=model)
    return found.cards, found.texts, found.x


def vault_topics(vault: Vault, embedder, *, k: int | None = None, threshold: float | None = None,
                 min_size: int | None = None, examples: int = 3, model: object = None,
                 results=None) -> TopicResult:
    """Topics of every card in ``vault`` not marked DELETE, embedded through ``embedder`` (an Embedder:
    cached); ``model`` names the embedder's model for the coverage check (None: the bundled one); ``results``: a
    :class:`~notes2anki.semantic.result_cache.ResultCache` for note vectors (None: not cached). The whole
    result is cached by :func:`notes2anki.semantic.topic_cache.cached_vault_topics`."""
    found = vault_vectors(vault, embedder, model=model, results=results)
    keep = [i for i, c in enumerate(found.cards) if not c.delete]  # a card marked DELETE is on its way out
    result = find_topics([found.cards[i] for i in keep], found.x[keep], texts=[found.texts[i] for i in keep],
                         k=k, threshold=threshold, min_size=min_size, examples=examples)
    result.method, result.uncovered = found.method, found.uncovered
    return result


def settings(section: dict) -> tuple[dict, list[str]]:
    """``[topics]`` of `.notes2anki.toml` → keyword arguments for :func:`vault_topics`, plus problems."""
    problems: list[str] = []
    values = {"threshold": number_setting(section, "topics", "threshold", 0, 2, open_range=True,
                                          problems=problems),
              "min_size": number_setting(section, "topics", "min_size", 1, whole=True, problems=problems),
              "k": number_setting(section, "topics", "k", 1, whole=True, problems=problems)}
    if values["k"] is not None and values["threshold"] is not None:
        problems.append("[topics] k and threshold both choose the subjects; k is used")
        values["threshold"] = None
    return {key: value for key, value in values.items() if value is not None}, problems


def topic_tags(vault: Vault, model: str | None = None, *, config=None, cache_path=None,
               threshold: float | None = None, min_size: int | None = None
               ) -> tuple[dict[tuple[str, int, int], list[str]], list[Diagnostic]]:
    """``topic::<label>`` tags for ``build --topic-tags``: ``Card.key`` → [tag of its subject] for every
    card in a topic, and warnings (cache problems, model not loadable: then no tags). ``config``: the
    command's validated settings (read from the vault when None); its ``[topics]`` settings apply unless
    given here."""
    from ..config import load_config
    from .encoder import EncoderError
    from . import device
    from .lazy_embedder import LazyEmbedder
    from .topic_cache import cached_vault_topics

    diags: list[Diagnostic] = []
    if config is None:
        config = load_config(vault.root, [])
    opts, problems = settings(config.section("topics"))
    diags += table_problems(config, problems)
    if threshold is not None:
        opts["threshold"] = threshold
        opts.pop("k", None)
    if min_size is not None:
        opts["min_size"] = min_size
    if model is None:
        model = config.section("semantic").get("model") if isinstance(config.section("semantic").get("model"), str) else None
    try:
        with LazyEmbedder(model, cache_path=cache_path, **device.options(config)) as embedder:
            result = cached_vault_topics(vault, embedder, model=model, **opts)
            diags += [Diagnostic("", 0, "warning", w) for w in embedder.warnings]
    except EncoderError as exc:
        return {}, diags + [Diagnostic("", 0, "warning", f"topic tags not added: {exc}")]
    if (shortfall := result.k_shortfall()):
        diags.append(Diagnostic("", 0, "warning", f"topic tags: [topics] k {shortfall}"))
    tags: dict[tuple[str, int, int], list[str]] = {}
    for topic in result.topics:
        for card in topic.cards:
            tags[card.key] = [topic.tag]
    return tags, diags
