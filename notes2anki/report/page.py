"""The report as one self-contained HTML page: styles, script and images inline, nothing fetched.

A Content-Security-Policy in the page forbids every network fetch (``default-src 'none'``; images only as
``data:`` URIs; scripts only the page's own, by nonce — so a ``<script>`` inside a card's HTML never runs).
Links that open a note in Obsidian (``obsidian://``) are plain navigation.
"""
from __future__ import annotations

import base64
import html
import mimetypes
import re
import secrets
from pathlib import Path

from ..fileio import UnsafeFile, read_bounded
from .assets import CSS, JS, PALETTE, UNASSIGNED
from .data import CardView, ReportData

PAIRS_SHOWN = 200  # duplicate pairs drawn on the page, best first (the count shows them all)
INLINE_IMAGE_LIMIT = 512 * 1024  # bytes: larger images are named, not embedded
MAP_W, MAP_H, PAD = 1000, 620, 30
_SRC = re.compile(r'\bsrc="([^"]*)"')
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::[^{}]*)?\}\}", re.S)
_CLOZE_SHOWN = r'<span class="cloze">\1</span>'  # the answer side: cloze text shown, highlighted
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml", "image/bmp", "image/avif"}

e = html.escape


def colour(topic: int) -> str:
    """The CSS colour of topic id ``topic`` on the map: the palette's for the first topics; past its length
    a hue turned by the golden angle (137.5°) per topic, at one of three lightnesses, so no two topics share
    a colour (tester 2: Supre's 39 topics on a 20-colour palette, topics 1 and 21 alike); 0 and below: the
    grey of unassigned cards."""
    if topic <= 0:
        return UNASSIGNED
    if topic <= len(PALETTE):
        return PALETTE[topic - 1]
    n = topic - len(PALETTE)
    return f"hsl({n * 137.508 % 360:.1f}, {70 - 15 * (n % 2)}%, {(38, 52, 64)[n % 3]}%)"


def render(data: ReportData) -> str:
    """The whole page for ``data`` (a str of HTML5)."""
    nonce = secrets.token_urlsafe(16)
    csp = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; "
           "base-uri 'none'; form-action 'none'")
    errors = sum(len(g.problems) for g in data.problems if g.severity == "error")
    warnings = sum(len(g.problems) for g in data.problems if g.severity == "warning")
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>notes2anki report: {e(data.vault_name)}</title><style>{CSS}</style></head><body>",
        f'<p class="notice place">vault: warning: {e(data.place_warning)}</p>' if data.place_warning else "",
        f"<header><h1>{e(data.vault_name)}</h1><div class=\"muted\">notes2anki report</div>",
        "<nav><a href=\"#decks\">Decks</a><a href=\"#problems\">Problems</a><a href=\"#duplicates\">Duplicates</a>"
        "<a href=\"#related\">Related notes</a><a href=\"#map\">Topic map</a></nav>",
        '<div class="stats">',
        _stat(data.notes, "notes"), _stat(data.cards, "cards"), _stat(len(data.decks), "decks"),
        _stat(data.without_id, "cards without ID"), _stat(errors, "errors", "err"),
        _stat(warnings, "warnings", "warn"), _stat(len(data.duplicates), "duplicate pairs"),
        "</div>",
        "".join(f'<p class="notice">{e(n)}</p>' for n in data.notices),
        "</header>",
        _decks(data), _problems(data), _duplicates(data), _related(data), _map(data),
        f'<script nonce="{nonce}">{JS}</script></body></html>\n',
    ]
    return "".join(parts)


def _stat(value: int, label: str, cls: str = "") -> str:
    return f'<div class="stat {cls}"><b>{value:,}</b>{e(label)}</div>'


def _decks(data: ReportData) -> str:
    rows = "".join(f'<tr><td>{e(deck)}</td><td class="num">{n:,}</td></tr>' for deck, n in data.decks)
    types = ", ".join(f"{e(t)} ({n:,})" for t, n in data.note_types)
    return (f'<section id="decks"><h2>Decks</h2><table><tr><th>Deck</th><th class="num">Cards</th></tr>{rows}'
            f'<tr><th>Total</th><th class="num">{data.cards:,}</th></tr></table>'
            f'<p class="muted">Note types: {types or "none"}.</p></section>')


def _link(url: str, text: str, cls: str = "where") -> str:
    if not url:
        return f'<span class="{cls}">{e(text)}</span>'
    return f'<a class="{cls}" href="{e(url)}" title="Open in Obsidian">{e(text)}</a>'


def _problems(data: ReportData) -> str:
    if not data.problems:
        return '<section id="problems"><h2>Problems</h2><p>None: every card could be read.</p></section>'
    out = ['<section id="problems"><h2>Problems to fix</h2>',
           '<p class="muted">Grouped by kind; each place opens the note in Obsidian. These are the problems '
           '<code>check</code> reports (the errors and warnings counted above); notes on how duplicates, related '
           'notes and topics were computed are at the top of the page and not counted.</p>']
    for k, group in enumerate(data.problems):
        items = "".join(f"<li>{_link(p.url, p.where)} {e(p.message)}</li>" for p in group.problems)
        opened = " open" if k < 3 else ""
        out.append(f'<details class="kind"{opened}><summary><span class="sev-{group.severity}">'
                   f'{len(group.problems):,}× {group.severity}</span>: '
                   f'{e(group.problems[0].message if len(group.problems) == 1 else group.kind)}</summary>'
                   f'<ul class="places">{items}</ul></details>')
    out.append("</section>")
    return "".join(out)


