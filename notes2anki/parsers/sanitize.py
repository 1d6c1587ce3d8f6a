"""Sanitising card HTML for decks meant to be shared (``sanitize_html = true`` / ``--sanitize-html``).

By default the raw HTML a user writes in their own notes reaches the card unchanged, as in Markdown.
A deck given to others should not run their scripts: with the setting on, every field goes through
nh3 (Python binding of the Rust crate Ammonia, an allow-list HTML sanitiser) with the allow-list
below. Kept: text formatting, lists, tables (with alignment), headings, blockquotes, code and the
Pygments highlighting classes, ``<mark>``, Obsidian callouts (``data-callout``), footnotes, task-list checkboxes, images with their media
name or an http(s) URL, links to http, https and obsidian URLs, ``<audio>``; MathJax delimiters and
Anki's ``[sound:…]`` are plain text and pass. Dropped: ``<script>``/``<style>``/``<iframe>`` with their
content, every ``on…=`` handler, ``javascript:``/``data:`` URLs, forms, objects, unknown tags (their
text is kept).
"""
from __future__ import annotations

import nh3

TAGS = {
    "a", "abbr", "audio", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "input", "ins", "kbd", "li", "mark", "ol", "p", "pre", "rp", "rt", "ruby", "s", "section",
    "small", "source", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul",
}
ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir", "id"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan"},
    "ol": {"start"},
    "input": {"type", "checked", "disabled"},
    "div": {"data-callout", "data-callout-fold"},  # Obsidian callouts (obsidian_blocks.py)
    "details": {"open", "data-callout", "data-callout-fold"},
}
URL_SCHEMES = {"http", "https", "obsidian"}
CLEAN_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}


def sanitize_html(html: str) -> str:
    """``html`` with only the allow-listed tags, attributes and URL schemes (see the module docstring).

    Relative URLs (media names such as ``pooling.png``, ``#fn1``) are kept. Never raises on any input.
    """
    if not html:
        return html
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     clean_content_tags=CLEAN_CONTENT, link_rel=None, strip_comments=True)
