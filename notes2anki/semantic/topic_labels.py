"""Topic labels: the words most specific to each topic (class-based TF-IDF), in the vault's languages.

Words are runs of letters; text without spaces between words (Japanese, Chinese) is cut where the script
changes (kanji | katakana | Latin), and runs of hiragana — Japanese grammar endings and particles — are
left out, so 「急性膵炎の診断に有用な検査」 gives 急性膵炎, 診断, 有用, 検査. Stop words come from
stopwords-iso for the languages the vault is written in (:func:`notes2anki.semantic.language.vault_languages`)
plus English; no hand-written lists.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from .language import stop_words, vault_languages

LABEL_WORDS = 3
KEYWORDS = 5
_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*", re.UNICODE)


def _script(ch: str) -> str:
    code = ord(ch)
    if 0x3040 <= code <= 0x309F:
        return "hiragana"
    if 0x30A0 <= code <= 0x30FF or code == 0x30FC:
        return "katakana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
        return "han"
    if 0xAC00 <= code <= 0xD7AF:
        return "hangul"
    return "other"


def _split_scripts(word: str) -> list[str]:
    """A run of letters cut where the script changes (only matters for CJK text); hiragana runs dropped."""
    if all(ord(c) < 0x3040 for c in word):
        return [word]
    parts: list[str] = []
    current, kind = "", None
    for ch in word:
        k = _script(ch)
        if k != kind and current:
            parts.append((kind, current))
            current = ""
        current += ch
        kind = k
    if current:
        parts.append((kind, current))
    return [text for kind, text in parts if kind != "hiragana" and (kind != "han" or len(text) >= 2)]


def words(text: str, stop: frozenset[str]) -> set[str]:
    """Distinct words of ``text``, lower case, without stop words; Latin two-letter words only as acronyms
    (IP); an elided article or pronoun before an apostrophe left out (``l'espérance`` is ``espérance``);
    CJK text split by script (see the module docstring)."""
    out = set()
    for raw in _TOKEN.findall(unicodedata.normalize("NFC", text)):
        for piece in _split_scripts(raw):
            word = piece.lower().replace("’", "'")
            head, apostrophe, tail = word.partition("'")
            if apostrophe and tail and (len(head) <= 2 or head in stop):  # an elided article or pronoun
                word = tail  # (l'algorithme, d'événements, dell'anno, qu'il): the word is what follows
            if word in stop or word.split("'")[-1] in stop:
                continue
            if ord(word[0]) >= 0x2E80 or len(word) > 2 or (len(word) == 2 and piece.isupper()):
                out.add(word)
    return out


def label_stop_words(texts: Sequence[str]) -> frozenset[str]:
    """Stop words of the languages ``texts`` are written in (and English)."""
    return stop_words(vault_languages(texts))


def keywords(groups: Sequence[Sequence[str]], n: int = KEYWORDS, stop: frozenset[str] | None = None) -> list[list[str]]:
    """Class-based TF-IDF keywords: for each group of texts, the ``n`` words most specific to it.

    tf = share of the group's texts that contain the word; idf = log(1 + A / f), with A the average number of
    word occurrences per group and f the word's occurrences in all groups. Ties go alphabetically; a word
    whose singular/plural form is already chosen is skipped. ``stop``: stop words (None: those of the
    languages the texts are in)."""
    if stop is None:
        stop = label_stop_words([t for g in groups for t in g])
    counts: list[dict[str, int]] = []
    for texts in groups:
        c: dict[str, int] = {}
        for text in texts:
            for word in words(text, stop):
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
            if forms & set(chosen) or any(word in other or other in word for other in chosen if ord(word[0]) >= 0x2E80):
                continue
            chosen.append(word)
            if len(chosen) == n:
                break
        out.append(chosen)
    return out


_LATEX_NAME = re.compile(r"\\(?:begin|end)\{([A-Za-z]+)\*?\}|(\\?)([A-Za-z]+)")


def latex_words(sources: Sequence[str]) -> frozenset[str]:
    r"""Names of LaTeX commands and environments in ``sources`` (the cards' Markdown) that never occur there
    as a plain word: ``\overline``, ``\bigcup``, ``\Bbb``, ``\begin{pmatrix}`` give "overline", "bigcup",
    "bbb", "pmatrix" — the plain text keeps them (they tell formulas apart), but they name no topic.
    Lower case."""
    commands: set[str] = set()
    plain: set[str] = set()
    for source in sources:
        if "\\" not in source:
            continue
        for match in _LATEX_NAME.finditer(source):
            if match.group(1):
                commands.add(match.group(1).lower())
            elif match.group(2):
                commands.add(match.group(3).lower())
    if not commands:
        return frozenset()
    for source in sources:
        for match in _LATEX_NAME.finditer(source):
            if match.group(3) and not match.group(2):
                plain.add(match.group(3).lower())
    return frozenset(commands - plain)


def common_words(texts: Sequence[str], share: float, floor: float = 0.05) -> frozenset[str]:
    """Words found in more than ``max(share, floor)`` of ``texts``: too common in this vault to name a
    topic (a corpus-specific stop list, as ``max_df`` in topic modelling)."""
    limit = max(share, floor) * len(texts)
    counts: dict[str, int] = {}
    for text in texts:
        for word in words(text, frozenset()):
            counts[word] = counts.get(word, 0) + 1
    return frozenset(w for w, n in counts.items() if n > limit)
