"""Topics: the vault's cards clustered by meaning, each topic named by a few keywords.

Method (all deterministic; nothing here prints):

1. Each card is embedded from :func:`~notes2anki.semantic.text.card_text` (the vectors ``dupes`` caches
   too) and blended with its note's vector (:mod:`notes2anki.semantic.notes_text`), weight
   :data:`NOTE_BLEND`: a terse card ("What is the answer in a fugue?") is read in the light of its note.
2. Cards are put in a canonical order, by (card text, file, line), so the result does not depend on the
   order files were read in, nor on their names.
3. Average-linkage agglomerative clustering on cosine distance, cut at :data:`DEFAULT_THRESHOLD`: two groups
   merge while their cards are, on average, more similar than ``1 - threshold``. The threshold is calibrated
   for the default model (all-MiniLM-L6-v2); other models may need ``[topics] threshold``.
   Above :data:`MAX_EXACT` cards the clustering runs on a fixed, name-independent sample of that many cards
   (chosen by text hash) and the other cards join the nearest topic.
4. Clusters smaller than ``min_size`` are dissolved: each of their cards joins the topic it is on average
   most similar to, if that average distance is within ``threshold + REASSIGN_SLACK``; otherwise it is
   left unassigned.
5. Labels: class-based TF-IDF over the cards of each topic (a card counts a word once; English, German and
   French stop words and flashcard filler removed): the top :data:`LABEL_WORDS` words joined with " · ".
6. Topics are numbered 1.. by size (largest first), then label.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..config import number_setting
from ..model import Card, Diagnostic, Vault
from .notes_text import note_vectors
from .text import card_text

DEFAULT_THRESHOLD = 0.86  # cosine distance at which average-linkage merging stops
NOTE_BLEND = 0.5  # card vector + NOTE_BLEND * note vector
REASSIGN_SLACK = 0.05
MAX_EXACT = 6000  # cards clustered exactly (O(n^2) memory: ~150 MB at this size)
LABEL_WORDS = 3
KEYWORDS = 5
TAG_PREFIX = "topic::"
_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*", re.UNICODE)

# English: scikit-learn's ENGLISH_STOP_WORDS (Glasgow IR group list, BSD licence), copied so that a warm run
# does not pay for importing scikit-learn.
_ENGLISH_STOP = """
a about above across after afterwards again against all almost alone along already also although always am
among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at
back be became because become becomes becoming been before beforehand behind being below beside besides
between beyond bill both bottom but by call can cannot cant co con could couldnt cry de describe detail do
done down due during each eg eight either eleven else elsewhere empty enough etc even ever every everyone
everything everywhere except few fifteen fifty fill find fire first five for former formerly forty found
four from front full further get give go had has hasnt have he hence her here hereafter hereby herein
hereupon hers herself him himself his how however hundred i ie if in inc indeed interest into is it its
itself keep last latter latterly least less ltd made many may me meanwhile might mill mine more moreover
most mostly move much must my myself name namely neither never nevertheless next nine no nobody none noone
nor not nothing now nowhere of off often on once one only onto or other others otherwise our ours ourselves
out over own part per perhaps please put rather re same see seem seemed seeming seems serious several she
should show side since sincere six sixty so some somehow someone something sometime sometimes somewhere
still such system take ten than that the their them themselves then thence there thereafter thereby
therefore therein thereupon these they thick thin third this those though three through throughout thru thus
to together too top toward towards twelve twenty two un under until up upon us very via was we well were
what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which
while whither who whoever whole whom whose why will with within without would yet you your yours yourself
yourselves
"""
# German and French notes, and flashcard filler.
_EXTRA_STOP = """
aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim bin bis bist da
dabei damit dann das dass dazu dein dem den denn der des dessen die dies diese diesem diesen dieser dieses
doch dort du durch ein eine einem einen einer eines er es etwa euch euer für gegen hat hatte hatten hier
hin ich ihm ihn ihnen ihr ihre im in ist ja jede jedem jeden jeder jedes jetzt kann kein keine können man
mehr mein mit muss nach nicht noch nun nur ob oder ohne sehr sein seine sich sie sind so solche soll sondern
über um und uns unter viel vom von vor wann war waren warum was weil welche welchem welchen welcher welches
wenn wer werden wie wieder will wir wird wo wurde wurden zu zum zur zwischen
au aux avec ce ces cette comment dans de des du elle en est et eux il ils je la le les leur leurs lui mais
me même mes moi mon ne nos notre nous on ou où par pas pour quand que quel quelle quelles quels qui sa
sans se ses son sont sur ta te tes toi ton tu un une vos votre vous est-ce qu’est-ce
answer answers back called card cards define definition describe difference does example examples explain
did do does doing done front give given happens kind main mean means meaning name named note notes question
questions term used uses using way ways word
"""


@dataclass
class Topic:
    id: int
    label: str
    keywords: list[str]
    cards: list[Card]  # sorted by (file, line)
    examples: list[Card] = field(default_factory=list)  # most typical cards first
    slug: str = ""  # unique among the topics; the tag is topic::<slug>

    @property
    def tag(self) -> str:
        return TAG_PREFIX + (self.slug or topic_slug(self.keywords[:LABEL_WORDS]))

    def as_json(self) -> dict:
        return {"id": self.id, "label": self.label, "keywords": list(self.keywords),
                "cards": [{"file": c.file, "line": c.line} for c in self.cards]}


@dataclass
class TopicResult:
    topics: list[Topic]
    unassigned: list[Card]  # sorted by (file, line)
    threshold: float
    min_size: int

    def as_json(self) -> dict:
        return {"topics": [t.as_json() for t in self.topics],
                "unassigned": [{"file": c.file, "line": c.line} for c in self.unassigned]}


def default_min_size(n_cards: int) -> int:
    """Smallest topic kept: 3 cards, or 1 card in 200 on large vaults."""
    return max(3, math.ceil(n_cards / 200))


def topic_slug(keywords: Sequence[str]) -> str:
    """``["mitochondria", "atp"]`` → ``"mitochondria_atp"``: lower case, word characters and ``_`` only."""
    words = [re.sub(r"[^\w]+", "_", k.lower()).strip("_") for k in keywords]
    return "_".join(w for w in words if w) or "misc"


# -- clustering -----------------------------------------------------------------------------------------
def _order_key(card: Card, text: str) -> tuple:
    return (text, card.file, card.line)


def _sample(texts: list[str], size: int) -> list[int]:
    """``size`` row indices chosen by text hash: independent of the order and names of the cards."""
    ranked = sorted(range(len(texts)), key=lambda i: (hashlib.sha256(texts[i].encode()).hexdigest(), i))
    return sorted(ranked[:size])


def _condensed_cosine(x: np.ndarray, block: int = 1024) -> np.ndarray:
    """Cosine distances of the unit rows of ``x`` in scipy's condensed form (upper triangle, row by row),
    computed with matrix products in blocks: no n x n matrix is ever held."""
    n = x.shape[0]
    x = np.ascontiguousarray(x, dtype=np.float32)
    out = np.empty(n * (n - 1) // 2, dtype=np.float64)
    at = 0
    for start in range(0, n, block):
        sims = x[start:start + block] @ x.T
        for offset, row in enumerate(sims):
            i = start + offset
            out[at:at + n - i - 1] = row[i + 1:]
            at += n - i - 1
    np.subtract(1.0, out, out=out)
    return np.clip(out, 0.0, 2.0, out=out)


def cluster(vectors: np.ndarray, *, threshold: float = DEFAULT_THRESHOLD, min_size: int = 3,
            max_exact: int = MAX_EXACT, sample: list[int] | None = None) -> np.ndarray:
    """Topic index per row (-1: unassigned) for unit ``vectors`` in canonical order; topics numbered by
    first appearance. ``sample``: rows to cluster exactly when there are more than ``max_exact`` rows."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = vectors.shape[0]
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int) if min_size <= 1 else np.full(1, -1)
    rows = np.arange(n) if n <= max_exact else np.asarray(sample if sample is not None else range(max_exact))
    dist = _condensed_cosine(vectors[rows])
    raw = fcluster(linkage(dist, method="average"), t=threshold, criterion="distance")
    del dist
    labels = np.full(n, -1)
    sizes = np.bincount(raw)
    keep = [c for c in dict.fromkeys(raw.tolist()) if sizes[c] >= min_size]
    if not keep:
        return labels
    index = {c: i for i, c in enumerate(keep)}
    for row, c in zip(rows.tolist(), raw.tolist()):
        if c in index:
            labels[row] = index[c]
    # everything not in a kept cluster: join the topic it is on average most similar to, if close enough
    means = np.stack([vectors[labels == i].astype(np.float64).mean(axis=0) for i in range(len(keep))])
    loose = np.nonzero(labels < 0)[0]
    if len(loose):
        avg_sim = vectors[loose].astype(np.float64) @ means.T  # mean cosine to the members of each topic
        best = np.argmax(avg_sim, axis=1)
        ok = 1.0 - avg_sim[np.arange(len(loose)), best] <= threshold + REASSIGN_SLACK
        labels[loose[ok]] = best[ok]
    return labels


