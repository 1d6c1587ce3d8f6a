"""Plain text of a field's Markdown, read from the markdown-it token stream (issue 15).

The semantic layer embeds what a card says, not its markup. Instead of stripping Markdown with a
chain of regexes, this walks the tokens the renderer's own parser produces (``markdown._parser``), so
the text and the card agree on what is a link, code, math or emphasis:

- text, code (inline and fenced) and table cells keep their words; headings, list bullets, quotes,
  table rules, emphasis and highlight markers disappear with their tokens;
- ``[[Note|alias]]`` → ``alias``; ``[[Note#Heading]]`` → ``Note Heading`` (block references ``#^id``
  keep the note name only); ``[text](url)`` → ``text``; bare URLs and autolinks are dropped;
- embeds (``![[x.png]]``, ``![[Note]]``, ``![](x.png)``), ``[sound:…]``, raw HTML tags and comments
  (``<!--ID: n-->``), trailing ``ID: n`` lines, footnote references, ``#tags`` and ``%%comments%%``
  are dropped;
- clozes ``{{c1::answer::hint}}``, ``{c2|answer}``, ``{2:answer}``, ``{answer}`` become ``answer``, or
  ``[...]`` with ``cloze="mask"``;
- math loses ``$`` and layout commands (``\\frac``, ``\\text``, ``\\left``…), common symbols become
  characters (``\\times`` → ``×``, ``\\pi`` → ``π``), other commands lose their backslash;
- whitespace collapses to single spaces.

Every pattern here is linear (no nested quantifiers over overlapping classes).
"""
from __future__ import annotations

import html
import re

from .inline_syntax import cloze_spans

_ID_LINE = re.compile(r"^[ \t]*ID:[ \t]*\d+[ \t]*$", re.M)
_SOUND = re.compile(r"\[sound:[^\]\n]*\]")
_URL = re.compile(r"\bhttps?://[^\s<>()]+")
_TAG = re.compile(r"(?<![\w&#/])#[^\W\d_][\w/-]*|(?<![\w&#/])#\d+[^\W\d][\w/-]*")
_CURLY = re.compile(r"\{(?:c?\d+[|:])?([^{}\n]*)\}")
_HTML_TAG = re.compile(r"<[^<>]*>")
_SPACE = re.compile(r"\s+")
_LATEX_LAYOUT = re.compile(
    r"\\(?:text|textrm|textbf|textit|mathrm|mathbf|mathit|mathcal|mathbb|operatorname|frac|dfrac|tfrac|"
    r"left|right|displaystyle|quad|qquad|limits|big|Big|bigg|Bigg)(?![A-Za-z])")
_LATEX_COMMAND = re.compile(r"\\([A-Za-z]+)")
_LATEX_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{[A-Za-z*]{1,40}\}")  # \begin{pmatrix}: layout, no words
_LATEX_SPACE = re.compile(r"\\[,;:! ]")
_SCRIPT_GROUP = re.compile(r"([\^_])\{([^{}]*)\}")
_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma "
          "tau upsilon phi chi psi omega").split()
LATEX_SYMBOLS = {
    "times": "×", "cdot": "·", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "neq": "≠", "ne": "≠", "approx": "≈", "infty": "∞", "to": "→", "rightarrow": "→", "Rightarrow": "⇒",
    "leftarrow": "←", "cap": "∩", "cup": "∪", "mid": "|", "sqrt": "√", "ldots": "…", "cdots": "…",
    "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "in": "∈", "forall": "∀",
    "exists": "∃", "neg": "¬", "land": "∧", "lor": "∨", "degree": "°", "circ": "°",
    "varepsilon": "ε", "vartheta": "θ", "varphi": "φ", "varpi": "π", "varrho": "ρ", "varsigma": "ς",
    **{name: chr(0x3B1 + i + (i >= 17)) for i, name in enumerate(_GREEK)},
    **{name.capitalize(): chr(0x391 + i + (i >= 17)) for i, name in enumerate(_GREEK)},
}
MASK = "[...]"


