"""Markdown → Anki HTML with markdown-it-py: Obsidian's dialect (math, wiki links, embeds, highlights).

Parsing and rendering stay apart: the parser is markdown-it-py with a few small inline rules added
(wiki links and embeds, ``==highlight==``, CJK-friendly emphasis) and core rules for Obsidian's callouts and
block IDs (``obsidian_blocks.py``); rendering rules turn math into
MathJax delimiters, embeds into media references with their final media names (``embeds.py``), and
fenced code into Pygments-highlighted HTML (its CSS ships inside the note types, so nothing is loaded
from the internet at review time). The HTML never carries placeholders.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .cjk_emphasis import use_cjk_friendly
from .embeds import embed_paragraphs, render_image, render_wikilink, wikilink_rule
from .math_rules import fix_dollar_math
from .links import LinkResolver
from .obsidian_blocks import block_ids, callouts


@dataclass
class RenderContext:
    """What the renderer needs to know about the note, and what it collects while rendering."""

    note_path: str
    resolver: LinkResolver
    vault_name: str = ""
    wikilinks: str = "obsidian"  # obsidian | text
    media: set[str] = field(default_factory=set)  # vault paths of embedded files
    # embeds that resolve to no file: (name, "" in the card itself, else "note.md:LINE" of the embedded note)
    missing: list[tuple[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # wiki-link targets
    warnings: list[str] = field(default_factory=list)  # other problems (refused media, note embeds)
    # names several files share: ((note the name is written in, name lowercased), the warning)
    ambiguous: list[tuple[tuple[str, str], str]] = field(default_factory=list)
    depth: int = 0  # how many note embeds deep this rendering is
    visiting: tuple[str, ...] = ()  # notes being embedded around this rendering (cycle detection)
    budget: dict[str, int] = field(default_factory=dict)  # counters shared with nested renderings


def render(markdown: str, ctx: RenderContext) -> str:
    """One field's Markdown as Anki HTML. A field that is a single paragraph loses its <p>.

    Obsidian comments ``%%…%%`` are dropped. Embedded files are added to ``ctx.media`` (vault paths);
    problems go to ``ctx.missing`` / ``ctx.warnings``.
    """
    text = strip_comments(markdown)
    if not text.strip():
        return ""
    out = _parser().render(text, {"ctx": ctx}).strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1 and "</p>" not in out[:-4]:
        out = out[3:-4]
    return out


def render_nested(markdown: str, ctx: RenderContext, note_path: str, key: str) -> str:
    """Render an embedded note's Markdown inside ``ctx`` (sharing what it collects), one level deeper;
    ``key`` (``path#section``) joins ``ctx.visiting`` so a cycle is seen."""
    inner = RenderContext(note_path=note_path, resolver=ctx.resolver, vault_name=ctx.vault_name,
                          wikilinks=ctx.wikilinks, media=ctx.media, missing=ctx.missing, links=ctx.links,
                          warnings=ctx.warnings, ambiguous=ctx.ambiguous, depth=ctx.depth + 1, budget=ctx.budget,
                          visiting=ctx.visiting + (key,))
    return render(markdown, inner)


def strip_comments(text: str) -> str:
    """``text`` without Obsidian ``%%comments%%`` (paired left to right; an unpaired ``%%`` stays).
    Linear: a split, not a lazy regex that rescans the rest of the text for each ``%%``."""
    parts = text.split("%%")
    if len(parts) < 3:
        return text
    if len(parts) % 2 == 0:  # an odd number of markers: the last one is unpaired
        parts[-2:] = [parts[-2] + "%%" + parts[-1]]
    return "".join(parts[0::2])


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"breaks": True, "html": True, "highlight": highlight_code})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    fix_dollar_math(md, allow_space=False, double_inline=True)  # two faults of the plugin's rules: math_rules.py
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    use_cjk_friendly(md)
    md.inline.ruler.before("link", "wikilink", wikilink_rule)
    md.inline.ruler.before("emphasis", "mark", _mark_rule)
    md.core.ruler.push("embed_paragraphs", embed_paragraphs)
    md.core.ruler.after("block", "callouts", callouts)
    md.core.ruler.after("text_join", "block_ids", block_ids)
    md.add_render_rule("math_inline", lambda self, t, i, o, e: f"\\({_math(t[i].content)}\\)")
    md.add_render_rule("math_inline_double", lambda self, t, i, o, e: f"\\[{_math(t[i].content)}\\]")
    md.add_render_rule("math_block", lambda self, t, i, o, e: f"\\[{_math(t[i].content)}\\]\n")
    md.add_render_rule("math_block_label", lambda self, t, i, o, e: f"\\[{_math(t[i].content)}\\]\n")
    md.add_render_rule("wikilink", render_wikilink)
    md.add_render_rule("image", render_image)
    return md


