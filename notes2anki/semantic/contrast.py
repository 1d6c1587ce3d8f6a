"""Lexical evidence that two similar-looking cards ask different things.

Sentence embeddings place "What changed in TLS 1.3?" and "What changed in TLS 1.2?" almost on top of each
other. The cues that tell them apart are small and lexical, so they are checked here, on the plain text:

* :func:`numbers` — numbers, versions, signs, ordinals ("second" = "2nd" = 2), Roman numerals: two texts
  *conflict* when each holds a number the other lacks (1.3 vs 1.2; +1 vs -1; 22 vs 23; but 9.8 and 9.81
  match);
* :func:`polarity` — an answer that starts with yes/no (in a few languages): yes vs no conflicts;
* :func:`negated` — a question that says "not"/"never"/"except"... against one that does not;
* :func:`substitutions` — the two texts are the same sentence with a content word swapped
  (TCP vs UDP, mitosis vs meiosis, capital vs largest city, begann vs endete); typos (demand/demnad),
  inflections (Kanada/Kanadas) and swapped function words ("What is" vs "Define") are not swaps.

Each function is pure and cheap; :mod:`notes2anki.semantic.dupes` combines them with the embeddings.
"""
from __future__ import annotations

import os
import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u00b1": " "})
_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})((?:[ ,\u00a0\u202f]\d{3})+)(?![\d]|[.,]\d)")
_NUM_TOKEN = re.compile(r"(?:(?<=[\s(\[{=<>,;:/^_$])|^)([+-])(?=\d)|\d+(?:\.\d+)?")
_ROMAN = re.compile(r"\b(II|III|IV|VI|VII|VIII|IX|XI|XII)\b")
_ORDINAL_SUFFIX = re.compile(r"\b(\d+)(?:st|nd|rd|th|e|er|ème|eme)\b", re.I)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.U)

_WORD_NUMBERS = {
    # ordinals (en, de, fr, es) and cardinals two..twelve ("one"/"un"/"ein" are also articles: left out)
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "erste": 1, "ersten": 1, "erster": 1, "zweite": 2, "zweiten": 2, "zweiter": 2,
    "dritte": 3, "dritten": 3, "vierte": 4, "premier": 1, "première": 1, "deuxième": 2,
    "troisième": 3, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercero": 3, "tercera": 3,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "zwei": 2, "drei": 3, "vier": 4, "deux": 2, "trois": 3, "quatre": 4,
    "dos": 2, "tres": 3, "cuatro": 4,
}
_ROMAN_VALUES = {"II": 2, "III": 3, "IV": 4, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "XI": 11, "XII": 12}

_YES = {"yes", "yeah", "true", "correct", "ja", "richtig", "wahr", "oui", "vrai", "sí", "si", "cierto"}
_NO = {"no", "not", "false", "incorrect", "wrong", "nein", "falsch", "non", "faux", "falso", "never"}
_NEGATIONS = {
    "not", "no", "never", "none", "neither", "nor", "without", "except", "cannot", "nicht", "kein",
    "keine", "keinen", "nie", "niemals", "ohne", "ne", "pas", "jamais", "sans", "nunca", "sin",
}
_NEGATED_CONTRACTION = re.compile(r"\w+n['’]t\b", re.I)

# Function words: swapping these is rewording, not a different question. (en, de, fr, es)
STOPWORDS = frozenset("""
a an the of in on at to for from by with about as into onto over under between within than then and or
but if so is are was were be been being do does did done has have had having can could should would
will shall may might must it its this that these those there here which what who whom whose when where
why how whats what's also just very much such
same own our your their his her my we you they he she i me him them us called known name named
give state define describe explain list mention term word meaning mean means stand stands refer refers
used use using usually typically commonly generally main mainly primary purpose role function example
e g eg ie i.e etc vs versus kind type sort way ways thing things part parts
der die das den dem des ein eine einer eines einem einen und oder ist sind war waren wird werden wurde
was wer wie wo wann warum welche welcher welches heißt heisst nennt man von vom zu zum zur im in mit
für auf aus bei als
le la les l un une des du de d et ou est sont était quel quelle quels quelles que qu qui quoi comment
où quand pourquoi signifie veut dire sigle au aux en dans pour par sur avec ce cette ces
el los las lo una unos unas y o es son era fue qué que cuál cual cuáles quién como cómo dónde cuándo
por para con del al se su sus
""".split())


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.translate(_SUPERSCRIPTS))
    return text.translate(_MINUS)


