"""Wiki links, embeds and Markdown images inside fields: markdown-it rules and their renderers.

- ``[[Note]]``, ``[[Note|alias]]``, ``[[Note#Heading]]`` → an ``obsidian://`` link (or plain text).
  A target holding ``[`` or ``]`` is no link: ``grid = [[0, 1], [1, 0]]`` stays text.
- ``![[image.png]]``, ``![[clip.mp3]]``, ``![](path.png)`` → ``<img>`` / ``[sound:…]`` with the file's
  final name in Anki's media folder (decided here, see ``media.MediaIndex``). A file that resolves
  outside the vault, is no regular file, is unreadable or too large is left out with a warning.
- ``![[Note]]`` / ``![[Note#Section]]`` → the embedded note (or section) rendered in place, as
  Obsidian shows it: at most ``MAX_EMBED_DEPTH`` levels and ``MAX_EMBEDS`` embeds per field, notes
  up to ``MAX_EMBED_CHARS``; a cycle, or anything past a limit, is shown as the note's name with a
  warning.
"""
from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Callable
from urllib.parse import unquote

from markdown_it.rules_inline import StateInline

from .links import AUDIO_EXT, IMAGE_EXT, Ambiguity

if TYPE_CHECKING:  # pragma: no cover
    from .markdown import RenderContext

MAX_EMBED_DEPTH = 3
MAX_EMBEDS = 20  # note embeds rendered per field, all depths together (no "billion laughs")
MAX_EMBED_CHARS = 200_000  # an embedded note or section longer than this is shown as its name
_SIZE = re.compile(r"(\d+)(?:x(\d+))?")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")


def wikilink_rule(state: StateInline, silent: bool) -> bool:
    """``[[target]]`` / ``![[target]]`` on one line, the target without ``[`` ``]``.

    The next ``]]`` is found once per scan position and remembered, so a field with 250,000 unclosed
    ``![[a`` stays linear (issue 11)."""
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not (embed or src.startswith("[[", pos)):
        return False
    start = pos + (3 if embed else 2)
    end = _next_close(state, start, "]]")
    if end < 0 and _next_close(state, start, "]") < 0:
        # no "]" anywhere after: no link, image or wiki link can start here; taking the brackets as
        # text spares markdown-it's link rules a rescan per "[" (quadratic on 250,000 "![[a")
        if not silent:
            append = getattr(state, "append_pending", None)  # markdown-it-py >= 4: amortised O(1)
            if append is not None:
                append(src[pos:start])
            else:  # pragma: no cover - markdown-it-py 3
                state.pending += src[pos:start]
        state.pos = start
        return True
    if end < 0 or end == start:
        return False
    target = src[start:end]
    if "\n" in target or "[" in target or "]" in target:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = target
        token.meta = {"embed": embed}
    state.pos = end + 2
    return True


def _next_close(state: StateInline, start: int, closer: str) -> int:
    """Position of the first ``closer`` at or after ``start`` in ``state.src`` (-1: none), memoised
    per closer: valid for any later start up to the position found."""
    key = "_wikilink_close" + closer
    memo = state.env.get(key)
    if memo is not None and memo[0] is state.src and memo[1] <= start and (memo[2] < 0 or memo[2] >= start):
        return memo[2]
    found = state.src.find(closer, start)
    state.env[key] = (state.src, start, found)
    return found


def embed_paragraphs(state) -> None:
    """Core rule: a paragraph that holds only note embeds loses its ``<p>``, so the embedded
    ``<div>`` is not nested in a paragraph."""
    tokens = state.tokens
    for i in range(1, len(tokens) - 1):
        tok = tokens[i]
        if tok.type != "inline" or tokens[i - 1].type != "paragraph_open" or not tok.children:
            continue
        kinds = [c for c in tok.children if not (c.type in ("softbreak", "hardbreak")
                                                  or (c.type == "text" and not c.content.strip()))]
        if kinds and all(c.type == "wikilink" and c.meta.get("embed") and _is_note_target(c.content)
                         for c in kinds):
            tokens[i - 1].hidden = tokens[i + 1].hidden = True


def _is_note_target(raw: str) -> bool:
    name = raw.partition("|")[0].split("#", 1)[0].strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext not in IMAGE_EXT and ext not in AUDIO_EXT