def _media(html_text: str, card: CardView, root: Path) -> str:
    """Each ``src="…"`` → a ``data:`` URI of the card's image (bounded read inside the vault); any other
    source (an unknown or unreadable file, a remote address) → an empty image naming it, never a fetch."""

    def swap(m: re.Match) -> str:
        src = html.unescape(m.group(1))
        path = card.media.get(src)
        kind = mimetypes.guess_type(path or src)[0] or ""
        if path is not None and kind in _IMAGE_TYPES:
            try:
                raw = read_bounded(root / path, INLINE_IMAGE_LIMIT, root=root)
                return f'src="data:{kind};base64,{base64.b64encode(raw).decode("ascii")}"'
            except (OSError, UnsafeFile):  # too large, gone, outside the vault: a named placeholder
                pass
        return f'src="data:," data-missing="{e(path or src)}"'

    return _SRC.sub(swap, html_text)


def _card(card: CardView, root: Path) -> str:
    fields = "".join(f'<div class="field"><span class="fname">{e(name)}</span>'
                     f'{_CLOZE.sub(_CLOZE_SHOWN, _media(value, card, root))}</div>'
                     for name, value in card.fields if value.strip())
    return (f'<div class="anki"><div class="meta">{_link(card.url, card.where)} · {e(card.deck)} · '
            f'{e(card.note_type)}</div>{fields}</div>')


def _duplicates(data: ReportData) -> str:
    if not data.duplicates:
        body = "<p>No duplicate cards found.</p>" if data.points or not data.notices else "<p>Not checked.</p>"
        return f'<section id="duplicates"><h2>Duplicate cards</h2>{body}</section>'
    out = ['<section id="duplicates"><h2>Duplicate cards</h2>',
           '<p class="muted">Each pair side by side, as the cards will look in Anki '
           '(<code>notes2anki dupes VAULT --explain</code> for the reasons).</p>']
    for pair in data.duplicates[:PAIRS_SHOWN]:
        out.append(f'<div class="pair"><div class="pair-head">{e(pair.kind)} duplicate · score '
                   f'{pair.score:.2f}</div>{_card(pair.a, data.root)}{_card(pair.b, data.root)}</div>')
    if len(data.duplicates) > PAIRS_SHOWN:
        out.append(f'<p class="notice">{len(data.duplicates) - PAIRS_SHOWN:,} more pairs (the weakest): '
                   "<code>notes2anki dupes VAULT</code> lists them all.</p>")
    out.append("</section>")
    return "".join(out)


def _related(data: ReportData) -> str:
    if not data.related:
        return ('<section id="related"><h2>Related notes not linked yet</h2>'
                '<p>No suggestions.</p></section>')
    rows = "".join(
        f"<tr><td>{_link(url, path, 'note')}</td><td>"
        + ", ".join(f"{_link(s_url, _name(s_path), 'note')} <span class=\"muted\">{score:.2f}</span>"
                    for s_path, s_url, score in found)
        + "</td></tr>" for path, url, found in data.related)
    return ('<section id="related"><h2>Related notes not linked yet</h2>'
            '<p class="muted">Notes about the same thing that do not link to each other (cosine score): '
            'candidates for a <code>[[link]]</code>.</p>'
            f"<table><tr><th>Note</th><th>Suggestions</th></tr>{rows}</table></section>")


def _name(path: str) -> str:
    base = path.rsplit("/", 1)[-1]
    return base[:-3] if base.lower().endswith(".md") else base


def _map(data: ReportData) -> str:
    if not data.points:
        return '<section id="map"><h2>Topic map</h2><p>No map (no embeddings).</p></section>'
    labels = {t.id: t.label for t in data.topics}
    circles, sums = [], {}
    for p in data.points:
        x = PAD + p.x * (MAP_W - 2 * PAD)
        y = PAD + (1 - p.y) * (MAP_H - 2 * PAD)
        sx, sy, n = sums.get(p.topic, (0.0, 0.0, 0))
        sums[p.topic] = (sx + x, sy + y, n + 1)
        topic = labels.get(p.topic, "unassigned")
        circles.append(f'<a href="{e(p.url)}"><circle class="pt" data-t="{p.topic}" cx="{x:.1f}" cy="{y:.1f}" '
                       f'r="6" fill="{colour(p.topic)}" data-front="{e(p.front)}" data-where="{e(p.where)}" '
                       f'data-topic="{e(topic)}"><title>{e(p.front)} ({e(p.where)})</title></circle></a>')
    texts = []
    for topic, (sx, sy, n) in sorted(sums.items()):
        if topic > 0:
            texts.append(f'<text class="tl" data-t="{topic}" x="{sx / n:.1f}" y="{sy / n - 10:.1f}" '
                         f'text-anchor="middle" fill="{colour(topic)}">{e(labels[topic])}</text>')
    legend = "".join(
        f'<label><input type="checkbox" checked data-topic="{t.id}"><span class="sw" '
        f'style="background:{colour(t.id)}"></span>{e(t.label)} ({t.cards})</label>' for t in data.topics)
    loose = sum(1 for p in data.points if p.topic == 0)
    if loose:
        legend += (f'<label><input type="checkbox" checked data-topic="0"><span class="sw" '
                   f'style="background:{UNASSIGNED}"></span>unassigned ({loose})</label>')
    return ('<section id="map"><h2>Topic map</h2>'
            f'<p class="muted"><span id="map-count">{len(data.points)}</span> cards, one point each, placed by '
            f'{e(data.projection)}; colour = topic. Hover a point for its front; click to open the note.</p>'
            f'<div class="legend">{legend}</div>'
            f'<div class="map-wrap"><svg class="map" viewBox="0 0 {MAP_W} {MAP_H}" role="img" '
            f'aria-label="topic map">{"".join(circles)}{"".join(texts)}</svg><div id="tip"></div></div>'
            "</section>")
