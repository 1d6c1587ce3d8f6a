"""The words topic labels are made of, in the vault's languages: lemmas to count, surface forms to show.

Each text gives a list of *terms* ``(key, surface)``: the key is what c-TF-IDF counts (a lemma, lower
case: case is folded for counting only), the surface what a label shows, with its capitals as written
(the form the cards write most often, see :func:`notes2anki.semantic.topic_labels.keywords`;
:meth:`Lexicon.cased_terms` also tells whether a word starts a sentence, a line or a field, where a capital
says nothing about the word). No hand-written word lists; the languages come from
:func:`notes2anki.semantic.language.vault_languages` and each is read by a well-kept library, imported only
when the vault has text in it (``topics`` only: never on the build or edit path):

* **Latin, Cyrillic, Greek script** (Czech, French, German, Spanish, English...): words are runs of letters,
  digits allowed after the first letter (``PaCO2``, ``IPv6``) and before a capital (``3AC``, ``2NF``, ``3D``,
  ``5G``; before a lower-case letter the digits are no part of the word: ``1st``, ``10px``); an elided
  article before an apostrophe is not part of a word (``l'espérance`` is ``espérance``); each word is lemmatised by ``simplemma`` (54
  languages, offline, no dependencies) in the vault's main languages (:data:`MIN_LEMMA_SHARE`), so ``transakce`` / ``transakcí`` or
  ``vlákna`` / ``vláken`` count as one word.
* **Japanese** (a vault whose Han text is mostly written with kana): ``sudachipy`` with its small
  dictionary cuts the text into morphemes with their part of speech; a run of nouns is one compound
  (``急性`` + ``膵炎`` = ``急性膵炎``, ``呼吸`` + ``困難`` = ``呼吸困難``); a lone noun that is adverbial
  (``副詞可能``: 以前), adjectival (``形状詞可能``: 必要, 有用) or a verbal noun used as a verb (``存在する``,
  ``対応する``, ``評価する``) names no subject and is left out, as are words of kana only and numerals.
* **Chinese** (Han text without kana): ``rjieba`` (the Rust jieba) cuts it into words with their part of
  speech; nouns (``n*``, ``vn``), idioms and set phrases are kept, words of one character are not.

Obsidian markup that is not text is left out first: callout markers (``> [!note]``), ``%%comments%%``,
the brackets and target of wiki links (``[[target|shown]]`` reads ``shown``).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .language import MIN_LANGUAGE_SHARE as MIN_SHARE
from .language import stop_words, vault_language_shares

MAX_LEMMA_LANGUAGES = 3
MIN_LEMMA_SHARE = 0.1  # share of the language votes for a language's lemmas to be used (FIT: cs, not sl;
# Till-Fri: es and de, not gl): a close cousin of the vault's language collects a few votes, and its
# dictionary would take the words the vault's own does not know
MAX_RUN = 2000  # characters of one run of CJK text given to a segmenter at a time
KANA_SHARE = 0.2  # share of the Han-bearing texts that also hold kana for the vault to read as Japanese
_TOKEN = re.compile(r"(?:\d+(?=[^\W\d_]))?[^\W\d_](?:[^\W_]|['’-](?=[^\W\d_]))*", re.UNICODE)
_LEADING_DIGITS = re.compile(r"\d+")
_CALLOUT = re.compile(r"\[![\w-]+\][+-]?")
_COMMENT = re.compile(r"%%.*?%%", re.DOTALL)
_WIKI = re.compile(r"!?\[\[(?:[^\]|\n]*\|)?([^\]\n]*)\]\]")
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_CJK = re.compile(f"[{_CJK_CHARS}]+")
_CJK_JA = re.compile(f"[A-Za-z0-9]*[{_CJK_CHARS}]+")  # with letters or digits written onto it: B型肝炎, PaCO2の
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_ZH_KEEP = ("n", "vn", "i", "l", "j")  # nouns (n, nr, ns, nt, nz...), verbal nouns, idioms, set phrases


def strip_markup(text: str) -> str:
    """``text`` without Obsidian markup that is not words: callout markers, ``%%comments%%``, wiki-link
    brackets and targets (the shown text stays)."""
    text = _COMMENT.sub(" ", text)
    text = _WIKI.sub(r"\1", text)
    return _CALLOUT.sub(" ", text)


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


class Lexicon:
    """How the labels of one vault read its text: its languages, their stop words and lemmatisers.

    ``texts``: the vault's card texts (the languages are measured on them); ``stop``: words never to be
    label words (default: the stopwords-iso lists of the vault's languages). :meth:`terms` is remembered
    per text for the life of the object."""

    def __init__(self, texts: Sequence[str], stop: frozenset[str] | None = None,
                 languages: Sequence[str] | None = None) -> None:
        shares = vault_language_shares(texts) if languages is None else [(lang, 1.0) for lang in languages]
        self.languages = [lang for lang, share in shares if share >= MIN_SHARE]
        self.languages += ["en"] if "en" not in self.languages else []  # as vault_languages
        self._own_stop = stop_words(self.languages)  # what an elided word before an apostrophe may be
        self.stop = stop if stop is not None else self._own_stop
        han = [t for t in texts[:4000] if _HAN.search(t)]
        self.cjk = "ja" if han and sum(1 for t in han if _KANA.search(t)) >= KANA_SHARE * len(han) else "zh"
        main = [lang for lang, share in shares if share >= MIN_LEMMA_SHARE]
        self._lemma_langs = _lemma_languages(list(dict.fromkeys(main + ["en"])))
        self._memo: dict[str, tuple[tuple[str, str, bool], ...]] = {}

    def with_stop(self, stop: frozenset[str]) -> "Lexicon":
        """The same reader with another stop list (the terms already read are kept)."""
        other = Lexicon.__new__(Lexicon)
        other.__dict__.update(self.__dict__)
        other.stop = stop
        return other

    def terms(self, text: str) -> tuple[tuple[str, str], ...]:
        """``(key, surface)`` of each label word of ``text``, in order, stop words left out."""
        return tuple((key, surface) for key, surface, _ in self.cased_terms(text))

    def cased_terms(self, text: str) -> tuple[tuple[str, str, bool], ...]:
        """``(key, surface, initial)`` of each label word of ``text`` (as :meth:`terms`); ``initial``: the
        word starts the text, a sentence, a line or a field, so its first capital may be the sentence's."""
        found = self._memo.get(text)
        if found is None:
            found = self._memo[text] = tuple(self._read(text))
        stop = self.stop
        return tuple(t for t in found if t[0] not in stop and t[1].lower() not in stop
                     and t[1].lower().split("'")[-1] not in stop)

    def keys(self, text: str) -> set[str]:
        """The distinct keys of :meth:`terms`."""
        return {key for key, _ in self.terms(text)}

    def _read(self, text: str) -> Iterable[tuple[str, str, bool]]:
        text = strip_markup(unicodedata.normalize("NFKC", text))  # full-width ＣＴ, Ⅰ型, half-width ｶﾅ
        at = 0
        for match in (_CJK_JA if self.cjk == "ja" else _CJK).finditer(text):
            yield from self._latin(text, at, match.start())
            run = match.group()
            for start in range(0, len(run), MAX_RUN):  # the segmenters take bounded input
                yield from ((key, surface, False) for key, surface in _segmented(run[start:start + MAX_RUN], self.cjk))
            at = match.end()
        yield from self._latin(text, at, len(text))

    def _latin(self, text: str, start: int, end: int) -> Iterable[tuple[str, str, bool]]:
        for match in _TOKEN.finditer(text, start, end):
            word = match.group().replace("’", "'")
            digits = _LEADING_DIGITS.match(word)
            if digits and not word[digits.end()].isupper():  # 1st, 10px, 5kg: the number is no part of
                word = word[digits.end():]  # a word; 3AC, 2NF, 3D, 5G: a capital after digits, a name
            head, apostrophe, tail = word.partition("'")
            if apostrophe and tail and (len(head) <= 2 or head.lower() in self._own_stop):  # an elided
                word = tail  # article or pronoun (l'algorithme, d'événements, dell'anno, qu'il): the word follows
            lower = word.lower()
            if len(word) > 2 or (len(word) == 2 and word.isupper()):
                yield _lemma(lower, self._lemma_langs), word, starts_sentence(text, match.start())


_OPENING = frozenset(" \t\"'«»„“”‘’‚‹›([{*_#>-–—•·")  # spaces, quotes, brackets, bullets, heading marks
_SENTENCE_END = frozenset(".!?:;|…¿¡\n\r")  # "|": the separator of a card's fields


def starts_sentence(text: str, at: int) -> bool:
    """Whether the word at ``text[at]`` starts the text, a sentence, a line or a field (``" | "``), past any
    opening quote, bracket, bullet or heading mark: "Mitosis: …", "- Replication", "(The …"."""
    i = at - 1
    while i >= 0 and text[i] in _OPENING:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


@lru_cache(maxsize=200_000)
def _lemma(word: str, languages: tuple[str, ...]) -> str:
    if not languages or not word.isalpha():
        return word
    try:
        import simplemma

        return simplemma.lemmatize(word, lang=languages).lower()
    except Exception:  # simplemma missing, or a word it cannot take: counted as written
        return word


def _segmented(run: str, kind: str) -> list[tuple[str, str]]:
    """Terms of one run of CJK text by its segmenter; where the segmenter cannot be loaded or fails, the
    run cut where the script changes (kanji | katakana), hiragana left out, as before the segmenters."""
    try:
        return list(_japanese(run) if kind == "ja" else _chinese(run))
    except Exception:
        return [(part, part) for part in re.findall(r"[\u30a0-\u30ff\uff66-\uff9f]{2,}|[\u3400-\u4dbf\u4e00-\u9fff]{2,}", run)]


def _lemma_languages(languages: Sequence[str]) -> tuple[str, ...]:
    """The first :data:`MAX_LEMMA_LANGUAGES` of ``languages`` that simplemma has a dictionary for."""
    if not any(lang not in ("ja", "zh", "ko", "th") for lang in languages):
        return ()
    try:
        from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES
    except ImportError:  # simplemma missing or reorganised: words are counted as written
        return ()
    return tuple(lang for lang in languages if lang in SUPPORTED_LANGUAGES)[:MAX_LEMMA_LANGUAGES]


# -- Japanese ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _sudachi():
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="small").tokenizer(mode=SplitMode.C)