def render_wikilink(self, tokens, idx, options, env) -> str:
    """Renderer for ``wikilink`` tokens (links, media embeds, note embeds)."""
    from .markdown import obsidian_uri

    ctx: RenderContext = env["ctx"]
    raw = tokens[idx].content
    target, _, alias = raw.partition("|")
    target, alias = target.strip(), alias.strip()
    if tokens[idx].meta.get("embed"):
        return _embed(target, alias, ctx)
    ctx.links.append(target.split("#", 1)[0])
    page, _, heading = target.partition("#")
    shown = alias or (f"{page} > {heading}" if page and heading else page or heading)
    if ctx.wikilinks == "text":
        return html.escape(shown)
    note, choice = ctx.resolver.note_choice(page, ctx.note_path) if page else (ctx.note_path, None)
    _tell_ambiguous(ctx, choice, f"[[{raw}]]", page, _note_path_form)
    uri = obsidian_uri(ctx.vault_name, note or page, heading)
    return f'<a href="{html.escape(uri)}">{html.escape(shown)}</a>'


def render_image(self, tokens, idx, options, env) -> str:
    """Renderer for Markdown images ``![alt](src)``: vault files become media, URLs stay."""
    ctx: RenderContext = env["ctx"]
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):  # http:, https:, data: ... stay as they are
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
    name = unquote(src)
    size = re.fullmatch(r"(.*?)\|(\d+(?:x\d+)?)", alt)
    if size:
        alt = size.group(1)
    media = _media(name, ctx, f"![{alt}]({src})", src)
    if media is None:
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
    return _media_html(name, media, alt, size.group(2) if size else "")


def _embed(target: str, option: str, ctx: RenderContext) -> str:
    name = target.split("#", 1)[0]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in IMAGE_EXT and ext not in AUDIO_EXT:
        return _embed_note(target, option, ctx)
    media = _media(name, ctx, f"![[{target}]]", as_written=f"![[{target}|{option}]]" if option else "")
    if media is None:
        return html.escape(f"![[{target}]]")
    sized = _SIZE.fullmatch(option)
    return _media_html(name, media, "" if sized else option, option if sized else "")


def _media(name: str, ctx: RenderContext, written: str, src: str = "", as_written: str = "") -> str | None:
    """The media name for the embedded vault file ``name``, or None (missing / refused, reported);
    ``src``: a Markdown image's destination as written (a wiki embed: ""); ``as_written``: the embed
    whole, with its size or alias (``![[img.png|300]]``), for the ambiguous-link message ("": ``written``)."""
    path, choice = ctx.resolver.media_choice(name, ctx.note_path)
    if src:
        _tell_ambiguous(ctx, choice, written, src, lambda p: p.replace(" ", "%20"))
    else:
        _tell_ambiguous(ctx, choice, as_written or written, name, lambda p: p)
    if path is None:
        ctx.missing.append((name, _embedded_at(ctx, name, written) if ctx.depth else ""))
        return None
    problem = ctx.resolver.media_index.problem(path)
    if problem is not None:
        ctx.warnings.append(f"embedded file {written} ({path}) {problem}")
        return None
    ctx.media.add(path)
    return ctx.resolver.media_index.name(path)


def _tell_ambiguous(ctx: RenderContext, choice: Ambiguity | None, written: str, name: str,
                    path_form: Callable[[str], str]) -> None:
    """Note in ``ctx.ambiguous`` that ``written`` names a file several share (once per note and name)."""
    if choice is not None:
        where = f" (in the embedded note {ctx.note_path})" if ctx.depth else ""
        ctx.ambiguous.append(((ctx.note_path, name.lower()), choice.message(written, name, path_form, where)))


def _note_path_form(path: str) -> str:
    """A note's vault path as a wiki link writes it: without ``.md``."""
    return path[:-3] if path.lower().endswith(".md") else path


def _embedded_at(ctx: RenderContext, name: str, written: str) -> str:
    """``note.md:LINE`` of the embedded note being rendered where ``written`` (or the file ``name``) is
    embedded: its first line holding it (``note.md`` alone when not found); a missing file there is that
    note's to fix, not the card's."""
    text = ctx.resolver.note_text(ctx.note_path) or ""
    for no, line in enumerate(text.split("\n"), 1):
        if written in line or name in line:
            return f"{ctx.note_path}:{no}"
    return ctx.note_path