@lru_cache(maxsize=1 << 16)
def numbers(text: str, *, words: bool = True) -> frozenset[str]:
    """Numbers in ``text`` as normalised strings: "299 792 458" -> "299792458", "+1" -> "1", "−1" -> "-1",
    "3.00" -> "3", "10⁻¹⁹" -> "10", "19"; digits inside words count ("1NF" -> "1", "IPv6" -> "6"),
    "2nd" -> "2". With ``words``, ordinals and small number words ("second", "zwei") and Roman numerals
    II..XII count too."""
    text = _fold(text)
    text = _THOUSANDS.sub(lambda m: m.group(1) + re.sub(r"\D", "", m.group(2)), text)
    text = _ORDINAL_SUFFIX.sub(lambda m: m.group(1), text)
    found: set[str] = set()
    sign = ""
    for match in _NUM_TOKEN.finditer(text):
        token = match.group(0)
        if token in "+-":
            sign = "-" if token == "-" else ""
            continue
        start = match.start()
        attached = start > 0 and text[start - 1] in "+-"
        whole, _, fraction = token.partition(".")
        value = token if fraction.strip("0") else whole  # 3.00 == 3; 1.10 stays a version
        found.add((sign if attached else "") + value)
        sign = ""
    if words:
        for word in _WORD.findall(text):
            number = _WORD_NUMBERS.get(word.lower())
            if number is not None:
                found.add(str(number))
        for roman in _ROMAN.findall(text):
            found.add(str(_ROMAN_VALUES[roman]))
    return frozenset(found)


def _same_number(x: str, y: str) -> bool:
    """Equal, or one is the other rounded (9.8 and 9.81; 3.14 and 3.14159)."""
    if x == y:
        return True
    if x.startswith("-") != y.startswith("-"):
        return False
    short, long_ = sorted((x.lstrip("-"), y.lstrip("-")), key=len)
    if "." not in long_ or short.partition(".")[0] != long_.partition(".")[0]:
        return False
    places = len(short.partition(".")[2])
    try:
        return round(float(long_), places) == float(short)
    except ValueError:
        return False


def number_conflict(a: str, b: str, *, words: bool = True) -> tuple[str, str] | None:
    """The numbers each text has and the other lacks (roundings match), when both texts have such a
    number; else None. Without ``words`` only numbers written with digits can conflict (number words
    still match them): in prose "first" or "second" is seldom the fact."""
    all_a, all_b = numbers(a), numbers(b)
    na, nb = (all_a, all_b) if words else (numbers(a, words=False), numbers(b, words=False))
    only_a = {x for x in na if not any(_same_number(x, y) for y in all_b)}
    only_b = {y for y in nb if not any(_same_number(y, x) for x in all_a)}
    if only_a and only_b:
        return ", ".join(sorted(only_a)), ", ".join(sorted(only_b))
    return None


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


# -- word swaps ------------------------------------------------------------------------------------------

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