def _math(content: str) -> str:
    """Math for MathJax inside an Anki field, HTML-escaped, where ``}}`` never ends a cloze by accident.

    Anki supports clozes inside MathJax (``\\(1+{{c1::1}}=2\\)``), so the ``}}`` that closes a cloze
    opened inside the math stays; every other pair of closing braces is written ``} }`` (MathJax ignores
    the space), so math inside a cloze (``{{c1::$\\frac{1}{x^{2}}$}}``) never closes it early.
    """
    text = html.escape(content.strip(), quote=False)
    if "}}" not in text:
        return text
    out: list[str] = []
    stack: list[str] = []  # "{" for a brace, "c" for an open cloze
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        if ch == "{" and text.startswith("{{c", i):
            j = i + 3
            while j < n and "0" <= text[j] <= "9":
                j += 1
            if j > i + 3 and text.startswith("::", j):
                stack.append("c")
                out.append(text[i:j + 2])
                i = j + 2
                continue
        if ch == "{":
            stack.append("{")
        elif ch == "}":
            if stack and stack[-1] == "c" and text.startswith("}}", i):
                stack.pop()
                out.append(" }}" if out and out[-1].endswith("}") else "}}")
                i += 2
                continue
            if stack and stack[-1] == "{":
                stack.pop()
            if out and out[-1].endswith("}"):
                out.append(" ")
        out.append(ch)
        i += 1
    return "".join(out)


def highlight_code(code: str, lang: str, _attrs: str) -> str:
    """Fenced code → Pygments HTML with CSS classes (the CSS is in the note types); '' = plain."""
    if not lang:
        return ""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(lang.split()[0])
    except ClassNotFound:
        return ""
    body = highlight(code, lexer, HtmlFormatter(nowrap=True))
    return f'<pre class="highlight"><code class="language-{html.escape(lang.split()[0])}">{body}</code></pre>'


def _mark_rule(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if not src.startswith("==", start) or silent:
        return False
    end = src.find("==", start + 2)
    if end < 0 or end == start + 2 or src[start + 2].isspace() or src[end - 1].isspace():
        return False
    old_max = state.posMax
    state.push("mark_open", "mark", 1).markup = "=="
    state.pos, state.posMax = start + 2, end
    state.md.inline.tokenize(state)
    state.push("mark_close", "mark", -1).markup = "=="
    state.pos, state.posMax = end + 2, old_max
    return True


def obsidian_uri(vault_name: str, file: str, heading: str = "") -> str:
    """``obsidian://open?vault=…&file=…`` for a vault file (``.md`` dropped), optionally a heading."""
    file = file[:-3] if file.lower().endswith(".md") else file
    uri = f"obsidian://open?vault={quote(vault_name, safe='')}&file={quote(file, safe='')}"
    return uri + (quote("#" + heading, safe="") if heading else "")


def file_link(path: str, vault_name: str) -> str:
    """A link that opens the card's note in Obsidian."""
    return f'<a href="{html.escape(obsidian_uri(vault_name, path))}">{html.escape(path)}</a>'
