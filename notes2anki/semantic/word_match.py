"""Words of card text: stems, content words, and when two words are the same word.

* :func:`tokens` — the words of a text as (stem, is_content). Function words: stopwords-iso
  (:func:`notes2anki.semantic.language.stop_words`) for German, French and Spanish, English's closed class
  (:data:`ENGLISH_FUNCTION_WORDS`, see there why not stopwords-iso's), and :data:`PROMPT_WORDS`, the words
  a flashcard prompt uses to ask ("define", "explain", "function of"), which say nothing about *what* is
  asked. Ordinals and number words become digits ("second" -> "2"), so they stay content;
* :func:`same_word` — equal up to an inflection, a typo, an abbreviation ("avg"/"average");
* :func:`polarity` — an answer that starts with yes/no; :func:`negated` — a text that says not/never/except.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .quantities import _ORDINAL_SUFFIX, _WORD, _WORD_NUMBERS, fold

_YES = {"yes", "yeah", "true", "correct", "ja", "richtig", "wahr", "oui", "vrai", "sí", "si", "cierto"}
_NO = {"no", "not", "false", "incorrect", "wrong", "nein", "falsch", "non", "faux", "falso", "never"}
_NEGATIONS = {
    "not", "no", "never", "none", "neither", "nor", "without", "except", "cannot", "nicht", "kein",
    "keine", "keinen", "nie", "niemals", "ohne", "ne", "pas", "jamais", "sans", "nunca", "sin",
}
_NEGATED_CONTRACTION = re.compile(r"\w+n['’]t\b", re.I)

# English function words. stopwords-iso's English list (1,298 entries merged from many sources) also holds
# content words that carry the contrast between two cards (high/low, right, first/second, value, system,
# information): with it, recall on the held-out labelled pairs fell from 0.877 to 0.754. So English keeps
# this closed class (articles, pronouns, auxiliaries, prepositions, conjunctions, question words); the other
# languages take their stopwords-iso lists.
ENGLISH_FUNCTION_WORDS = frozenset("""
a an the of in on at to for from by with about as into onto over under between within than then and or
but if so is are was were be been being do does did done has have had having can could should would
will shall may might must it its this that these those there here which what who whom whose when where
why how whats what's also just very much such same own our your their his her my we you they he she i me
him them us
""".split())
# What a flashcard prompt says to ask: rewording these is not a different question ("What is the function
# of X?" / "Role of X?"). stopwords-iso does not hold them.
PROMPT_WORDS = frozenset("""
called known name named give state define describe explain list mention term word meaning mean means
stand stands refer refers used use using usually typically commonly generally main mainly primary purpose
role function example kind type sort way ways thing things part parts e g eg ie i.e etc vs versus
heißt heisst nennt signifie veut dire sigle
""".split())
_LANGUAGES = ("de", "fr", "es")


@lru_cache(maxsize=8)
def _iso_words(lang: str) -> frozenset[str]:
    from .language import stop_words

    # entries of 2+ characters with a letter: the lists also hold digits and single letters (facts and
    # variables here)
    return frozenset(w for w in stop_words([lang]) if len(w) >= 2 and any(ch.isalpha() for ch in w))


@lru_cache(maxsize=1 << 14)
def function_words(text: str = "") -> frozenset[str]:
    """Words that are never content in ``text``: :data:`ENGLISH_FUNCTION_WORDS` and :data:`PROMPT_WORDS`,
    and when the text is in German, French or Spanish (the one of :data:`_LANGUAGES` whose stopwords-iso
    list holds the most of its words, at least two and more than the English closed class does) that
    language's stopwords-iso list. A list is applied only to text in its language: Spanish's holds "final",
    "general", "sin", German's "die"."""
    base = ENGLISH_FUNCTION_WORDS | PROMPT_WORDS
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return base
    english = sum(1 for w in words if w in ENGLISH_FUNCTION_WORDS)
    counts = {lang: sum(1 for w in words if w in _iso_words(lang)) for lang in _LANGUAGES}
    lang = max(_LANGUAGES, key=lambda code: counts[code])
    if counts[lang] >= 2 and counts[lang] > english:
        return base | _iso_words(lang)
    return base


@lru_cache(maxsize=1 << 16)
def polarity(answer: str) -> str | None:
    """"yes" / "no" when an answer starts with one (in English, German, French, Spanish), else None."""
    words = _WORD.findall(answer[:40].lower())
    if not words:
        return None
    if words[0] in _YES:
        return "yes"
    if words[0] in _NO:
        return "no"
    return None


@lru_cache(maxsize=1 << 16)
def negated(text: str) -> bool:
    """Whether a question contains a negation word ("not", "never", "except", "isn't", "nicht", ...)."""
    if _NEGATED_CONTRACTION.search(text):
        return True
    return any(word in _NEGATIONS for word in _WORD.findall(text.lower()))


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