def plain_text(markdown_source: str, cloze: str = "answer") -> str:
    """The plain text of one field's Markdown (rules in the module docstring).

    ``cloze``: ``"answer"`` shows each cloze's answer, ``"mask"`` shows ``[...]`` instead.
    """
    from .markdown import _parser, strip_comments  # markdown-it-py: only when a text is read (not from a memo)

    if not markdown_source:
        return ""
    text = markdown_source.replace("\r\n", "\n").replace("\r", "\n")
    text = _ID_LINE.sub(" ", strip_comments(text))
    text = _native_clozes(text, cloze)
    parts: list[str] = []
    for token in _parser().parse(text, {"ctx": None}):
        if token.type == "inline":
            _inline(token.children or [], parts, cloze)
        elif token.type in ("fence", "code_block"):
            parts.append(" " + token.content + " ")
        elif token.type in ("math_block", "math_block_label"):
            parts.append(" " + math_text(token.content) + " ")
        elif token.type == "html_block":
            parts.append(" " + html.unescape(_HTML_TAG.sub(" ", token.content)) + " ")
        elif token.type.endswith("_close") or token.type in ("hr",):
            parts.append(" ")
    return _SPACE.sub(" ", "".join(parts)).strip()


def math_text(latex: str) -> str:
    """Readable text of a LaTeX formula: layout commands dropped, symbols as characters."""
    text = _LATEX_ENVIRONMENT.sub(" ", latex.replace("\\{", " ").replace("\\}", " "))
    text = _LATEX_LAYOUT.sub(" ", text)
    text = _LATEX_SPACE.sub(" ", text.replace("\\\\", " ").replace("&", " "))
    # A command is a word of its own: `f\rangle` is "f ⟩"-like "f rangle", not "frangle".
    text = _LATEX_COMMAND.sub(_command_word, text)
    text = _SCRIPT_GROUP.sub(r"\1\2", text)
    return text.replace("{", " ").replace("}", " ")


def _command_word(match: re.Match) -> str:
    """``\\name`` → its symbol, or its name spaced from a letter or digit it touches."""
    if match.group(1) in LATEX_SYMBOLS:
        return LATEX_SYMBOLS[match.group(1)]  # a symbol stays glued: `2\\pi` is "2π"
    word = match.group(1)
    text, start, end = match.string, match.start(), match.end()
    before = " " if start and text[start - 1].isalnum() else ""
    after = " " if end < len(text) and text[end].isalnum() else ""
    return before + word + after


def _inline(children: list, parts: list[str], cloze: str) -> None:
    skip = 0  # inside an autolink / bare-URL link: its text is the URL, dropped
    for tok in children:
        kind = tok.type
        if kind == "link_open":
            if tok.markup in ("autolink", "linkify"):
                skip += 1
            continue
        if kind == "link_close":
            skip = max(0, skip - 1) if tok.markup in ("autolink", "linkify") else skip
            continue
        if skip:
            continue
        if kind == "text":
            parts.append(_text(tok.content, cloze))
        elif kind == "code_inline":
            parts.append(tok.content)
        elif kind in ("math_inline", "math_inline_double"):
            parts.append(" " + math_text(tok.content) + " ")
        elif kind == "wikilink":
            parts.append(_wikilink(tok.content, tok.meta.get("embed", False)))
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "html_inline" and tok.content.lower().startswith("<br"):
            parts.append(" ")
        # image, html_inline, footnote_ref, emphasis/mark/strikethrough markers: no text


def _text(content: str, cloze: str) -> str:
    content = _SOUND.sub(" ", content)
    content = _URL.sub(" ", content)
    content = _TAG.sub(" ", content)
    content = _CURLY.sub(lambda m: MASK if cloze == "mask" else m.group(1), content)
    return content


def _wikilink(raw: str, embed: bool) -> str:
    if embed:
        return ""
    target, _, alias = raw.partition("|")
    if alias.strip():
        return alias.strip()
    note, _, heading = target.partition("#")
    if heading.startswith("^"):
        heading = ""
    return " ".join(p for p in (note.strip(), heading.replace("#", " ").strip()) if p)


def _native_clozes(text: str, cloze: str) -> str:
    """``{{cN::answer::hint}}`` → ``answer`` (or the mask), nested braces and math respected."""
    out, pos = [], 0
    for start, end in cloze_spans(text):
        out.append(text[pos:start])
        inner = text[text.index("::", start) + 2:end - 2]
        answer = _without_hint(inner)
        out.append(MASK if cloze == "mask" else _native_clozes(answer, cloze))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _without_hint(inner: str) -> str:
    depth = 0
    for i, ch in enumerate(inner):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == ":" and depth == 0 and inner.startswith("::", i):
            return inner[:i]
    return inner