@lru_cache(maxsize=1 << 16)
def tokens(text: str) -> "Tokens":
    """Words of ``text`` as (stem, is_content). Content = not a function word; an all-capitals token
    ("A" in ACID, "DNA") is always content. Ordinals and number words become digits ("second" -> "2")."""
    text = _ORDINAL_SUFFIX.sub(lambda m: m.group(1), _fold(text))
    out = []
    for raw in _WORD.findall(text):
        number = _WORD_NUMBERS.get(raw.lower())
        stem = str(number) if number is not None else _stem(raw)
        content = raw.isupper() or (stem not in STOPWORDS and raw.lower() not in STOPWORDS)
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
    word of 5+ letters."""
    if a == b:
        return True
    if _abbreviates(a, b) or _abbreviates(b, a):
        return True
    if a.startswith(b) or b.startswith(a):  # inflections: form/forms, bargain/bargaining
        shorter, diff = min(len(a), len(b)), abs(len(a) - len(b))
        if (shorter >= 4 and diff <= 2) or (shorter >= 5 and diff <= 3):
            return True
    return min(len(a), len(b)) >= 5 and _damerau_one(a, b)


def _acronym_of(words: list[str], other: list[str]) -> bool:
    """Whether the initials of ``words`` spell a word of ``other`` or the reverse ("TLB" and "translation
    lookaside buffer")."""
    initials = "".join(w[0] for w in words if w)
    back = "".join(w[0] for w in other if w)
    return (len(words) > 1 and initials in other) or (len(other) > 1 and back in words)


_DIRECTION = {"to", "into", "from", "->", "→", "nach", "vers", "en", "a", "zu", "in"}


Tokens = tuple[tuple[str, bool], ...]


def _reversed_direction(ta: Tokens, tb: Tokens) -> list[tuple[str, str]]:
    """"Celsius to Fahrenheit" vs "Fahrenheit to Celsius": the same content words around a direction word,
    in the other order."""
    ca = [w for w, c in ta if c]
    cb = [w for w, c in tb if c]
    if sorted(ca) != sorted(cb) or ca == cb:
        return []
    for words, other in ((ta, cb), (tb, ca)):
        plain = [w for w, _ in words]
        for k in range(1, len(plain) - 1):
            left, right = plain[k - 1], plain[k + 1]
            if plain[k] in _DIRECTION and left != right and left in other and right in other \
                    and other.index(right) < other.index(left):
                return [(f"{left} {plain[k]} {right}", f"{right} {plain[k]} {left}")]
    return []


_PARENTHETICAL = re.compile(r"\([^()]*\)")
_ARROW = re.compile(r"-+>|=+>|[→⇒⟶⟹]")


def without_asides(text: str) -> str:
    """``text`` without its parenthesised asides ("Axillary nerve (C5–C6): muscles?" -> "Axillary nerve :
    muscles?")."""
    return _PARENTHETICAL.sub(" ", text)


def substitutions(a: str, b: str, *, tight: float = 0.8, drop_asides: bool = False) -> list[tuple[str, str]]:
    """Content words swapped between two otherwise identical texts: [(words of a, words of b), ...].

    With ``drop_asides``, parenthesised asides ("(ML)", "(relational DB)") are left out. The words are
    aligned; the texts are a *minimal pair* when at least half of all their words align and, outside the
    replaced spans, at least ``tight`` of them do (so a reworded or reordered question is not one). In a
    minimal pair, a replaced span is a swap when each side holds a content word the other side lacks, up
    to typos, inflections, abbreviations, compounds ("tradeoff" / "trade-off") and acronyms ("TLB" /
    "translation lookaside buffer"): "What is a felony?" vs "What is a misdemeanor?" swaps
    felony/misdemeanor. The same content words in the opposite order around a direction word ("Celsius to
    Fahrenheit", "Deutsch -> Spanisch": an arrow reads as "to") count too.
    """
    if drop_asides:
        a, b = _PARENTHETICAL.sub(" ", a), _PARENTHETICAL.sub(" ", b)
    a, b = _ARROW.sub(" to ", a), _ARROW.sub(" to ", b)  # "Deutsch -> Spanisch": a direction word
    ta, tb = tokens(a), tokens(b)
    ca = {w for w, c in ta if c}
    cb = {w for w, c in tb if c}
    if not ca or not cb:
        return []
    swaps = _reversed_direction(ta, tb)
    words_a, words_b = [w for w, _ in ta], [w for w, _ in tb]
    opcodes = SequenceMatcher(a=words_a, b=words_b, autojunk=False).get_opcodes()
    equal = sum(i2 - i1 for op, i1, i2, _, _ in opcodes if op == "equal")
    replaced = sum((i2 - i1) + (j2 - j1) for op, i1, i2, j1, j2 in opcodes if op == "replace")
    rest = len(words_a) + len(words_b) - replaced
    if not equal or 2 * equal / rest < tight or 2 * equal / (len(words_a) + len(words_b)) < 0.5:
        return swaps
    for op, i1, i2, j1, j2 in opcodes:
        if op != "replace" or "".join(words_a[i1:i2]) == "".join(words_b[j1:j2]):
            continue
        span_a = [w for w, c in ta[i1:i2] if c]
        span_b = [w for w, c in tb[j1:j2] if c]
        left = [w for w in span_a if not any(_same_word(w, v) for v in span_b)]
        right = [w for w in span_b if not any(_same_word(w, v) for v in span_a)]
        if left and right and not _acronym_of(span_a, span_b):
            swaps.append((" ".join(left), " ".join(right)))
    return swaps


def affix_contrast(left: str, right: str) -> bool:
    """Whether a swap exchanges words of one root with another affix: exothermic/endothermic,
    hypoglycemia/hyperglycemia, internal/external, appellant/appellee: a shared start or end of 5+ letters
    and half the shorter word. Such swaps change the meaning while keeping the words alike (inflections
    are not swaps), so they are never synonyms."""
    for x in left.split():
        for y in right.split():
            if _same_word(x, y):
                continue
            need = max(5, (min(len(x), len(y)) + 1) // 2)
            prefix = len(os.path.commonprefix([x, y]))
            suffix = len(os.path.commonprefix([x[::-1], y[::-1]]))
            if max(prefix, suffix) >= need:
                return True
    return False


@lru_cache(maxsize=1 << 12)
def _initialisms(words: tuple[str, ...]) -> frozenset[str]:
    """Initials of every run of 2-4 consecutive words: "beats per minute" -> "bpm" (and "bp", "pm")."""
    return frozenset("".join(w[0] for w in words[i:i + n]) for n in (2, 3, 4) for i in range(len(words) - n + 1))


def answer_overlap(question_a: str, answer_a: str, question_b: str,
                   answer_b: str) -> tuple[float, float] | None:
    """How much two answers say the same, lexically: (containment, coverage) in [0, 1].

    Words that merely repeat the card's own question are left out first ("pH 7 (neutral)" answering
    "pH of neutral water?" is just "7"). *containment*: the share of the shorter answer's content words
    (numbers included) found in the other answer (up to typos, inflections and initialisms: "bpm" =
    "beats per minute"); *coverage*: the same count over the longer answer's words, so a one-word answer
    found inside a long explanation is contained but covers little. None when either answer is empty.
    """
    def core(question: str, answer: str) -> tuple[set[str], tuple[str, ...]]:
        echo = {w for w, _ in tokens(question)}
        words = tokens(answer)
        content = {w for w, c in words if c}
        return (content - echo) or content, tuple(w for w, _ in words)

    (ka, wa), (kb, wb) = core(question_a, answer_a), core(question_b, answer_b)
    if not ka or not kb:
        return None
    (small, _), (large, large_words) = sorted([(ka, wa), (kb, wb)], key=lambda kw: len(kw[0]))
    initials = _initialisms(large_words)
    hits = sum(1 for w in small if w in initials or any(_same_word(w, v) for v in large))
    return hits / len(small), min(1.0, hits / len(large))


# -- numbers by meaning ----------------------------------------------------------------------------------
_DOTTED_QUAD = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_CIDR = re.compile(r"(?<![\w.])/(\d{1,2})(?!\d)")
_FRACTION = re.compile(r"(?<![\w./])(\d{1,4})\s*/\s*(\d{1,4})(?![\w./])")
_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*%")
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])(\d+),(\d{1,2})(?![\d,])")


