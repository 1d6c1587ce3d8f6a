"""Reading a whole vault: files → Notes with their Cards, fields rendered to Anki HTML.

Only reads. Every problem becomes a Diagnostic with file:line; a bad card or file never stops the rest.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from ..config import Config, load_config
from ..model import Card, Diagnostic, Note, Vault, note_type_fields
from .blocks import FileScan, scan
from .files import markdown_files, read_text, walk_vault
from .frontmatter import frontmatter_deck, frontmatter_tags, split_frontmatter
from .inline_syntax import take_tags, to_clozes
from .links import LinkResolver
from .markdown import RenderContext, file_link, render
from .regex_notes import regex_cards
from .rules import file_deck, file_tags, unique_tags

Progress = Callable[[int, int], None]


def load_vault(root: Path, config: Config | None = None, progress: Progress | None = None) -> Vault:
    root = Path(root)
    vault = Vault(root=root)
    if config is None:
        config = load_config(root, vault.diagnostics)
    if not root.is_dir():
        vault.diagnostics.append(Diagnostic(str(root), 0, "error", "vault folder not found"))
        return vault
    vault.files = walk_vault(root, vault.diagnostics)
    paths = markdown_files(vault.files, config.scan_directory, config.ignore)
    resolver = LinkResolver(vault.files, root)
    types = note_type_fields(config.note_types)
    vault_name = config.vault_name or root.resolve().name
    for done, rel in enumerate(paths, 1):
        text = read_text(root / rel, rel, vault.diagnostics)
        if text is not None:
            vault.notes.append(parse_note(rel, text, config, types, resolver, vault_name, vault.diagnostics))
        if progress:
            progress(done, len(paths))
    _check_ids(vault)
    return vault


def parse_note(rel: str, text: str, config: Config, types: dict[str, list[str]], resolver: LinkResolver,
               vault_name: str, diagnostics: list[Diagnostic]) -> Note:
    fm, body_start = split_frontmatter(text, rel, diagnostics)
    found: FileScan = scan(text, rel, types, diagnostics, first_line=body_start)
    if config.custom_regexps:
        taken = [(c.line, c.end_line) for c in found.cards] + _spans(found.fenced)
        taken.append((1, body_start - 1))  # frontmatter
        found.cards = sorted(found.cards + regex_cards(text, rel, config.custom_regexps, types, taken,
                                                        diagnostics), key=lambda c: c.line)
    note = Note(path=rel, text=text, frontmatter=fm, body_start=body_start, headings=found.headings,
                links=list(found.links))
    deck = file_deck(rel, found.target_deck, frontmatter_deck(fm), config)
    shared_tags = file_tags(rel, found.file_tags, frontmatter_tags(fm), config)
    for card in found.cards:
        card.deck = deck
        card.context = context_of(rel, note, card.line)
        own_tags = _rewrite_fields(card, config, types)
        card.tags = unique_tags(card.tags + own_tags + shared_tags)
        _render_card(card, found, config, resolver, vault_name, diagnostics)
        note.links.extend(link for link in card.links if link not in note.links)
    # a regex-style Cloze match that holds no cloze after formatting is prose, not a card
    note.cards = [c for c in found.cards
                  if not (c.kind == "regex" and is_cloze(c.note_type, config) and not _has_cloze(c))]
    return note


def is_cloze(note_type: str, config: Config) -> bool:
    return note_type == "Cloze" or bool(config.note_types.get(note_type, {}).get("cloze"))


def _has_cloze(card: Card) -> bool:
    return any(re.search(r"\{\{c\d+::", html) for html in card.html.values())


def _spans(lines: set[int]) -> list[tuple[int, int]]:
    return [(n, n) for n in sorted(lines)]


def _rewrite_fields(card: Card, config: Config, types: dict[str, list[str]]) -> list[str]:
    """Curly clozes / highlight clozes (Cloze types) and Obsidian #tags; returns the tags taken."""
    tags: list[str] = []
    cloze = is_cloze(card.note_type, config)
    for name, source in card.fields.items():
        if cloze and (config.curly_cloze or config.highlights_to_cloze):
            source = to_clozes(source, config.curly_cloze, config.highlights_to_cloze)
        if config.add_obsidian_tags:
            source, found = take_tags(source)
            tags += found
        card.fields[name] = source
    return tags


def context_of(rel: str, note: Note, line: int) -> str:
    """``path > heading > subheading`` at a line: the enclosing headings, outermost first."""
    trail: list = []
    for heading in note.headings:
        if heading.line >= line:
            break
        while trail and trail[-1].level >= heading.level:
            trail.pop()
        trail.append(heading)
    return " > ".join([rel] + [h.text for h in trail])


def _render_card(card: Card, found: FileScan, config: Config, resolver: LinkResolver, vault_name: str,
                 diagnostics: list[Diagnostic]) -> None:
    frozen = found.frozen.get(card.note_type, {})
    ctx = RenderContext(note_path=card.file, resolver=resolver, vault_name=vault_name,
                        wikilinks=config.wikilinks)
    for name, source in card.fields.items():
        card.html[name] = render(source, ctx) + frozen.get(name, "")
    if config.add_context and config.context_fields.get(card.note_type) in card.html:
        name = config.context_fields[card.note_type]
        card.html[name] += f'<span class="context">{html.escape(card.context)}</span>'
    if config.add_file_link and config.file_link_fields.get(card.note_type) in card.html:
        name = config.file_link_fields[card.note_type]
        card.html[name] += f'<br><span class="file-link">{file_link(card.file, vault_name)}</span>'
    card.media = sorted(ctx.media)
    card.links = list(dict.fromkeys(ctx.links))
    for missing in dict.fromkeys(ctx.missing):
        diagnostics.append(Diagnostic(card.file, card.line, "warning",
                                      f"embedded file {missing!r} (in this card) not found in the vault"))
    for warning in dict.fromkeys(ctx.warnings):
        diagnostics.append(Diagnostic(card.file, card.line, "warning", warning))
    if card.kind != "regex" and is_cloze(card.note_type, config) and not _has_cloze(card):
        diagnostics.append(Diagnostic(card.file, card.line, "warning",
                                      "Cloze card has no cloze deletion ({{c1::...}}); "
                                      "Anki shows it as a single card"))


def _check_ids(vault: Vault) -> None:
    """Two cards with one ID: an error naming both; the second is left out."""
    seen: dict[int, Card] = {}
    for note in vault.notes:
        keep = []
        for card in note.cards:
            first = seen.get(card.id) if card.id is not None else None
            if first is not None:
                vault.diagnostics.append(Diagnostic(card.file, card.line, "error",
                                                    f"ID {card.id} is also used by the card at "
                                                    f"{first.where}; this card skipped"))
                continue
            if card.id is not None:
                seen[card.id] = card
            keep.append(card)
        note.cards = keep