# -- labels -------------------------------------------------------------------------------------------------
def stop_words() -> frozenset[str]:
    """English, German and French stop words and flashcard filler ("define", "called", ...)."""
    return frozenset(_ENGLISH_STOP.split()) | frozenset(_EXTRA_STOP.split())


def _tokens(text: str, stop: frozenset[str]) -> set[str]:
    """Distinct words of ``text``, lower case, without stop words; two-letter words only as acronyms (IP)."""
    out = set()
    for raw in _TOKEN.findall(text):
        word = raw.lower().replace("’", "'")
        if word in stop or word.split("'")[-1] in stop:
            continue
        if len(word) > 2 or (len(word) == 2 and raw.isupper()):
            out.add(word)
    return out


def keywords(groups: Sequence[Sequence[str]], n: int = KEYWORDS) -> list[list[str]]:
    """Class-based TF-IDF keywords: for each group of texts, the ``n`` words most specific to it.

    tf = share of the group's texts that contain the word; idf = log(1 + A / f), with A the average number of
    word occurrences per group and f the word's occurrences in all groups. Ties go alphabetically; a word
    whose singular/plural form is already chosen is skipped."""
    stop = stop_words()
    counts: list[dict[str, int]] = []
    for texts in groups:
        c: dict[str, int] = {}
        for text in texts:
            for word in _tokens(text, stop):
                c[word] = c.get(word, 0) + 1
        counts.append(c)
    total: dict[str, int] = {}
    for c in counts:
        for word, k in c.items():
            total[word] = total.get(word, 0) + k
    avg = sum(total.values()) / max(1, len(groups))
    out = []
    for texts, c in zip(groups, counts):
        size = max(1, len(texts))
        scored = sorted(c, key=lambda w: (-(c[w] / size) * math.log(1 + avg / total[w]), w))
        chosen: list[str] = []
        for word in scored:
            forms = {word, word + "s", word + "es", word[:-1] if word.endswith("s") else word,
                     word[:-2] if word.endswith("es") else word}
            if forms & set(chosen):
                continue
            chosen.append(word)
            if len(chosen) == n:
                break
        out.append(chosen)
    return out