_JA_NOUN = ("普通名詞", "固有名詞", "数詞")
_JA_LONE_NOT = ("副詞可能", "形状詞可能", "助数詞可能")


def _japanese(text: str) -> Iterable[tuple[str, str]]:
    """Compound nouns of a run of Japanese text (see the module docstring)."""
    morphemes = list(_sudachi().tokenize(text))
    run: list = []
    for m in morphemes + [None]:
        pos = m.part_of_speech() if m is not None else None
        if pos is not None and ((pos[0] == "名詞" and pos[1] in _JA_NOUN) or pos[0] == "接頭辞"
                                or (pos[0] == "接尾辞" and pos[1] == "名詞的") or pos[:2] == ("記号", "文字")):
            run.append((m, pos))
            continue
        if run:
            word = _compound(run, m, pos)
            if word:
                yield word
            run = []


def _compound(run: list, after, after_pos) -> tuple[str, str] | None:
    """One compound noun from a run of morphemes (prefixes, nouns, numerals, noun suffixes): (key, surface),
    or None when it names no subject (see the module docstring)."""
    while run and run[0][1][0] == "接尾辞":  # a suffix left from the word before
        run = run[1:]
    while run and run[-1][1][0] == "接頭辞":
        run = run[:-1]
    nouns = [pos for _, pos in run if pos[0] == "名詞" and pos[1] != "数詞"]
    if not nouns:
        return None
    surface = "".join(m.surface() for m, _ in run)
    if len(surface) < 2 or all("\u3040" <= ch <= "\u309f" for ch in surface):  # one character, or kana only
        return None
    if len(run) == 1:
        pos = run[0][1]
        if pos[2] in _JA_LONE_NOT:
            return None
        if pos[2] == "サ変可能" and after is not None and after_pos[0] == "動詞" \
                and after.dictionary_form() in ("する", "できる", "出来る"):
            return None  # a verbal noun used as a verb: 存在する, 評価する
    key = "".join(m.normalized_form() if _is_cjk(m.surface()[0]) else m.surface().lower() for m, _ in run)
    return key, surface


# -- Chinese -----------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _jieba():
    import rjieba

    return rjieba


def _chinese(text: str) -> Iterable[tuple[str, str]]:
    """Nouns, idioms and set phrases of a run of Chinese text (see the module docstring)."""
    for word, flag in _jieba().tag(text):
        if len(word) >= 2 and flag.startswith(_ZH_KEEP) and all(_is_cjk(ch) for ch in word):
            yield word, word