def _canonical(value: float) -> str:
    return f"{value:.4g}"


def _mask_prefix(parts: list[int]) -> int | None:
    """The prefix length of a netmask written as four octets (255.255.255.0 -> 24), else None."""
    if any(p > 255 for p in parts) or parts[0] != 255:
        return None
    bits = "".join(f"{p:08b}" for p in parts)
    ones = bits.find("0") if "0" in bits else 32
    return ones if "1" not in bits[ones:] else None


@lru_cache(maxsize=1 << 16)
def quantities(text: str) -> frozenset[str]:
    """The numbers of ``text`` by value, so that the same quantity written differently matches: a netmask
    and its prefix (``255.255.255.0`` = ``/24``), a fraction, a decimal, a percentage (``1/2`` = ``0.5``
    = ``50%``), a decimal comma (``0,5``), thousands separators; versions such as ``1.3`` keep their text.
    Values are canonical strings (4 significant digits); a netmask is ``"/24"``."""
    text = _fold(text)
    found: set[str] = set()

    def quad(match: re.Match[str]) -> str:
        parts = [int(g) for g in match.groups()]
        prefix = _mask_prefix(parts)
        found.add(f"/{prefix}" if prefix is not None else ".".join(map(str, parts)))
        return " "

    text = _DOTTED_QUAD.sub(quad, text)
    text = _CIDR.sub(lambda m: found.add(f"/{int(m.group(1))}") or " ", text)

    def fraction(match: re.Match[str]) -> str:
        a, b = int(match.group(1)), int(match.group(2))
        if b:
            found.add(_canonical(a / b))
        return " "

    text = _FRACTION.sub(fraction, text)
    text = _PERCENT.sub(lambda m: found.add(_canonical(float(m.group(1)) / 100)) or " ", text)
    text = _DECIMAL_COMMA.sub(lambda m: f"{m.group(1)}.{m.group(2)}", text)
    for value in numbers(text, words=False):
        try:
            number = float(value)
        except ValueError:
            continue
        found.add(value if value.count(".") > 1 else _canonical(number))
    return frozenset(found)


def _close(x: str, y: str) -> bool:
    if x == y:
        return True
    try:
        a, b = float(x), float(y)
    except ValueError:
        return False
    return a == b or (a * b > 0 and abs(a - b) <= 0.006 * max(abs(a), abs(b)))


def quantity_conflict(a: str, b: str) -> tuple[int, int]:
    """(quantities of ``a`` matching none of ``b``, quantities of ``b`` matching none of ``a``), by value
    (:func:`quantities`; 9.8 and 9.81 match)."""
    qa, qb = quantities(a), quantities(b)
    return (sum(1 for x in qa if not any(_close(x, y) for y in qb)),
            sum(1 for y in qb if not any(_close(y, x) for x in qa)))