def _label_texts(cards: Sequence[Card], texts: Sequence[str]) -> list[str]:
    """What a topic's label is computed from: its cards' texts, and the name of each of their notes once."""
    names = []
    for card in cards:
        name = card.file.rsplit("/", 1)[-1]
        names.append(name[:-3] if name.lower().endswith(".md") else name)
    return list(texts) + sorted(set(names))


# -- the vault's topics ---------------------------------------------------------------------------------------
def find_topics(cards: Sequence[Card], vectors: np.ndarray, *, texts: Sequence[str] | None = None,
                threshold: float = DEFAULT_THRESHOLD, min_size: int | None = None,
                max_exact: int = MAX_EXACT, examples: int = 3) -> TopicResult:
    """Topics of ``cards`` given one unit vector per card (rows match ``cards``, in any order).

    Cards whose text is empty are left unassigned. The result depends only on the set of (card, vector).
    """
    texts = list(texts) if texts is not None else [card_text(c) for c in cards]
    order = sorted((i for i in range(len(cards)) if texts[i]), key=lambda i: _order_key(cards[i], texts[i]))
    empty = [cards[i] for i in range(len(cards)) if not texts[i]]
    min_size = min_size if min_size is not None else default_min_size(len(order))
    x = vectors[order] if order else np.zeros((0, 1), dtype=np.float32)
    ordered_texts = [texts[i] for i in order]
    sample = _sample(ordered_texts, max_exact) if len(order) > max_exact else None
    labels = cluster(x, threshold=threshold, min_size=min_size, max_exact=max_exact, sample=sample)
    members: dict[int, list[int]] = {}
    for row, label in enumerate(labels.tolist()):
        members.setdefault(label, []).append(row)
    groups = [members[t] for t in sorted(k for k in members if k >= 0)]
    words = keywords([_label_texts([cards[order[r]] for r in g], [ordered_texts[r] for r in g]) for g in groups])
    topics = []
    for rows, kw in zip(groups, words):
        centre = x[rows].astype(np.float64).mean(axis=0)
        typical = sorted(rows, key=lambda r: (-float(x[r] @ centre), cards[order[r]].file, cards[order[r]].line))
        topics.append(Topic(0, " · ".join(kw[:LABEL_WORDS]) or "misc", kw,
                            sorted((cards[order[r]] for r in rows), key=lambda c: (c.file, c.line)),
                            [cards[order[r]] for r in typical[:examples]]))
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
    loose = [cards[order[r]] for r in members.get(-1, [])] + empty
    return TopicResult(topics, sorted(loose, key=lambda c: (c.file, c.line)), threshold, min_size)


