"""The plain text of a card, as the semantic layer sees it.

What a card's text for embedding is (version :data:`TEXT_VERSION`):

* each field's Markdown source is reduced to plain text:

  - HTML comments (``<!--ID: ...-->``) and trailing ``ID: n`` lines are dropped, so a card's identity never
    changes its text;
  - embeds (``![[image.png|300]]``, ``![alt](path.png)``, ``[sound:clip.mp3]``, ``<img>``) are dropped;
  - wiki links keep what Obsidian shows: ``[[Note|alias]]`` -> ``alias``, ``[[Note#Heading]]`` ->
    ``Note Heading``; Markdown links keep their text, bare URLs are dropped;
  - cloze markup is unwrapped to its answer: ``{{c1::answer::hint}}``, ``{c2|answer}``, ``{2:answer}`` and
    ``{answer}`` all become ``answer``;
  - Markdown markup (emphasis, highlights, headings, list bullets, quotes, table pipes and rules, code
    fences, footnote references) and HTML tags are removed and entities decoded; the words inside (code and math included)
    are kept; ``#tags`` are dropped;
  - in math, ``$`` delimiters and layout commands (``\\frac``, ``\\text``, ``\\left``...) are dropped, common
    symbols become characters (``\\times`` -> ``×``) and other commands lose their backslash
    (``$\\log n$`` -> ``log n``);
  - whitespace is collapsed to single spaces;

* the card text is the plain text of its non-empty fields, joined with ``" | "``;
* for the duplicate finder a card also has a *question* and an *answer*: the first field and the other
  fields (joined with ``" | "``); for a cloze card, the text with each cloze replaced by ``[...]`` and the
  cloze answers followed by the other fields.

Any change to these rules must bump :data:`TEXT_VERSION`: cached vectors are keyed by it.
"""
from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from notes2anki.model import Card

TEXT_VERSION = 1
FIELD_SEPARATOR = " | "

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ID_LINE = re.compile(r"^\s*ID:\s*\d+\s*$", re.M)
_FENCE = re.compile(r"^\s*(```|~~~).*$", re.M)
_EMBED_WIKI = re.compile(r"!\[\[[^\]\n]*\]\]")
_EMBED_MD = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_SOUND = re.compile(r"\[sound:[^\]\n]*\]")
_IMG_TAG = re.compile(r"<(img|audio|video|source)\b[^>]*>", re.I)
_WIKI = re.compile(r"\[\[([^\]|\n]*)(?:\|([^\]\n]*))?\]\]")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\n]*)\)")
_URL = re.compile(r"<?\bhttps?://[^\s>)]+>?")
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(?:(?!\}\}).)*)?\}\}", re.S)
_CURLY_CLOZE = re.compile(r"(?<![\\\w^_}])\{(?:c?\d+[|:])?([^{}\n]*)\}")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\n]*\](?!:)")
_FOOTNOTE_DEF = re.compile(r"^\s*\[\^[^\]\n]*\]:\s*", re.M)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_QUOTE = re.compile(r"^\s*(>\s?)+", re.M)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?", re.M)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M)
_TABLE_ROW = re.compile(r"^[ \t]*\|.*$", re.M)
_HRULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$", re.M)
_TAG = re.compile(r"(?<![\w&#/])#[^\s#,.;:!?()\[\]{}\"']*[^\W\d_][^\s#,.;:!?()\[\]{}\"']*")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_BR = re.compile(r"<br\s*/?>", re.I)
_EMPHASIS = [
    re.compile(r"==(?=\S)(.+?)(?<=\S)=="),
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"__(?=\S)(.+?)(?<=\S)__"),
    re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"),
    re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"),
]
_INLINE_CODE = re.compile(r"`+([^`]*)`+")
_SPACE = re.compile(r"\s+")
_LATEX_LAYOUT = re.compile(
    r"\\(?:text|textrm|textbf|textit|mathrm|mathbf|mathit|mathcal|mathbb|operatorname|frac|dfrac|tfrac|"
    r"left|right|displaystyle|quad|qquad|limits|big|Big|bigg|Bigg)(?![A-Za-z])")
_LATEX_SYMBOLS = {
    "times": "×", "cdot": "·", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "neq": "≠", "ne": "≠", "approx": "≈", "infty": "∞", "to": "→", "rightarrow": "→", "Rightarrow": "⇒",
    "leftarrow": "←", "cap": "∩", "cup": "∪", "mid": "|", "sqrt": "√", "ldots": "…", "cdots": "…",
    "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "in": "∈", "forall": "∀",
    "exists": "∃", "neg": "¬", "land": "∧", "lor": "∨", "degree": "°", "circ": "°",
}
_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma "
          "tau upsilon phi chi psi omega").split()