def _stem(word: str) -> str:
    word = _strip_accents(word.lower()).replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _identifier(raw: str) -> bool:
    """Whether a word is written as an acronym or identifier: 2+ characters with a capital after the first
    (HTTP, HTTPS, mRNA, IPv4, pH, CPUs) or letters and digits mixed (H2O, SN2, v2)."""
    if len(raw) < 2:
        return False
    if any(ch.isupper() for ch in raw[1:]):
        return True
    return any(ch.isdigit() for ch in raw) and any(ch.isalpha() for ch in raw)


def _identifier_stem(raw: str) -> str:
    """The stem of an identifier (:func:`_identifier`): as written, case kept (so :func:`_same_word` can tell
    it from an ordinary word), accents and a possessive "'s" dropped, and a lower-case plural "s" after a
    capital ("CPUs" -> "CPU"); a capital S is a letter of the name (HTTPS is not HTTP's plural)."""
    word = _strip_accents(raw).replace("’", "'")
    if word.lower().endswith("'s"):
        word = word[:-2]
    if len(word) > 2 and word.endswith("s") and word[-2].isupper():
        word = word[:-1]
    return word


def is_identifier_stem(stem: str) -> bool:
    """Whether a stem of :func:`tokens` is an identifier's: it keeps a capital (ordinary stems are lower
    case), or mixes letters and digits ("ipv4", "mp3", "python3")."""
    return stem != stem.lower() or (any(ch.isdigit() for ch in stem) and any(ch.isalpha() for ch in stem))


# "non-zero", "anti-inflammatory", "dis-similar": a negating prefix of 3+ letters joined by a hyphen is one word
# with its stem ("nonzero"), as the same word written without the hyphen, not the prefix and the plain word
# (a word after the hyphen in capitals or with a capital inside, "non-HTTP", is left as written)
# hyphens: "-", U+2010 and U+2011 (text pasted from PDFs); in capitals both ("NON-ZERO", emphasis) joins too
_HYPHENATED_NEGATION = re.compile(
    r"(?<![^\W_])(?:([Nn]on|[Aa]nti|[Dd]is|[Cc]ounter|[Cc]ontra)[-\u2010\u2011]{1,2}([^\W\d_][^\W\d_A-Z]+)"
    r"|(NON|ANTI|DIS|COUNTER|CONTRA)[-\u2010\u2011]{1,2}([^\W\d_a-z]{2,}))(?![^\W_])")  # ("non--zero": a typo)


