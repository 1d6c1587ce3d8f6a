"""Which cards the embedding model can read, and stop words in any language.

**Coverage.** The bundled model, all-MiniLM-L6-v2, was trained on English sentence pairs with BERT's
English (uncased) word-piece vocabulary. A word of another language is cut into pieces the model never
learned to compose ("jsou" -> ``j ##so ##u``), and text without spaces (Japanese, Chinese) is cut into
single characters, so two unrelated cards of such text land close together (on the Japanese vault medu4
every card ended in one topic and one 3,501-card "duplicate group"). :func:`known_word_rate` measures this
directly on the model's own vocabulary: the share of the card's words (runs of letters, lower-cased) that
are whole entries of ``vocab.txt``. On the labelled development vault (``../shared/eval``) it is 0.89 for
the median English card and 0.47 (German), 0.49 (Spanish), 0.15 (Vietnamese), 0.14 (Turkish); Japanese and
Czech text is near 0 (acronyms such as DNA are not counted: they are names, not language). French shares
much of the vocabulary ("de", "la", "variable", "fonction" are entries; the French vault Supre scores above
the limit), so a card whose function words are those of another language of the vault (stopwords-iso, see
:func:`foreign_function_words`) is not covered either. A card is *covered* when the rate is at least :data:`MIN_KNOWN_RATE`; cards with fewer
than :data:`MIN_WORDS` words are judged by the vault's other cards (they carry too little text to say).
Cards that are not covered are compared by character n-grams instead (language-independent), see
:mod:`notes2anki.semantic.chargrams`.

The check applies to the bundled model only: a model named by ``--model`` / ``[semantic] model`` is taken
to cover the vault (point it at a multilingual sentence-transformers model, e.g. a local copy of
``paraphrase-multilingual-MiniLM-L12-v2``, for vaults in other languages).

**Stop words** come from ``stopwordsiso`` (the stopwords-iso collection, 58 languages), never from hand
lists: :func:`stop_words` for the languages a vault's text shows (:func:`vault_languages`).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

MIN_KNOWN_RATE = 0.5
MIN_WORDS = 4
MIN_LANGUAGE_SHARE = 0.05  # share of the language votes for vault_languages to name a language
MIN_FOREIGN_WORDS = 3  # function words of another language that make a card that language's
MULTILINGUAL_HINT = ("for better results point [semantic] model in .notes2anki.toml (or --model) at a "
                     "multilingual sentence-transformers model directory, e.g. a local copy of "
                     "paraphrase-multilingual-MiniLM-L12-v2")

_WORD = re.compile(r"[^\W\d_]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")


@lru_cache(maxsize=1)
def _bundled_vocab() -> frozenset[str]:
    from .encoder import bundled_model_dir

    path = bundled_model_dir() / "vocab.txt"
    with open(path, encoding="utf-8") as handle:
        return frozenset(line.rstrip("\n") for line in handle if not line.startswith(("[", "##")))


def _words(text: str) -> list[str]:
    """Runs of letters, lower case; one-letter Latin words and all-capital acronyms (DNA, TLB: names, not
    language) are left out."""
    return [w.lower() for w in _WORD.findall(text)
            if (len(w) >= 2 or ord(w[0]) > 0x2E80) and not (len(w) <= 5 and w.isupper())]


def known_word_rate(text: str, vocab: frozenset[str] | None = None) -> tuple[float, int]:
    """(share of the words of ``text`` that are whole entries of the model's vocabulary, number of words).
    A word is a run of letters; one-letter Latin words are not counted. (1.0, 0) for a text without words."""
    vocab = _bundled_vocab() if vocab is None else vocab
    words = _words(text)
    if not words:
        return 1.0, 0
    return sum(1 for w in words if w in vocab) / len(words), len(words)


def foreign_function_words(text: str, languages: Sequence[str]) -> bool:
    """Whether ``text`` is written in one of ``languages`` rather than English, by its function words: at
    least :data:`MIN_FOREIGN_WORDS` words of that language's stopwords-iso list that are not English function
    words (:data:`~notes2anki.semantic.word_match.ENGLISH_FUNCTION_WORDS`), and more of them than English
    function words. French shares much of BERT's English word-piece vocabulary
    ("de", "la", "variable", "fonction" are entries), so the known-word rate alone reads "Définition Soit X
    une variable aléatoire ..." as English; its function words do not."""
    from .word_match import ENGLISH_FUNCTION_WORDS as english  # the closed class: stopwords-iso's English
    # list also holds "de", "la", "le" (names, musical notes), which would hide French
    words = [w.lower() for w in _LATIN_WORD.findall(text) if len(w) >= 2]
    own = sum(1 for w in words if w in english)
    for lang in languages:
        stop = _stop_set(lang)
        n = sum(1 for w in words if w in stop and w not in english)
        if n >= MIN_FOREIGN_WORDS and n > own:
            return True
    return False


def uses_bundled_model(model: object) -> bool:
    """Whether ``model`` (a name, a path or None, as ``--model`` / ``[semantic] model`` take it) resolves
    to the bundled all-MiniLM-L6-v2, whose vocabulary :func:`known_word_rate` and :func:`covered` use. Loads no
    model."""
    from .encoder import resolve_model

    return resolve_model(model).location == ""  # type: ignore[arg-type]


def covered(texts: Sequence[str], model: object = None) -> list[bool]:
    """For each text, whether ``model`` (None: the bundled one) can read it (see the module docstring).
    Short texts follow the majority of the longer ones (English when there are none). A text in another
    language of the vault (:func:`vault_languages`) by its function words (:func:`foreign_function_words`)
    is not read, whatever its known-word rate."""
    if not uses_bundled_model(model):
        return [True] * len(texts)
    known = _memo.get
    measured = [known(t) or _measured(t) for t in texts]
    _touched.update(texts)
    candidates = [lang for lang in _languages_of(measured) if lang != "en"]
    if candidates:  # text in another language the vocabulary happens to hold: not read either
        key, half, rates = "\x1f".join(candidates), MIN_KNOWN_RATE / 2, []
        for t, m in zip(texts, measured):
            rate = m[0]
            if rate >= half:
                foreign = m[3].get(key)
                if foreign is None:
                    foreign = m[3][key] = foreign_function_words(t, [lang for lang in candidates if _stop_set(lang)])
                if foreign:
                    rate = 0.0
            rates.append((rate, m[1]))
    else:
        rates = [(m[0], m[1]) for m in measured]
    long_ = [rate >= MIN_KNOWN_RATE for rate, n in rates if n >= MIN_WORDS]
    default = not long_ or sum(long_) * 2 >= len(long_)
    return [(rate >= MIN_KNOWN_RATE) if n >= MIN_WORDS else (default and rate >= MIN_KNOWN_RATE / 2)
            for rate, n in rates]


# -- stop words ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _iso(lang: str) -> frozenset[str]:
    import stopwordsiso

    try:
        return frozenset(w.lower() for w in stopwordsiso.stopwords(lang))
    except Exception:  # an unknown code
        return frozenset()


@lru_cache(maxsize=1)
def _languages() -> tuple[str, ...]:
    import stopwordsiso

    return tuple(sorted(stopwordsiso.langs()))


_NOT_VOTED = ("ja", "zh", "ko", "th")  # written without spaces: told by their script instead
_index: dict[str, tuple[str, ...]] | None = None  # stop word -> the stopwords-iso languages listing it
_index_path: Path | None = None  # where load_memo() keeps it (None: built in memory)


def _stop_index() -> dict[str, tuple[str, ...]]:
    """Every stopwords-iso word (lower case) -> the languages whose list holds it, sorted: what
    :func:`_votes` counts, the same sums as testing the word against each language's list. Built once (import
    of stopwordsiso and 58 lists: about 0.1 s) and kept beside the language memo (:func:`load_memo`), so a
    check that measures a few new texts reads it in milliseconds."""
    global _index
    if _index is None:
        from notes2anki import memo_file

        data = None
        if _index_path is not None:
            data, _ = memo_file.load(_index_path, "stop-word index",
                                     valid=lambda d: d.get("version") == memo_version() and isinstance(d["index"], dict))
        if data is not None:
            _index = data["index"]
        else:
            found: dict[str, list[str]] = {}
            for lang in _languages():
                for word in _iso(lang):
                    found.setdefault(word, []).append(lang)
            _index = {word: tuple(langs) for word, langs in found.items()}
            if _index_path is not None and memo_file.save(_index_path, {"version": memo_version(), "index": _index}):
                for old in _index_path.parent.glob("stopwords-*.index.pickle"):  # of other versions
                    try:
                        if old != _index_path:
                            old.unlink(missing_ok=True)
                    except OSError:
                        pass
    return _index


@lru_cache(maxsize=64)
def _stop_set(lang: str) -> frozenset[str]:
    """:func:`_iso` of ``lang`` (the same words) from :func:`_stop_index`."""
    return frozenset(word for word, langs in _stop_index().items() if lang in langs)


_SCRIPT_LANGS = {"HIRAGANA": ("ja",), "KATAKANA": ("ja",), "CJK": ("zh", "ja"), "HANGUL": ("ko",),
                 "CYRILLIC": ("ru", "uk", "bg"), "GREEK": ("el",), "ARABIC": ("ar", "fa"), "HEBREW": ("he",),
                 "THAI": ("th",), "DEVANAGARI": ("hi", "mr")}


def vault_languages(texts: Iterable[str], *, sample: int = 2000, min_share: float = MIN_LANGUAGE_SHARE) -> list[str]:
    """ISO 639-1 codes of the languages the texts are written in, most used first: Latin-script languages
    by which stopwords-iso list covers most of their words (a word counts for every list holding it, so
    the language with the most distinctive function words wins), other scripts by their Unicode script.
    English is always included (flashcard markup and code are English)."""
    return _tally((_votes(text) for k, text in zip(range(sample), texts)), min_share)


def vault_language_shares(texts: Iterable[str], *, sample: int = 2000) -> list[tuple[str, float]]:
    """(ISO 639-1 code, share of the votes) of every language :func:`vault_languages` counts, most used
    first (English not added)."""
    return _shares(_votes(text) for k, text in zip(range(sample), texts))


def _votes(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    """One text's votes for :func:`vault_languages`: (the stopwords-iso languages that cover most of its
    words, each code its script names with the number of characters naming it, in the order first seen)."""
    index = _stop_index()
    counts: Counter[str] = Counter()
    for word in _LATIN_WORD.findall(text):
        counts.update(index.get(word.lower(), ()))  # (the languages whose stop words hold it)
    for lang in _NOT_VOTED:
        counts.pop(lang, None)
    best = max(counts.values()) if counts else 0
    winners = tuple(sorted(lang for lang, n in counts.items() if n == best)) if best > 0 else ()
    scripts: dict[str, int] = {}
    for ch in text[:400]:
        if ord(ch) > 0x2E80 or 0x0370 <= ord(ch) < 0x0E80:
            name = unicodedata.name(ch, "")
            for script, codes in _SCRIPT_LANGS.items():
                if name.startswith(script):
                    for code in codes:
                        scripts[code] = scripts.get(code, 0) + 1
                    break
    return winners, tuple(scripts.items())


def _tally(votes: Iterable[tuple[tuple[str, ...], tuple[tuple[str, int], ...]]], min_share: float) -> list[str]:
    """:func:`vault_languages` from the texts' :func:`_votes` (the same sums, in the same order)."""
    found = [lang for lang, share in _shares(votes) if share >= min_share]
    return found + (["en"] if "en" not in found else [])


def _shares(votes: Iterable[tuple[tuple[str, ...], tuple[tuple[str, int], ...]]]) -> list[tuple[str, float]]:
    total_votes: Counter[str] = Counter()
    for winners, scripts in votes:
        for lang in winners:
            total_votes[lang] += 1
        for code, times in scripts:
            for _ in range(times):
                total_votes[code] += 1 / 50
    total = sum(total_votes.values()) or 1
    return [(lang, n / total) for lang, n in total_votes.most_common()]


# -- what covered() measures per text, kept between runs (issue 13: 0.5 s of every check of 10,000 cards) --

_memo: dict[str, tuple] = {}  # text -> (known-word rate, words, votes, {languages: foreign?})
_touched: set[str] = set()  # texts measured or looked up since load_memo()
_fresh = 0  # texts measured since load_memo()
_loaded = 0
MEMO_MAX = 300_000  # texts held in one process; beyond this the memo starts again


def _measured(text: str) -> tuple:
    global _fresh
    entry = _memo.get(text)
    if entry is None:
        if len(_memo) >= MEMO_MAX:
            _memo.clear()
            _touched.clear()
        rate, n = known_word_rate(text)
        entry = _memo[text] = (rate, n, _votes(text), {})
        _fresh += 1
    _touched.add(text)
    return entry


def _languages_of(measured: Sequence[tuple], sample: int = 2000, min_share: float = 0.05) -> list[str]:
    return _tally((m[2] for m in measured[:sample]), min_share)


@lru_cache(maxsize=1)
def memo_version() -> str:
    """What the stored measurements depend on: this module's source, the model's vocabulary file and
    stopwords-iso's word lists (its data file, found without importing it or ``importlib.metadata``: 0.03 s
    of every check after an edit)."""
    import hashlib
    from importlib.util import find_spec

    from .encoder import bundled_model_dir

    digest = hashlib.sha256(b"language")
    try:
        spec = find_spec("stopwordsiso")
        lists = Path(spec.origin).with_name("stopwords-iso.json") if spec and spec.origin else Path("-")
    except (ImportError, ValueError):
        lists = Path("-")
    for path in (Path(__file__), bundled_model_dir() / "vocab.txt", lists):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(path.name.encode())
    return digest.hexdigest()[:16]


def load_memo(path: Path) -> str | None:
    """Add the measurements stored in ``path`` (same :func:`memo_version` only) to this process's memo. A file
    that cannot be read is ignored (the texts are measured again; the returned warning says so, see
    :mod:`notes2anki.memo_file`); never raises."""
    from notes2anki import memo_file

    global _fresh, _loaded, _index_path
    _fresh = 0
    _touched.clear()
    _index_path = Path(path).with_name(f"stopwords-{memo_version()}.index.pickle")
    _loaded, warning = memo_file.load_entries(path, "language memo", memo_version(), _memo)
    return warning


def save_memo(path: Path) -> None:
    """Store the measurements of the texts used since :func:`load_memo` in ``path`` (nothing when none was
    new and none went, or only a few: :func:`~notes2anki.memo_file.few_new`); failures ignored."""
    from notes2anki import memo_file

    memo_file.save_entries(path, memo_version(), _memo, _touched, _fresh, _loaded)


def stop_words(languages: Iterable[str]) -> frozenset[str]:
    """The stopwords-iso lists of ``languages``, lower case, merged."""
    out: set[str] = set()
    for lang in languages:
        out |= _iso(lang)
    return frozenset(out)