_LATEX_SYMBOLS.update({name: chr(0x3B1 + i + (i >= 17)) for i, name in enumerate(_GREEK)})  # \pi -> π
_LATEX_SYMBOLS.update({name.capitalize(): chr(0x391 + i + (i >= 17)) for i, name in enumerate(_GREEK)})
_LATEX_SYMBOLS.update({"varepsilon": "ε", "vartheta": "θ", "varphi": "φ", "varpi": "π", "varrho": "ρ",
                       "varsigma": "ς"})
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)")
_LATEX_SPACE = re.compile(r"\\[,;:! ]")
_SCRIPT_GROUP = re.compile(r"([\^_])\{([^{}]*)\}")
_MATH_DOLLARS = re.compile(r"\${1,2}")
_CLOZE_OPEN = re.compile(r"\{\{c\d+::")
_CURLY_MASK = re.compile(r"(?<![\\\w^_}])\{(?:c?\d+[|:])?([^{}\n]*)\}")


def _wiki(match: re.Match[str]) -> str:
    target, alias = match.group(1), match.group(2)
    if alias is not None and alias.strip():
        return alias
    note, _, heading = target.partition("#")
    if heading.startswith("^"):  # block reference: only the note name is readable
        heading = ""
    return " ".join(part for part in (note.strip(), heading.replace("#", " ").strip()) if part)


def _md_link(match: re.Match[str]) -> str:
    return match.group(1)


def _unwrap_clozes(text: str) -> str:
    previous = None
    while previous != text:  # nested clozes unwrap from the inside out
        previous = text
        text = _CLOZE.sub(lambda m: m.group(1), text)
    return text


def plain_text(markdown: str) -> str:
    """The plain text of one field's Markdown (see the module docstring for the rules)."""
    if not markdown:
        return ""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    text = _COMMENT.sub(" ", text)
    text = _ID_LINE.sub(" ", text)
    text = _FENCE.sub(" ", text)
    text = _BR.sub("\n", text)
    text = _EMBED_WIKI.sub(" ", text)
    text = _EMBED_MD.sub(" ", text)
    text = _SOUND.sub(" ", text)
    text = _IMG_TAG.sub(" ", text)
    text = _WIKI.sub(_wiki, text)
    text = _MD_LINK.sub(_md_link, text)
    text = _URL.sub(" ", text)
    text = _unwrap_clozes(text)
    text = _CURLY_CLOZE.sub(lambda m: m.group(1), text)
    text = _FOOTNOTE_DEF.sub("", text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _TABLE_RULE.sub(" ", text)
    text = _HRULE.sub(" ", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("", text)
    text = _TAG.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = _INLINE_CODE.sub(lambda m: m.group(1), text)
    for pattern in _EMPHASIS:
        text = pattern.sub(lambda m: m.group(1), text)
    text = _LATEX_LAYOUT.sub(" ", text)
    text = _LATEX_SPACE.sub(" ", text)
    text = _LATEX_COMMAND.sub(lambda m: _LATEX_SYMBOLS.get(m.group(1), m.group(1)), text)
    text = _MATH_DOLLARS.sub(" ", text)
    text = _SCRIPT_GROUP.sub(r"\1\2", text)
    text = text.replace("{", " ").replace("}", " ")
    text = _TABLE_ROW.sub(lambda m: m.group(0).replace("|", " "), text)
    text = html.unescape(text)
    return _SPACE.sub(" ", text).strip()


def _field_values(card: "Card") -> list[str]:
    return list(card.fields.values())


def is_cloze(card: "Card") -> bool:
    """Whether to read the card as a cloze: a cloze note type by the package's one rule
    (:func:`notes2anki.model.is_cloze`), or a first field holding ``{{c1::...}}`` markup."""
    from ..model import is_cloze as cloze_note_type

    values = _field_values(card)
    return cloze_note_type(card.note_type) or bool(values and _CLOZE_OPEN.search(values[0]))


def question_text(card: "Card") -> str:
    """Plain text of the card's first field (clozes unwrapped)."""
    values = _field_values(card)
    return plain_text(values[0]) if values else ""


def answer_text(card: "Card") -> str:
    """Plain text of the card's other fields (non-empty ones, in order), joined with ``" | "``."""
    return join_text(*(plain_text(value) for value in _field_values(card)[1:]))


def card_text(card: "Card") -> str:
    """Plain text of all the card's fields: the text that is embedded for the card as a whole."""
    return join_text(question_text(card), answer_text(card))


def join_text(*parts: str) -> str:
    """Non-empty ``parts`` joined with ``" | "``."""
    return FIELD_SEPARATOR.join(part for part in parts if part)


def question_and_answer(card: "Card") -> tuple[str, str]:
    """What the card asks and what it answers (plain text), for comparing two cards.

    A basic card: (first field, other fields). A cloze card: (the text with each cloze shown as ``[...]``,
    the cloze answers followed by the other fields).
    """
    if not is_cloze(card):
        return question_text(card), answer_text(card)
    values = _field_values(card)
    source = values[0] if values else ""
    answers: list[str] = []

    def blank(match: re.Match[str]) -> str:
        answers.append(plain_text(match.group(1)))
        return " [...] "

    masked = _CLOZE.sub(blank, source)
    if not answers and "cloze" in card.note_type.lower():  # curly clozes: {answer}, {2:answer}, {c2|answer}
        masked = _CURLY_MASK.sub(blank, source)
    return plain_text(masked), join_text(*answers, answer_text(card))