def card_vectors(vault: Vault, embedder, *, blend: float = NOTE_BLEND) -> tuple[list[Card], list[str], np.ndarray]:
    """The vault's cards, their texts and unit vectors (card text blended with its note's vector)."""
    notes = sorted(vault.notes, key=lambda n: n.path)
    cards = [c for n in notes for c in n.cards]
    texts = [card_text(c) for c in cards]
    if not cards:
        return cards, texts, np.zeros((0, 0), dtype=np.float32)
    by_note = {}
    if blend:
        by_note = dict(zip((n.path for n in notes), note_vectors(notes, embedder.embed)))
    x = np.zeros((len(cards), 0))
    present = [i for i, t in enumerate(texts) if t]  # cards with no text stay zero (and unassigned)
    if present:
        found = embedder.embed([texts[i] for i in present]).astype(np.float64)
        x = np.zeros((len(cards), found.shape[1]))
        x[present] = found
    if blend and present:
        x[present] += blend * np.stack([by_note[cards[i].file] for i in present]).astype(np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    return cards, texts, x.astype(np.float32)


def vault_topics(vault: Vault, embedder, *, threshold: float = DEFAULT_THRESHOLD, min_size: int | None = None,
                 examples: int = 3) -> TopicResult:
    """Topics of every card in ``vault``, embedded through ``embedder`` (an Embedder: cached)."""
    cards, texts, x = card_vectors(vault, embedder)
    return find_topics(cards, x, texts=texts, threshold=threshold, min_size=min_size, examples=examples)


def settings(section: dict) -> tuple[dict, list[str]]:
    """``[topics]`` of `.notes2anki.toml` → keyword arguments for :func:`vault_topics`, plus problems."""
    problems: list[str] = []
    values = {"threshold": number_setting(section, "topics", "threshold", 0, 2, open_range=True,
                                          problems=problems),
              "min_size": number_setting(section, "topics", "min_size", 1, whole=True, problems=problems)}
    return {key: value for key, value in values.items() if value is not None}, problems


def topic_tags(vault: Vault, model: str | None = None, *, cache_path=None,
               threshold: float | None = None, min_size: int | None = None
               ) -> tuple[dict[int, list[str]], list[Diagnostic]]:
    """``topic::<label>`` tags for ``build --topic-tags``: id(card) → [tag] for every card in a topic, and
    warnings (cache problems, model not loadable: then no tags). ``[topics]`` settings of the vault's
    configuration apply unless given here."""
    from ..config import load_config
    from .encoder import Embedder, EncoderError

    diags: list[Diagnostic] = []
    config = load_config(vault.root, [])
    opts, problems = settings(config.section("topics"))
    diags += [Diagnostic(".notes2anki.toml", 0, "warning", p) for p in problems]
    if threshold is not None:
        opts["threshold"] = threshold
    if min_size is not None:
        opts["min_size"] = min_size
    try:
        with Embedder(model, cache_path=cache_path) as embedder:
            result = vault_topics(vault, embedder, **opts)
            diags += [Diagnostic("", 0, "warning", w) for w in embedder.warnings]
    except EncoderError as exc:
        return {}, diags + [Diagnostic("", 0, "warning", f"topic tags not added: {exc}")]
    tags: dict[int, list[str]] = {}
    for topic in result.topics:
        for card in topic.cards:
            tags[id(card)] = [topic.tag]
    return tags, diags
