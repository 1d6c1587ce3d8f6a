"""Topic labels: the words most specific to each topic (class-based TF-IDF), in the vault's languages.

What a word is comes from :mod:`notes2anki.semantic.label_words`: lemmas counted, the form the topic's cards
write most often shown (Czech ``transakce`` / ``transakcí`` are one word); Japanese compound nouns
(sudachipy) and Chinese words (rjieba) rather than runs of one script, so 「急性膵炎の診断に有用な検査」
gives 急性膵炎, 診断, 検査. Stop words come from stopwords-iso for the languages the vault is written in
(:func:`notes2anki.semantic.language.vault_languages`) plus English; no hand-written lists.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence

from .label_words import Lexicon
from .language import stop_words, vault_languages

LABEL_WORDS = 3
KEYWORDS = 5


def words(text: str, stop: frozenset[str], lexicon: Lexicon | None = None) -> set[str]:
    """Distinct label words of ``text`` (their keys: lemmas, lower case), without stop words; Latin
    two-letter words only as acronyms (IP); an elided article or pronoun before an apostrophe left out
    (``l'espérance`` is ``espérance``). ``lexicon``: the vault's reader (None: one for this text)."""
    lexicon = (lexicon or Lexicon([text], stop)).with_stop(stop)
    return lexicon.keys(text)


def label_stop_words(texts: Sequence[str]) -> frozenset[str]:
    """Stop words of the languages ``texts`` are written in (and English)."""
    return stop_words(vault_languages(texts))


_WORD = re.compile(r"[^\W\d_]+")
GROUP_LANGUAGE_SHARE = 0.2  # share of a topic's language votes for its language's stop words to be left out too


def group_stop_words(texts: Sequence[str], stop: frozenset[str]) -> frozenset[str]:
    """Stop words (stopwords-iso) of the languages one topic's ``texts`` are written in, with at least
    :data:`GROUP_LANGUAGE_SHARE` of its votes, that ``stop`` (the vault's languages) lacks: a sub-topic of the
    dev vault's seven Vietnamese cards (2 % of the vault: its languages leave Vietnamese out) was labelled
    "bằng · chéo · chính" (tester B r3), three stop words of Vietnamese."""
    from collections import Counter

    from .language import _NOT_VOTED, _stop_index

    index = _stop_index()
    votes: dict[str, float] = {}
    for text in texts[:2000]:  # one vote per text, shared by the languages tied at its best
        found: Counter[str] = Counter()
        for word in _WORD.findall(text):  # any letters (Vietnamese: Latin Extended Additional, ữ, ị)
            found.update(lang for lang in index.get(word.lower(), ()) if lang not in _NOT_VOTED)
        if found:
            best = max(found.values())
            winners = [lang for lang, n in found.items() if n == best]
            for lang in winners:
                votes[lang] = votes.get(lang, 0.0) + 1 / len(winners)
    total = sum(votes.values())
    chosen = [lang for lang, n in votes.items() if total and n / total >= GROUP_LANGUAGE_SHARE]
    return stop_words(chosen) - stop if chosen else frozenset()


class Spread:
    """How a word is spread over the groups of one level (the vault's subjects): its occurrences (texts that
    hold it, summed over the groups) and the average occurrences of all words per group, for the outer
    factor of :func:`keywords`."""

    def __init__(self, total: dict[str, int], groups: int):
        self.total, self.avg = total, sum(total.values()) / max(1, groups)

    def idf(self, word: str) -> float:
        """log(1 + A / f): the c-TF-IDF weight of ``word`` at this level (a word it never saw: as if seen once)."""
        return math.log(1 + self.avg / self.total.get(word, 1))


def keywords(groups: Sequence[Sequence[str]], n: int = KEYWORDS, stop: frozenset[str] | None = None,
             lexicon: Lexicon | None = None, outer: Spread | None = None,
             spread: list[Spread] | None = None) -> list[list[str]]:
    """Class-based TF-IDF keywords (BERTopic's c-TF-IDF, Grootendorst 2022): for each group of texts, the
    ``n`` words most specific to it.

    tf = share of the group's texts that contain the word (its lemma); idf = log(1 + A / f), with A the
    average number of word occurrences per group and f the word's occurrences in all groups. With ``outer``
    (sub-topics: the spread of words over the vault's subjects) the score is multiplied by the word's idf at
    that level too, so a sub-topic is named by words specific to it among its siblings *and* in the vault:
    a word the vault writes in every subject (Czech ``lze``, ``dělá``, ``Příklad``; English "define") that
    happens to be more frequent in one sub-topic no longer names it. ``spread``: a list that receives this
    call's :class:`Spread` (for the sub-topics' ``outer``). A word is shown
    in the form the group's texts use most (ties: the alphabetically first), with the capitals all the
    texts write it with most (:func:`_cased`: "DNA", "Fourier", German "Zelle"; "replication" though a
    sentence starts with it): case is folded for counting only. Ties go alphabetically; a word
    whose singular/plural form is already chosen, or (CJK) a word inside or around one already chosen, is
    skipped. ``stop``: stop words (None: those of the languages the texts are in); ``lexicon``: the reader
    of the vault's text (None: one for these texts)."""
    if lexicon is None:
        lexicon = Lexicon([t for g in groups for t in g], stop)
    elif stop is not None:
        lexicon = lexicon.with_stop(stop)
    counts: list[dict[str, int]] = []
    group_forms: list[dict[str, dict[str, int]]] = []
    casings: dict[str, dict[str, list[int]]] = {}  # form in lower case -> as written -> [inside, initial]
    for texts in groups:
        c: dict[str, int] = {}
        forms: dict[str, dict[str, int]] = {}
        extra = group_stop_words(texts, lexicon.stop)
        for text in texts:
            seen = set()
            for key, surface, initial in lexicon.cased_terms(text):
                lower = surface.lower()
                if extra and (key in extra or lower in extra):
                    continue
                form = forms.setdefault(key, {})
                form[lower] = form.get(lower, 0) + 1
                casings.setdefault(lower, {}).setdefault(surface, [0, 0])[initial] += 1
                if key not in seen:
                    seen.add(key)
                    c[key] = c.get(key, 0) + 1
        counts.append(c)
        group_forms.append(forms)
    shown = [{key: _cased(min(f, key=lambda w: (-f[w], w)), casings) for key, f in forms.items()}
             for forms in group_forms]
    total: dict[str, int] = {}
    for c in counts:
        for word, k in c.items():
            total[word] = total.get(word, 0) + k
    level = Spread(total, len(groups))
    if spread is not None:
        spread.append(level)
    out = []
    for texts, c, show in zip(groups, counts, shown):
        size = max(1, len(texts))
        weight = {w: (c[w] / size) * level.idf(w) * (outer.idf(w) if outer is not None else 1.0) for w in c}
        scored = sorted(c, key=lambda w: (-weight[w], show[w].lower(), show[w], w))
        chosen: list[str] = []
        labels: list[str] = []
        for word in scored:
            forms = {word, word + "s", word + "es", word[:-1] if word.endswith("s") else word,
                     word[:-2] if word.endswith("es") else word}
            label = show[word]
            if forms & set(chosen) or label in labels or any(
                    label in other or other in label for other in labels if ord(label[0]) >= 0x2E80):
                continue
            chosen.append(word)
            labels.append(label)
            if len(chosen) == n:
                break
        out.append(labels)
    return out


def _cased(lower: str, casings: dict[str, dict[str, list[int]]]) -> str:
    """``lower`` (a form in lower case) with the capitals the texts write it with most: counted where the
    word is inside a sentence, where a capital belongs to the word (DNA, Fourier, Krebs, a German noun,
    PaCO2), not to the sentence; counted at the start of sentences only when it is never written inside one.
    Ties: the form with fewer capitals."""
    written = casings.get(lower)
    if not written:
        return lower
    place = 0 if any(n[0] for n in written.values()) else 1
    return min(written, key=lambda w: (-written[w][place], sum(ch.isupper() for ch in w), w))


_LATEX_NAME = re.compile(r"\\(?:begin|end)\{([A-Za-z]+)\*?\}|(\\?)([A-Za-z]+)")


def latex_words(sources: Sequence[str]) -> frozenset[str]:
    r"""Names of LaTeX commands and environments in ``sources`` (the cards' Markdown) used more
    often as commands than written as plain words: ``\overline``, ``\bigcup``, ``\Bbb``,
    ``\begin{pmatrix}`` give "overline", "bigcup", "bbb", "pmatrix" — the plain text keeps them (they tell
    formulas apart), but they name no topic. Counted, not merely seen: BenAgro's control-theory subject was
    labelled "dot" for its 97 ``\dot`` though "dot product" is written a few times (tester 04:30, T9).
    Lower case."""
    commands: dict[str, int] = {}
    for source in sources:
        if "\\" not in source:
            continue
        for match in _LATEX_NAME.finditer(source):
            name = match.group(1) or (match.group(3) if match.group(2) else None)
            if name:
                commands[name.lower()] = commands.get(name.lower(), 0) + 1
    if not commands:
        return frozenset()
    plain: dict[str, int] = {}
    for source in sources:
        for match in _LATEX_NAME.finditer(source):
            word = match.group(3)
            if word and not match.group(2) and word.lower() in commands:
                plain[word.lower()] = plain.get(word.lower(), 0) + 1
    return frozenset(name for name, count in commands.items() if count > plain.get(name, 0))


_MATH_SPAN = re.compile(r"\$\$([^$]{1,4000})\$\$|\$([^$\n]{1,1000})\$")


def math_words(sources: Sequence[str], texts: Sequence[str], lexicon: Lexicon) -> frozenset[str]:
    """Words (keys) that every card writing them writes inside math only: ``sources`` the cards' Markdown,
    ``texts`` their plain texts (rows match). The plain text keeps what a formula says (it tells formulas
    apart for duplicates), and glues its pieces: ``\\bigcup_{i\\in I}\\overline{A_i}`` reads "Ioverline",
    ``e^{tx}f_X(x)`` "txf", ``dxdy`` (tester B r2, Supre and the dev vault): none names a topic. A word a
    card also writes in its prose is kept. Math spans: ``$…$`` and ``$$…$$`` (bounded)."""
    from ..parsers.plain_text import math_text

    lexicon = lexicon.with_stop(frozenset())
    only: set[str] = set()
    prose: set[str] = set()
    for source, text in zip(sources, texts):
        if "$" not in source:
            prose |= lexicon.keys(text)
            continue
        inside: set[str] = set()
        for match in _MATH_SPAN.finditer(source):
            inside |= lexicon.keys(math_text(match.group(1) or match.group(2) or ""))
        if not inside:
            continue
        outside = lexicon.keys(_MATH_SPAN.sub(" ", source))  # the Markdown without its formulas
        only |= inside - outside
        prose |= outside
    return frozenset(only - prose)


def boilerplate_name_words(names: Sequence[str], lexicon: Lexicon, share: float = 0.5,
                           least: int = 3) -> frozenset[str]:
    """Words (keys) in more than ``share`` of the note ``names`` (at least ``least`` names): a naming scheme,
    not a subject — deutsch-matura names every note of cards "<book> Anki Cards", so a topic of its books was
    labelled "Anki · Cards" (tester B r3). Topic labels read the note names too (once per note), so such a
    word would name every topic; the ``max_df`` of :func:`common_words`, over the names."""
    names = sorted(set(names))
    if len(names) < least:
        return frozenset()
    lexicon = lexicon.with_stop(frozenset())
    counts: dict[str, int] = {}
    for name in names:
        for word in lexicon.keys(name):
            counts[word] = counts.get(word, 0) + 1
    return frozenset(w for w, n in counts.items() if n > share * len(names))


def common_words(texts: Sequence[str], share: float, floor: float = 0.05,
                 lexicon: Lexicon | None = None) -> frozenset[str]:
    """Words (keys) found in more than ``max(share, floor)`` of ``texts``: too common in this vault to name
    a topic (a corpus-specific stop list, as ``max_df`` in topic modelling)."""
    limit = max(share, floor) * len(texts)
    lexicon = (lexicon or Lexicon(texts, frozenset())).with_stop(frozenset())
    counts: dict[str, int] = {}
    for text in texts:
        for word in lexicon.keys(text):
            counts[word] = counts.get(word, 0) + 1
    return frozenset(w for w, n in counts.items() if n > limit)