def written_words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` as written, with where each starts and ends: :data:`_WORD`'s words, a hyphenated
    negation ("non-competitive", "NON--ZERO") one word, as :func:`tokens` reads it. What ``--explain`` quotes
    back to the user."""
    joined = {m.start(): m.end() for m in _HYPHENATED_NEGATION.finditer(text)}
    words, at = [], 0
    for m in _WORD.finditer(text):
        if m.start() < at:
            continue
        at = joined.get(m.start(), m.end())
        words.append((text[m.start():at], m.start(), at))
    return words


def _joined(match: re.Match[str]) -> str:
    """"non-zero" -> "nonzero", "Non-Competitive" -> "Noncompetitive", "NON-ZERO" -> "nonzero" (one ordinary
    word, not a name)."""
    if match.group(1) is not None:
        return match.group(1) + match.group(2).lower()
    return (match.group(3) + match.group(4)).lower()


@lru_cache(maxsize=1 << 16)
def tokens(text: str) -> "Tokens":
    """Words of ``text`` as (stem, is_content). Content = not a function word; an all-capitals token
    ("A" in ACID, "DNA") is always content. Ordinals and number words become digits ("second" -> "2").
    A word written as an acronym or identifier (:func:`_identifier`: HTTPS, mRNA, IPv4) keeps its case in
    its stem ("HTTPS", "mRNA"), which :func:`_same_word` matches by equality (case ignored) or as the
    abbreviation of an ordinary word ("ECG"), never as an inflection or typo of another; in a text written
    all in capitals (no lower-case letter in its words of 2+ letters, two of them function words: "WHAT IS
    H2O", not "FCFS / FIFO") capitals say nothing and only the letter/digit rule applies."""
    text = _HYPHENATED_NEGATION.sub(_joined, _ORDINAL_SUFFIX.sub(lambda m: m.group(1), fold(text)))
    stop = function_words(text)
    raws = _WORD.findall(text)
    lettered = [raw for raw in raws if sum(ch.isalpha() for ch in raw) >= 2]
    shouted = (sum(raw.lower() in stop for raw in lettered) >= 2
               and not any(ch.islower() for raw in lettered for ch in raw))
    out = []
    for raw in raws:
        number = _WORD_NUMBERS.get(raw.lower())
        if number is not None:
            stem = str(number)
        elif _identifier(raw.lower() if shouted else raw):
            stem = _identifier_stem(raw)
        else:
            stem = _stem(raw)
        content = raw.isupper() or (stem.lower() not in stop and raw.lower() not in stop)
        out.append((stem, content))
    return tuple(out)


def _damerau_one(a: str, b: str) -> bool:
    """Whether a and b differ by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _abbreviates(short: str, long_: str) -> bool:
    """"avg" abbreviates "average": same first letter, the short word's letters in order in the long one."""
    if not (3 <= len(short) <= 4 and len(long_) >= 2 * len(short) and short[0] == long_[0]):
        return False
    rest = iter(long_)
    return all(ch in rest for ch in short)


@lru_cache(maxsize=1 << 16)
def _same_word(a: str, b: str) -> bool:
    """Equal, an inflection (one is the other plus a short ending), an abbreviation ("avg") or a typo of a
    word of 5+ letters; an identifier's stem (:func:`is_identifier_stem`: HTTPS, IPv4) only equal, case
    ignored ("DNA" / "dna"), or, written in capitals, the abbreviation of an ordinary word ("ECG" /
    "electrocardiogram"); never an inflection or typo of another word (HTTPS / HTTP)."""
    if a == b:
        return True
    name_a, name_b = is_identifier_stem(a), is_identifier_stem(b)
    if name_a or name_b:  # HTTPS / HTTP, IPv4 / IPv6, RNA / mRNA: other names
        if a.casefold() == b.casefold():
            return True
        if name_a and name_b:
            return False
        short, long_ = (a, b) if name_a else (b, a)  # an acronym in capitals: "ECG" / "electrocardiogram"
        return short.isalpha() and short.isupper() and _abbreviates(short.lower(), long_)
    if _abbreviates(a, b) or _abbreviates(b, a):
        return True
    if a.startswith(b) or b.startswith(a):  # inflections: form/forms, bargain/bargaining
        shorter, diff = min(len(a), len(b)), abs(len(a) - len(b))
        if (shorter >= 4 and diff <= 2) or (shorter >= 5 and diff <= 3):
            return True
    return min(len(a), len(b)) >= 5 and _damerau_one(a, b)


class WordIndex:
    """A tuple of stems indexed for :func:`_same_word`: by first letter, and those of 5+ letters by length.
    Those are the only words :func:`_same_word` can match a word with (an inflection or an abbreviation
    starts with the same letter; a typo of a word of 5+ letters is one of 5+ letters within one of its
    length), so a look-up tries no other (the same answers as trying every word, far fewer calls). Each
    answer of :meth:`has` is remembered (an indexed text is looked up by the words of its ~20 candidate
    partners, which share most of their words), and so is each candidate list of :meth:`near` (it depends on
    the word's first letter and length only)."""

    __slots__ = ("by_first", "by_length", "_near", "_has")

    def __init__(self, words: tuple[str, ...]) -> None:
        by_first: dict[str, list[str]] = {}
        by_length: dict[int, list[str]] = {}
        for v in words:
            by_first.setdefault(v[:1].lower(), []).append(v)
            if len(v) >= 5:
                by_length.setdefault(len(v), []).append(v)
        self.by_first = {k: tuple(v) for k, v in by_first.items()}
        self.by_length = {k: tuple(v) for k, v in by_length.items()}
        self._near: dict[tuple[str, int], tuple[str, ...]] = {}
        self._has: dict[str, bool] = {}

    def near(self, word: str) -> tuple[str, ...]:
        """The indexed words :func:`_same_word` could match ``word`` with (a few; may repeat one)."""
        first, size = word[:1].lower(), len(word)
        key = (first, size if size >= 5 else 0)
        found = self._near.get(key)
        if found is None:
            found = self.by_first.get(first, ())
            if size >= 5:
                found = found + sum((self.by_length.get(n, ()) for n in (size - 1, size, size + 1)), ())
            self._near[key] = found
        return found

    def has(self, word: str) -> bool:
        """Whether ``word`` is the same word (:func:`_same_word`) as one of the indexed words."""
        found = self._has.get(word)
        if found is None:
            found = self._has[word] = any(_same_word(word, v) for v in self.near(word))
        return found


@lru_cache(maxsize=1 << 16)
def word_index(words: tuple[str, ...]) -> WordIndex:
    """:class:`WordIndex` of ``words``, remembered (a vault's texts recur across candidate pairs)."""
    return WordIndex(words)


def same_word(a: str, b: str) -> bool:
    """Whether two stems (:func:`tokens`) are the same word: equal, an inflection (one is the other plus a
    short ending), an abbreviation ("avg") or a typo of a word of 5+ letters."""
    return _same_word(a, b)


def _acronym_of(words: list[str], other: list[str]) -> bool:
    """Whether the initials of ``words`` spell a word of ``other`` or the reverse ("TLB" and "translation
    lookaside buffer")."""
    initials = "".join(w[0] for w in words if w).lower()
    back = "".join(w[0] for w in other if w).lower()
    return ((len(words) > 1 and initials in {w.lower() for w in other})
            or (len(other) > 1 and back in {w.lower() for w in words}))



Tokens = tuple[tuple[str, bool], ...]


@lru_cache(maxsize=1 << 12)
def _initialisms(words: tuple[str, ...]) -> frozenset[str]:
    """Initials of every run of 2-4 consecutive words: "beats per minute" -> "bpm" (and "bp", "pm")."""
    return frozenset("".join(w[0] for w in words[i:i + n]).lower()
                     for n in (2, 3, 4) for i in range(len(words) - n + 1))