def _media_html(name: str, media: str, alt: str, size: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in AUDIO_EXT:
        return f"[sound:{html.escape(media, quote=False)}]"
    attrs = ""
    sized = _SIZE.fullmatch(size) if size else None
    if sized:
        attrs = f' width="{sized.group(1)}"' + (f' height="{sized.group(2)}"' if sized.group(2) else "")
    return f'<img src="{html.escape(media)}" alt="{html.escape(alt)}"{attrs}>'


def _embed_note(target: str, option: str, ctx: RenderContext) -> str:
    """``![[Note]]`` / ``![[Note#Section]]``: the note's (section's) content, rendered in place."""
    from .markdown import render_nested

    page, _, section = target.partition("#")
    ctx.links.append(page)
    shown = html.escape(option or target.replace("#", " > "))
    path, choice = ctx.resolver.note_choice(page, ctx.note_path) if page else (ctx.note_path, None)
    _tell_ambiguous(ctx, choice, f"![[{target}|{option}]]" if option else f"![[{target}]]", page, _note_path_form)
    text = ctx.resolver.note_text(path) if path else None
    if text is None and path in ctx.resolver.unreadable:
        ctx.warnings.append(f"embedded note ![[{target}]] ({path}): {ctx.resolver.unreadable[path]}; shown as its name")
        return shown
    if text is None:
        ctx.warnings.append(f"embedded note ![[{target}]] not found in the vault; shown as its name")
        return shown
    key = f"{path}#{section}"
    if key in ctx.visiting or (not section and path == ctx.note_path):
        ctx.warnings.append(f"embedded note ![[{target}]] embeds itself (a cycle); shown as its name")
        return shown
    if ctx.depth >= MAX_EMBED_DEPTH:
        ctx.warnings.append(f"embedded note ![[{target}]] is nested more than {MAX_EMBED_DEPTH} deep; "
                            "shown as its name")
        return shown
    body: str | None = _without_frontmatter(text)
    for part in section.split("#") if section else ():  # Obsidian's nested form: Heading#Subheading
        body = note_section(body, part) if body is not None else None
    if body is None:
        ctx.warnings.append(f"embedded note ![[{target}]]: section {section!r} not found; shown as its name")
        return shown
    if len(body) > MAX_EMBED_CHARS:
        ctx.warnings.append(f"embedded note ![[{target}]] is longer than {MAX_EMBED_CHARS:,} characters; "
                            "shown as its name")
        return shown
    ctx.budget["embeds"] = ctx.budget.get("embeds", 0) + 1
    if ctx.budget["embeds"] > MAX_EMBEDS:
        ctx.warnings.append(f"more than {MAX_EMBEDS} note embeds in this field; ![[{target}]] shown as its name")
        return shown
    inner = render_nested(body, ctx, path, key)
    return f'<div class="embed">{inner}</div>'


def _without_frontmatter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 3)
        if end >= 0:
            line_end = text.find("\n", end + 4)
            return "" if line_end < 0 else text[line_end + 1:]
    return text


def note_section(text: str, section: str) -> str | None:
    """The part of ``text`` under the heading ``section`` (to the next heading of its level or
    higher), or the paragraph holding the block ID ``^id``; None when absent. Fenced code is skipped."""
    lines = text.split("\n")
    if section.startswith("^"):
        for i, line in enumerate(lines):
            if line.rstrip().endswith(" " + section) or line.strip() == section:
                start = i
                while start > 0 and lines[start - 1].strip():
                    start -= 1
                own = lines[i].rstrip()  # the block ID itself goes, not the same text elsewhere (![[N#^id]])
                return "\n".join(lines[start:i] + [own[:len(own) - len(section)]]).strip()
        return None
    wanted = " ".join(section.split()).lower()
    level, start, fence = 0, -1, ""
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fence = "" if fence and stripped.startswith(fence) else (fence or stripped[:3])
            continue
        m = None if fence else _HEADING.match(line)
        if not m:
            continue
        if start >= 0 and len(m.group(1)) <= level:
            return "\n".join(lines[start:i]).strip()
        if start < 0 and " ".join(m.group(2).rstrip(" \t#").split()).lower() == wanted:
            level, start = len(m.group(1)), i + 1
    return "\n".join(lines[start:]).strip() if start >= 0 else None
