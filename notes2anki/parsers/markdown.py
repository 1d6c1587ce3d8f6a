"""Markdown → Anki HTML with markdown-it-py: Obsidian's dialect (math, wiki links, embeds, highlights).

Parsing and rendering stay apart: the parser is markdown-it-py with a few small inline rules added
(wiki links and embeds, ``==highlight==``); rendering rules turn math into MathJax delimiters, embeds
into media references, and fenced code into Pygments-highlighted HTML (its CSS ships inside the note
types, so nothing is loaded from the internet at review time).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .links import AUDIO_EXT, IMAGE_EXT, LinkResolver

MEDIA_OPEN, MEDIA_CLOSE = "\ue000", "\ue001"  # placeholder around a vault path, named at packaging
COMMENT = re.compile(r"%%.*?%%", re.S)


@dataclass
class RenderContext:
    """What the renderer needs to know about the note, and what it collects while rendering."""

    note_path: str
    resolver: LinkResolver
    vault_name: str = ""
    wikilinks: str = "obsidian"  # obsidian | text
    media: set[str] = field(default_factory=set)  # vault paths of embedded files
    missing: list[str] = field(default_factory=list)  # embeds that resolve to no file
    links: list[str] = field(default_factory=list)  # wiki-link targets


def render(markdown: str, ctx: RenderContext) -> str:
    """One field's Markdown as Anki HTML. A field that is a single paragraph loses its <p>."""
    text = COMMENT.sub("", markdown)
    if not text.strip():
        return ""
    out = _parser().render(text, {"ctx": ctx}).strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1 and "</p>" not in out[:-4]:
        out = out[3:-4]
    return out


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"breaks": True, "html": True, "highlight": highlight_code})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.inline.ruler.before("emphasis", "mark", _mark_rule)
    md.add_render_rule("math_inline", lambda self, t, i, o, e: f"\\({_math(t[i].content)}\\)")
    md.add_render_rule("math_inline_double", lambda self, t, i, o, e: f"\\[{_math(t[i].content)}\\]")
    md.add_render_rule("math_block", lambda self, t, i, o, e: f"\\[{_math(t[i].content)}\\]\n")
    md.add_render_rule("math_block_label", lambda self, t, i, o, e: f"\\[{_math(t[i].content)}\\]\n")
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("image", _render_image)
    return md


def _math(content: str) -> str:
    """Math for MathJax inside an Anki field: HTML-escaped, and ``}}`` split so it never ends a cloze."""
    text = html.escape(content.strip(), quote=False)
    while "}}" in text:
        text = text.replace("}}", "} }")
    return text


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


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not (embed or src.startswith("[[", pos)):
        return False
    start = pos + (3 if embed else 2)
    end = src.find("]]", start)
    if end < 0 or "\n" in src[start:end] or end == start:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = src[start:end]
        token.meta = {"embed": embed}
    state.pos = end + 2
    return True


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


def _render_wikilink(self, tokens, idx, options, env) -> str:
    ctx: RenderContext = env["ctx"]
    raw = tokens[idx].content
    target, _, alias = raw.partition("|")
    target = target.strip()
    if tokens[idx].meta.get("embed"):
        return _embed(target, alias.strip(), ctx)
    ctx.links.append(target.split("#", 1)[0])
    page, _, heading = target.partition("#")
    shown = alias.strip() or (f"{page} > {heading}" if page and heading else page or heading)
    if ctx.wikilinks == "text":
        return html.escape(shown)
    note = ctx.resolver.note(page, ctx.note_path) if page else ctx.note_path
    uri = obsidian_uri(ctx.vault_name, note or page, heading)
    return f'<a href="{html.escape(uri)}">{html.escape(shown)}</a>'


def obsidian_uri(vault_name: str, file: str, heading: str = "") -> str:
    file = file[:-3] if file.lower().endswith(".md") else file
    uri = f"obsidian://open?vault={quote(vault_name, safe='')}&file={quote(file, safe='')}"
    return uri + (quote("#" + heading, safe="") if heading else "")


def file_link(path: str, vault_name: str) -> str:
    """A link that opens the card's note in Obsidian."""
    return f'<a href="{html.escape(obsidian_uri(vault_name, path))}">{html.escape(path)}</a>'


def _embed(target: str, option: str, ctx: RenderContext) -> str:
    name = target.split("#", 1)[0]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in IMAGE_EXT and ext not in AUDIO_EXT:
        # an embedded note or heading: shown as its name (Anki cannot transclude)
        ctx.links.append(name)
        return html.escape(option or target.replace("#", " > "))
    path = ctx.resolver.media(name, ctx.note_path)
    if path is None:
        ctx.missing.append(name)
        return html.escape(f"![[{target}]]")
    ctx.media.add(path)
    ref = f"{MEDIA_OPEN}{path}{MEDIA_CLOSE}"
    if ext in AUDIO_EXT:
        return f"[sound:{ref}]"
    size = ""
    m = re.fullmatch(r"(\d+)(?:x(\d+))?", option)
    if m:
        size = f' width="{m.group(1)}"' + (f' height="{m.group(2)}"' if m.group(2) else "")
    alt = "" if m else html.escape(option)
    return f'<img src="{ref}" alt="{alt}"{size}>'


def _render_image(self, tokens, idx, options, env) -> str:
    ctx: RenderContext = env["ctx"]
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):  # http:, https:, data: ... stay as they are
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
    name = unquote(src)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    path = ctx.resolver.media(name, ctx.note_path)
    if path is None:
        ctx.missing.append(name)
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
    ctx.media.add(path)
    ref = f"{MEDIA_OPEN}{path}{MEDIA_CLOSE}"
    if ext in AUDIO_EXT:
        return f"[sound:{ref}]"
    m = re.fullmatch(r"(.*?)\|(\d+)(?:x(\d+))?", alt)
    if m:
        size = f' width="{m.group(2)}"' + (f' height="{m.group(3)}"' if m.group(3) else "")
        return f'<img src="{ref}" alt="{html.escape(m.group(1))}"{size}>'
    return f'<img src="{ref}" alt="{html.escape(alt)}">'
