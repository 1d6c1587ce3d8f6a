"""Reading a whole vault: files → Notes with their Cards, fields rendered to Anki HTML.

Only reads. Every problem becomes a Diagnostic with file:line; a bad card or file never stops the rest.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from pathlib import Path

from ..config import Config, load_config
from ..fileio import RealPaths
from ..model import Card, Diagnostic, Note, Vault, is_cloze, note_type_fields
from ..parse_cache import ParseCache, settings_hash, text_hash
from ..template_folders import skip_template_cards, template_like_warnings
from .id_lines import drop_duplicate_ids
from .rules import fold_deck_case
from .files import distinct_notes, markdown_files, read_text, walk_vault
from .links import LinkResolver

if TYPE_CHECKING:
    from .blocks import FileScan

# Parsing a note (parse_note) imports the parsers proper (markdown-it-py, PyYAML, regex: 0.1 s) on first
# use: a run whose notes all come from the parse cache does not import them.

Progress = Callable[[int, int], None]


def no_card_warning(vault: Vault, config: Config) -> None:
    """A warning when the vault's notes hold no card at all and no message says why (tester B r7: a vault written in another card
    syntax, ``Q #flashcard`` or ``Q :: A`` without the plugin's settings, was built into an empty package
    with exit 0 and no word): which markers and regex styles were looked for, and where they are set."""
    if not vault.notes or any(note.cards for note in vault.notes) or any(d.file for d in vault.diagnostics):
        return  # (a message at a file already says why its card was not read)
    words = config.syntax
    styles = f"{words.begin_note} … {words.end_note} blocks, {words.begin_inline_note} … " \
             f"{words.end_inline_note} inline cards"
    styles += f", the custom regexes of {', '.join(sorted(config.custom_regexps))}" if config.custom_regexps \
        else ", no custom regex"
    count = len(vault.notes)
    vault.diagnostics.append(Diagnostic(
        "", 0, "warning", f"no card found in the {count} note{'s' if count != 1 else ''} read (looked for {styles}): "
        "if the cards are written in another way (e.g. `Question #flashcard` or `Question :: Answer`), set "
        "custom_regexps in .notes2anki.toml (`notes2anki init` reads the Obsidian_to_Anki plugin's settings)",
        kind="no-cards"))


def load_vault(root: Path, config: Config | None = None, progress: Progress | None = None) -> Vault:
    """Read every note of the vault at ``root`` (only reads): its Notes with their Cards, and every
    problem as a Diagnostic with file:line. ``config``: the vault's settings (read from the vault when
    None); ``progress(done, total)`` is called after each note. Never raises on bad notes."""
    root = Path(root)
    vault = Vault(root=root)
    if config is None:
        config = load_config(root, vault.diagnostics)
    if not root.is_dir():
        vault.diagnostics.append(Diagnostic(str(root), 0, "error", "vault folder not found"))
        return vault
    vault.files = walk_vault(root, vault.diagnostics)
    paths = markdown_files(vault.files, config.scan_directory, config.ignore)
    if getattr(vault.files, "has_links", True):  # (no link in the vault: no two paths are one file)
        paths = distinct_notes(root, paths)
    resolver = LinkResolver(vault.files, root)
    types = note_type_fields(config.note_types)
    vault_name = config.vault_name or root.resolve().name
    cache = ParseCache.for_vault(root)  # parsed notes of the last build, by text and settings hash
    vault.diagnostics.extend(Diagnostic("", 0, "warning", w) for w in cache.warnings)  # unusable: rebuilt
    settings = settings_hash(root, config, vault.files, vault_name) if cache.path else ""

    def embedded_hash(path: str) -> str:  # the text an embed of ``path`` shows now ("-": unreadable)
        text = resolver.note_text(path)
        return "-" if text is None else text_hash(text)

    real_root = RealPaths(root)  # (the root and each folder resolved once, not per note: see fileio.is_inside)
    for done, rel in enumerate(paths, 1):
        text = read_text(root / rel, rel, vault.diagnostics, root=root, real_root=real_root)
        if text is not None:
            key = text_hash(text)
            hit = cache.get(rel, key, settings, embedded_hash) if cache.path else None
            if hit is None:
                before = len(vault.diagnostics)
                resolver.notes_read.clear()
                hit = parse_note(rel, text, config, types, resolver, vault_name, vault.diagnostics), []
                embedded = {path: embedded_hash(path) for path in sorted(resolver.notes_read)}
                cache.put(rel, key, settings, hit[0], vault.diagnostics[before:], embedded)
            vault.notes.append(hit[0])
            vault.diagnostics.extend(hit[1])
        if progress:
            progress(done, len(paths))
    cache.save()
    no_card_warning(vault, config)
    skip_template_cards(vault, config)  # before the ID check: a template's ID is copied into new notes
    vault.diagnostics += template_like_warnings(vault, config)
    drop_duplicate_ids(vault)
    fold_deck_case(vault)  # Bio / bio: one deck in Anki, so one spelling in the package
    return vault


def parse_note(rel: str, text: str, config: Config, types: dict[str, list[str]], resolver: LinkResolver,
               vault_name: str, diagnostics: list[Diagnostic]) -> Note:
    """One note's text → a Note with its cards, fields rendered to Anki HTML.

    ``rel``: vault path; ``types``: note type → field names (:func:`note_type_fields`); problems are
    appended to ``diagnostics`` with file:line. Cards that Anki could not show (empty) are left out with
    a warning; ID lines no card claims are reported."""
    from .blocks import scan
    from .conflicts import report_conflicts
    from .frontmatter import (frontmatter_deck, frontmatter_deck_problem, frontmatter_tags, frontmatter_tags_problem,
                              split_frontmatter)
    from .id_lines import drop_impossible_ids, report_loose_ids
    from .regex_notes import regex_cards
    from .rules import deck_problem, file_deck, file_tags, unique_tags

    fm, body_start = split_frontmatter(text, rel, diagnostics, config.syntax)
    found: FileScan = scan(text, rel, types, diagnostics, first_line=body_start, syntax=config.syntax)
    if config.custom_regexps:  # the first type claims a span (F6): regex_notes keeps the settings' order
        taken = [(c.line, c.end_line) for c in found.cards] + _spans(found.fenced)
        taken.append((1, body_start - 1))  # frontmatter
        found.cards = sorted(found.cards + regex_cards(text, rel, config.custom_regexps, types, taken,
                                                        diagnostics, config.syntax.delete_note_line),
                             key=lambda c: (c.line, c.col))
    report_loose_ids(found.cards, found.loose_ids, rel, diagnostics)
    found.cards = drop_impossible_ids(found.cards, rel, diagnostics)
    found.cards = _showable(found.cards, types, diagnostics, config.syntax)
    report_conflicts(found.cards, text, found.fenced, diagnostics)
    note = Note(path=rel, text=text, frontmatter=fm, body_start=body_start, headings=found.headings,
                links=list(found.links), syntax_lines=set(found.syntax_lines),
                inline_spans=dict(found.inline_spans))
    fm_deck = frontmatter_deck(fm, config.syntax)
    unused = frontmatter_deck_problem(fm, config.syntax) if fm_deck is None else None
    if unused:
        diagnostics.append(Diagnostic(rel, 1, "warning", unused, "deck-name"))
    deck = file_deck(rel, found.target_deck, fm_deck, config)
    for named, line in ((found.target_deck, found.target_deck_at), (fm_deck, 0)):
        if line == 0 and named == found.target_deck:  # a TARGET DECK line inside the frontmatter: said once
            continue
        problem = deck_problem(named) if named else None
        if problem:
            line = line or next((no for no, src in enumerate(text.split("\n")[:body_start], 1) if named in src), 1)
            diagnostics.append(Diagnostic(rel, line, "warning", problem, "deck-name"))
    fm_tags = frontmatter_tags(fm, config.syntax)
    if not fm_tags and (unused := frontmatter_tags_problem(fm, config.syntax)):
        diagnostics.append(Diagnostic(rel, 1, "warning", unused, "tag-name"))
    shared_tags = file_tags(rel, found.file_tags, fm_tags, config)
    note_tags = found.file_tags + fm_tags  # written in the note; default_tag, folder_tags: said at the setting
    refused: set[tuple[str, int, int]] = set()  # cards Anki would refuse the whole package for
    told: set[str] = set()  # tags already warned about in this note
    at_line = _tag_line_finder(text, fm_tags, config.syntax)
    ambiguous_told: set[tuple[str, str]] = set()  # (note, name) a shared-name warning was given for
    for card in found.cards:
        card.deck = deck
        card.context = context_of(rel, note, card.line)
        own_tags = _rewrite_fields(card, config, types)
        _report_tags(card, card.tags + own_tags + note_tags, told, diagnostics, at_line)
        card.tags = unique_tags(card.tags + own_tags + shared_tags)
        _render_card(card, found, config, resolver, vault_name, diagnostics, ambiguous_told)
        if is_cloze(card.note_type, config):
            _report_cloze_zero(card, text, diagnostics)
            if _cloze_too_big(card, diagnostics):
                refused.add(card.key)
        note.links.extend(link for link in card.links if link not in note.links)
    # a regex-style Cloze match that holds no cloze after formatting is prose, not a card (the plugin's
    # rule); one with an ID was a card in Anki once, so its loss is said
    note.cards = []
    for card in found.cards:
        if card.key in refused:
            continue
        if card.kind == "regex" and is_cloze(card.note_type, config) and not _has_cloze(card):
            if card.id is not None:
                diagnostics.append(Diagnostic(
                    card.file, card.line, "warning",
                    f"{card.note_type!r} match with ID {card.id} holds no cloze after formatting; skipped "
                    "(the Anki note with this ID will not be updated)", "no-cloze"))
            continue
        note.cards.append(card)
    return note


def _tag_line_finder(text: str, fm_tags: list[str], syntax):
    """``raw tag → its frontmatter line`` (0: not a frontmatter tag), the lines read only when asked."""
    found: dict[str, int] | None = None

    def line(raw: str) -> int:
        nonlocal found
        if raw not in fm_tags:
            return 0
        if found is None:
            from .frontmatter import tag_lines

            found = tag_lines(text, syntax)
        return found.get(raw, 0)

    return line


def _report_tags(card: Card, raw_tags: list[str], told: set[str], diagnostics: list[Diagnostic],
                 at_line=lambda raw: 0) -> None:
    """A ``tag-name`` warning for each tag (once per note) that Anki would store otherwise than written (an
    empty level ``a::::b``, a control character), or that holds a space (a frontmatter list item ``two
    words``): it is read as Anki keeps it (``two_words``). At the frontmatter line that writes it
    (``at_line``), else at the card."""
    from .anki_normal import tag_problem
    from .rules import normalise_tag

    for raw in raw_tags:
        if raw in told:
            continue
        problem = tag_problem(raw, normalise_tag(raw))
        if problem:
            told.add(raw)
            diagnostics.append(Diagnostic(card.file, at_line(raw) or card.line, "warning", problem, "tag-name"))


def _showable(cards: list[Card], types: dict[str, list[str]], diagnostics: list[Diagnostic],
              syntax=None) -> list[Card]:
    """The cards Anki can show; the others (empty card, empty front) get a warning and are left out."""
    from .lints import card_problems

    keep = []
    for card in cards:
        problem = card_problems(card, types.get(card.note_type, []), syntax)
        if problem is None:
            keep.append(card)
        else:
            diagnostics.append(problem)
    return keep


CLOZE_ZERO = re.compile(r"\{\{c0+::")


def _report_cloze_zero(card: Card, text: str, diagnostics: list[Diagnostic]) -> None:
    """A ``{{c0::…}}`` in a cloze card: Anki numbers clozes from 1 and ignores c0 (its text shows, never
    hidden). One warning per card, at the line of the first ``c0`` in the file."""
    if not any(CLOZE_ZERO.search(source) for source in card.fields.values()):
        return
    lines = text.split("\n")
    last = max(card.end_line, card.line)
    line = next((no for no in range(card.line, min(last, len(lines)) + 1) if CLOZE_ZERO.search(lines[no - 1])),
                card.line)
    diagnostics.append(Diagnostic(card.file, line, "warning",
                                  "{{c0::…}}: Anki numbers clozes from 1 and ignores c0 (its text is shown, "
                                  "not hidden); write {{c1::…}}", "cloze-zero"))


MAX_CLOZE = 65536  # Anki keeps a card's template number in 16 bits: {{c65536::…}} is its last card
CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::")


def _cloze_too_big(card: Card, diagnostics: list[Diagnostic]) -> bool:
    """Whether a cloze card numbers a cloze above :data:`MAX_CLOZE`: Anki refuses the whole package that
    holds it (``IntegralValueOutOfRange``), so the card is skipped with an error at its line."""
    for source in card.fields.values():
        for match in CLOZE_NUMBER.finditer(source):
            digits = match.group(1).lstrip("0")
            if len(digits) > len(str(MAX_CLOZE)) or int(digits or "0") > MAX_CLOZE:
                shown = digits if len(digits) <= 12 else digits[:12] + "…"
                diagnostics.append(Diagnostic(card.file, card.line, "error",
                                              f"{{{{c{shown}::…}}}}: Anki numbers clozes up to c{MAX_CLOZE} and "
                                              "refuses a package holding a bigger one; card skipped",
                                              "cloze-number"))
                return True
    return False


def _has_cloze(card: Card, fields: list[str] | None = None) -> bool:
    """Whether a field (of ``fields``; None: any) holds a cloze Anki makes a card from: ``{{cN::`` with
    N ≥ 1 (c0 is ignored)."""
    return any(re.search(r"\{\{c0*[1-9]\d*::", html) for name, html in card.html.items()
               if fields is None or name in fields)


def _cloze_fields(card: Card, config: Config) -> list[str]:
    """The fields Anki makes cloze cards from: those a configured type's front template names with the
    ``cloze:`` filter, else the type's first field (``Text`` of the stock Cloze)."""
    spec = config.note_types.get(card.note_type) or {}
    front = spec.get("front") if isinstance(spec, dict) else None
    if isinstance(front, str):
        named = re.findall(r"\{\{\s*cloze:\s*([^}]{1,200}?)\s*\}\}", front[:200_000])
        if named:
            return list(dict.fromkeys(named))
    return list(card.html)[:1]


def _spans(lines: set[int]) -> list[tuple[int, int]]:
    return [(n, n) for n in sorted(lines)]


def _rewrite_fields(card: Card, config: Config, types: dict[str, list[str]]) -> list[str]:
    """Curly clozes / highlight clozes (Cloze types) and Obsidian #tags; returns the tags taken."""
    from .inline_syntax import take_tags, to_clozes

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
                 diagnostics: list[Diagnostic], ambiguous_told: set[tuple[str, str]] | None = None) -> None:
    from .anki_normal import clean_field, controls_message
    from .markdown import RenderContext, file_link, render

    frozen = found.frozen.get(card.note_type, {})
    ctx = RenderContext(note_path=card.file, resolver=resolver, vault_name=vault_name,
                        wikilinks=config.wikilinks)
    nul: set[str] = set()  # fields that held U+0000: markdown-it would make it U+FFFD (CommonMark), Anki removes it
    for name, source in card.fields.items():
        extra = frozen.get(name) or ""
        if "\x00" in source or "\x00" in extra:
            nul.add(name)
            source = card.fields[name] = source.replace("\x00", "")
            extra = extra.replace("\x00", "")
        card.html[name] = render(source, ctx) + (render(extra, ctx) if extra else "")
    if config.add_context and config.context_fields.get(card.note_type) in card.html:
        name = config.context_fields[card.note_type]
        card.html[name] += f'<span class="context">{html.escape(card.context)}</span>'
    if config.add_file_link and config.file_link_fields.get(card.note_type) in card.html:
        name = config.file_link_fields[card.note_type]
        card.html[name] += f'<br><span class="file-link">{file_link(card.file, vault_name)}</span>'
    for name, text in card.html.items():
        # U+001F: Anki splits a note's fields on it (the whole package would be refused); it and the other
        # control characters Anki removes when it saves a note would make every sync update the note
        card.html[name], found = clean_field(text)
        found = ["\x00"] * (name in nul) + found
        if found:
            diagnostics.append(Diagnostic(card.file, card.line, "warning", controls_message(name, found),
                                          "render"))
    card.media = sorted(ctx.media)
    card.links = list(dict.fromkeys(ctx.links))
    for missing, where in dict.fromkeys(ctx.missing):
        place = f"in the embedded note {where}" if where else "in this card"
        diagnostics.append(Diagnostic(card.file, card.line, "warning",
                                      f"embedded file {missing!r} ({place}) not found in the vault",
                                      "missing-media"))
    told = set() if ambiguous_told is None else ambiguous_told
    for key, warning in ctx.ambiguous:  # once per note and name, at the first card that uses it
        if key not in told:
            told.add(key)
            diagnostics.append(Diagnostic(card.file, card.line, "warning", warning, "ambiguous-link"))
    for warning in dict.fromkeys(ctx.warnings):
        diagnostics.append(Diagnostic(card.file, card.line, "warning", warning, "render"))
    if card.kind != "regex" and is_cloze(card.note_type, config):
        read = _cloze_fields(card, config)
        if not _has_cloze(card, read):
            elsewhere = [name for name in card.html if name not in read and _has_cloze(card, [name])]
            where = (f"its clozes are in {', '.join(map(repr, elsewhere))}, but Anki makes cards only from the "
                     f"clozes of {', '.join(map(repr, read))}; " if elsewhere else "")
            diagnostics.append(Diagnostic(card.file, card.line, "warning",
                                          "Cloze card has no cloze deletion numbered from 1 ({{c1::...}}); "
                                          f"{where}Anki shows its card as an error (\"No cloze 1 found on "
                                          "card\")", "no-cloze"))
