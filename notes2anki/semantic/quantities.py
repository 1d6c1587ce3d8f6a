"""Numbers in card text, compared by value.

* :func:`numbers` — numbers, versions, signs, ordinals ("second" = "2nd" = 2), Roman numerals, as strings:
  two texts *conflict* (:func:`number_conflict`) when each holds a number the other lacks (1.3 vs 1.2; +1 vs
  -1; 22 vs 23; but 9.8 and 9.81 match);
* :func:`quantities` — the same quantity however it is written: a netmask and its prefix
  (``255.255.255.0`` = ``/24``), fractions, decimals and percentages (``1/2`` = ``0.5`` = ``50 %``, ``-1/2`` =
  ``−0.5``), a decimal comma, thousands separators, degrees and minutes (``109°28′`` = ``109.47°``), and with
  ``words`` number words ("twelve" = 12); :func:`quantity_conflict` counts what each text holds that the
  other lacks.

Pure and cheap; used by the duplicate judge's features (:mod:`notes2anki.semantic.pair_features`).
"""
from __future__ import annotations

import re
import unicodedata
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


def fold(text: str) -> str:
    """NFKC, superscript digits and signs to plain ones, typographic minus signs to "-"."""
    text = unicodedata.normalize("NFKC", text.translate(_SUPERSCRIPTS))
    return text.translate(_MINUS)


@lru_cache(maxsize=1 << 16)
def numbers(text: str, *, words: bool = True) -> frozenset[str]:
    """Numbers in ``text`` as normalised strings: "299 792 458" -> "299792458", "+1" -> "1", "−1" -> "-1",
    "3.00" -> "3", "10⁻¹⁹" -> "10", "19"; digits inside words count ("1NF" -> "1", "IPv6" -> "6"),
    "2nd" -> "2". With ``words``, ordinals and small number words ("second", "zwei") and Roman numerals
    II..XII count too."""
    text = fold(text)
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



# -- numbers by meaning ----------------------------------------------------------------------------------
_DOTTED_QUAD = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_CIDR = re.compile(r"(?<![\w.])/(\d{1,2})(?!\d)")
_FRACTION = re.compile(r"(?<![\w./])(-?)(\d{1,4})\s*/\s*(\d{1,4})(?![\w./])")
_DEGREES = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*°\s*(?:(\d+(?:\.\d+)?)\s*['′])?")
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
def quantities(text: str, *, words: bool = False) -> frozenset[str]:
    """The numbers of ``text`` by value, so that the same quantity written differently matches: a netmask
    and its prefix (``255.255.255.0`` = ``/24``), a fraction, a decimal, a percentage (``1/2`` = ``0.5``
    = ``50%``), a decimal comma (``0,5``), thousands separators; versions such as ``1.3`` keep their text.
    Degrees and minutes become degrees (``109°28′`` = 109.5 rounded to 4 digits: 109.5). With ``words``,
    number words and ordinals count too ("twelve" = 12: for answers, where the number is the fact).
    Values are canonical strings (4 significant digits); a netmask is ``"/24"``."""
    text = fold(text)
    found: set[str] = set()

    def quad(match: re.Match[str]) -> str:
        parts = [int(g) for g in match.groups()]
        prefix = _mask_prefix(parts)
        found.add(f"/{prefix}" if prefix is not None else ".".join(map(str, parts)))
        return " "

    text = _DOTTED_QUAD.sub(quad, text)
    text = _CIDR.sub(lambda m: found.add(f"/{int(m.group(1))}") or " ", text)

    def fraction(match: re.Match[str]) -> str:
        a, b = int(match.group(2)), int(match.group(3))
        if b:
            found.add(_canonical(-a / b if match.group(1) else a / b))
        return " "

    def degrees(match: re.Match[str]) -> str:
        found.add(_canonical(float(match.group(1)) + float(match.group(2) or 0) / 60))
        return " "

    text = _DEGREES.sub(degrees, text)

    text = _FRACTION.sub(fraction, text)
    text = _PERCENT.sub(lambda m: found.add(_canonical(float(m.group(1)) / 100)) or " ", text)
    text = _DECIMAL_COMMA.sub(lambda m: f"{m.group(1)}.{m.group(2)}", text)
    for value in numbers(text, words=words):
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


def quantity_conflict(a: str, b: str, *, words: bool = False) -> tuple[int, int]:
    """(quantities of ``a`` matching none of ``b``, quantities of ``b`` matching none of ``a``), by value
    (:func:`quantities`, with number ``words`` or not; 9.8 and 9.81 match)."""
    qa, qb = quantities(a, words=words), quantities(b, words=words)
    return (sum(1 for x in qa if not any(_close(x, y) for y in qb)),
            sum(1 for y in qb if not any(_close(y, x) for x in qa)))
