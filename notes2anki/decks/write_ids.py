"""`notes2anki ids`: write each card's ID into the vault so it keeps its identity through any edit.

The ID written is the identity the card has now: the one its note was matched under by the last sync on
this machine, else the one the last build gave it, else its implicit ID (see id_record.py and identity.py),
so a sync or a rebuild after `ids` updates the same notes as before it. Guarantees (README, `ids`):

- Only ID lines are added: every other byte (line endings, BOM, trailing spaces) stays as it was, and
  no card's fields, tags, deck or note type change. Each file's edit is computed from the exact bytes
  that will be replaced (read once, parsed, edited), then checked by parsing the result: if any card
  differs in anything but its new ID, the file is left alone with an error.
- Each file is replaced atomically (``fileio.atomic_write``: temp file, fsync, rename), and only if it
  still holds the bytes the edit was computed from (re-read right before the rename): a file an editor
  saved meanwhile is left alone with an error.
- Links, hard links, read-only files and owners: see ``fileio.resolve_for_write``.

The caller holds ``fileio.vault_lock`` for the whole run so two runs never interleave.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import Config, load_config
from ..fileio import (MAX_NOTE_BYTES, FileChanged, NotWritable, UnsafeFile, atomic_write, read_bounded,
                      resolve_for_write)
from ..messages import counted
from ..model import Card, Diagnostic, Vault, note_type_fields
from ..parsers import parse_note
from ..parsers.links import LinkResolver
from ..parsers.media import MediaIndex
from ..parsers.syntax import markers
from .build import _field_html, content_hash, default_state_path
from .id_record import Records
from .id_lines import insert_ids
from .identity import card_ids, vault_namespace
from .patch import unified_diff

BOM = b"\xef\xbb\xbf"


@dataclass
class FileEdit:
    """The planned change of one note: ``before`` are the bytes read, ``after`` the bytes to write."""

    path: str  # vault-relative path of the note, as listed in the vault
    target: Path  # the real file replaced (the target of a symlinked note)
    before: bytes
    after: bytes
    ids: list[tuple[int, int]] = field(default_factory=list)  # (1-based line of the card, ID)

    def diff(self) -> bytes:
        """A unified diff of the change (git style, ``a/PATH`` ``b/PATH``) that ``git apply`` accepts
        in the vault folder; the file's own bytes, so CRLF and a missing final newline are kept."""
        return unified_diff(self.path, self.before, self.after)


@dataclass
class IdsReport:
    """What ``ids`` planned and did: one :class:`FileEdit` per note that gains IDs, the vault paths actually
    replaced, and the diagnostics (files left alone and why).
    """

    edits: list[FileEdit] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # vault paths actually replaced
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # (vault path, text) -> (the cards of that text as the build reads them, the parse's diagnostics)
    read_cards: Callable[[str, str], tuple[list[Card], list[Diagnostic]]] | None = field(default=None, repr=False)


def plan_ids(vault: Vault, config: Config | None = None, record: list[dict] | None = None,
             note_guids: frozenset[str] = frozenset()) -> IdsReport:
    """What `ids` would change in ``vault`` (nothing is written).

    ``record``: the entries of the sync just made (``id_record.sync_entries``), or None to read the last
    sync's record of this vault (id_record.py; that of its old place when the vault moved: id_renamed.py);
    each card gets the ID of the note it is matched to. ``note_guids``: the GUIDs of the notes of the
    collection ``ids --collection`` read; a card the record has no note for (new) gets no ID whose GUID names one.

    ``vault``: the loaded vault (which files have cards without an ID, which IDs are in use). Each
    such file is read again and its edit computed from those bytes (``FileEdit.before``). Problems
    (a file that may not be written, an ID already in use, an edit that would change a card) are
    errors in ``IdsReport.diagnostics``; such files or cards get no ID.
    """
    report = IdsReport()
    config = config if config is not None else load_config(vault.root, [])
    context = _ParseContext(vault, config, record, report.diagnostics, note_guids)
    report.read_cards = context.parse
    seen: set[int] = set(context.written)
    wanted = sorted({c.file for c in vault.cards if c.id is None and not c.delete}
                    - _likely_templates(vault, config, report.diagnostics))
    done: dict[str, str] = {}  # real path -> vault path planned
    for rel in _prefer_real_files(vault.root, wanted):
        path = vault.root / rel
        if not _utf8(rel):
            report.diagnostics.append(Diagnostic(rel, 0, "error", "no IDs written: the file name is not "
                                                                  "valid UTF-8 (rename the file)"))
            continue
        try:
            target = resolve_for_write(path, vault.root)
        except (NotWritable, UnsafeFile) as exc:
            report.diagnostics.append(Diagnostic(rel, 0, "error", f"no IDs written: {exc}"))
            continue
        except OSError as exc:
            report.diagnostics.append(Diagnostic(rel, 0, "error",
                                                 f"no IDs written: {exc.strerror or exc}"))
            continue
        if str(target) in done:  # a second name (symlink) of a file already planned
            continue
        done[str(target)] = rel
        edit = _plan_file(rel, target, context, seen, report.diagnostics)
        if edit:
            report.edits.append(edit)
    return report


def _likely_templates(vault: Vault, config: Config, diags: list[Diagnostic]) -> set[str]:
    """The notes of folders named like templates (``Templates``, ``06-Templates``: see
    :func:`notes2anki.template_folders.unnamed_template_like`) while ``.notes2anki.toml`` does not set
    ``template_folders`` (or sets it with an entry that names no folder of the vault): no ID is written into
    them, since every note made from a template would copy its IDs (two such notes: ``duplicate-id``, both
    cards skipped). A warning per note that lacks an ID, at its first such card, says how to settle it: the
    one ``template_folders`` line naming every such folder (with the entries the key has already), or
    ``template_folders = []`` when their notes are real cards."""
    import json

    from ..template_folders import unnamed_template_like

    found = unnamed_template_like(vault, config)
    if not found:
        return set()
    key_set = "template_folders" in config.origin
    listed = list(config.template_folders) if key_set else []
    line = "template_folders = [" + ", ".join(
        json.dumps(f, ensure_ascii=False) for f in dict.fromkeys([*listed, *sorted(found)])) + "]"
    verb, to = ("set", "in") if key_set else ("add", "to")
    if key_set:
        why = ("; template_folders in .notes2anki.toml has an entry that names no folder of the vault (see its "
               "warning), so folders named like templates are still left out")
    else:
        why = ""
    if len(found) == 1:
        settle = (f"If it is one, {verb} {line} {to} .notes2anki.toml (its cards are then not built); if its notes "
                  f"are real cards, {verb} template_folders = {'[…]' if listed else '[]'} (ids then writes their IDs)")
    else:
        settle = (f"If they hold templates, {verb} {line} {to} .notes2anki.toml for the {len(found)} folders named like "
                  "templates (their cards are then not built; leave out one whose notes are real cards); if "
                  f"none is, {verb} template_folders = {'[…]' if listed else '[]'} (ids then writes their IDs)")
    left: set[str] = set()
    for folder, notes in sorted(found.items()):
        for note in notes:
            missing = [c for c in note.cards if c.id is None and not c.delete]
            if not missing:
                continue
            left.add(note.path)
            diags.append(Diagnostic(
                note.path, missing[0].line, "warning",
                f"no ID written to {counted(len(missing), 'card')} of this note: it is in {folder}, whose name "
                "says it holds templates, and an ID written into a template is copied into every note made "
                f"from it (their cards would share it: duplicate-id){why}. {settle}"))
    return left


def apply_ids(vault: Vault | None, report: IdsReport) -> None:
    """Write the planned edits. A file whose bytes changed since they were read is left alone with an
    error; so is one that cannot be written. ``vault``: when given, its build state records that the cards
    given an ID now have one (:func:`~notes2anki.decks.state.mark_written`)."""
    given: set[int] = set()
    for edit in report.edits:
        try:
            atomic_write(edit.target, edit.after, expect=edit.before)
            report.written.append(edit.path)
            given.update(ident for _, ident in edit.ids)
        except FileChanged:
            report.diagnostics.append(Diagnostic(edit.path, 0, "error",
                                                 "changed on disk while IDs were added; left unchanged "
                                                 "— run `ids` again"))
        except OSError as exc:
            report.diagnostics.append(Diagnostic(edit.path, 0, "error",
                                                 f"not written: {exc.strerror or exc}"))
    if vault is not None and given:
        from .build import default_state_path
        from .identity import guid_of
        from .state import mark_written

        mark_written(default_state_path(vault.root), {guid_of(ident) for ident in given})


def stale_temp_files_removed(root: Path, vault: Vault) -> list[Diagnostic]:
    """Remove the temp files a killed ``ids`` run left beside the vault's notes (see
    :func:`notes2anki.fileio.remove_stale_temp_files`; call under the vault lock); a warning naming each."""
    from ..fileio import remove_stale_temp_files

    base = os.path.realpath(root)
    folders = {os.path.dirname(os.path.realpath(root / note.path)) for note in vault.notes}
    out = []
    for path in remove_stale_temp_files(sorted(folders)):
        rel = os.path.relpath(path, base).replace(os.sep, "/")
        out.append(Diagnostic(rel, 0, "warning", "removed: a temporary file left by an interrupted notes2anki "
                                                 "run (older than 10 minutes)"))
    return out


class _ParseContext:
    """What ``parse_note`` needs besides the text, built once per run."""

    def __init__(self, vault: Vault, config: Config, record: list[dict] | None = None,
                 diagnostics: list[Diagnostic] | None = None, note_guids: frozenset[str] = frozenset()):
        self.config = config
        self.types = note_type_fields(config.note_types)
        self.resolver = LinkResolver(vault.files)
        self.vault_name = config.vault_name or vault.root.resolve().name
        self.markers = markers(config.syntax)  # the vault's marker words (renamed ones too)
        self.namespace = vault_namespace(vault.root, config)  # of the implicit IDs (identity.py)
        from .build_renamed import vault_state

        state = vault_state(vault.root, config, default_state_path(vault.root))  # (a renamed vault's old one)
        self.known = frozenset(state.cards)  # earlier builds' GUIDs: pre-namespace implicit IDs stay
        self.written = {c.id for c in vault.cards if c.id is not None}
        index = MediaIndex(vault.root, vault.files)

        def build_digest(card: Card) -> str:  # the build state's content hash of a card
            fields = [_field_html(card.html.get(f, ""), config) for f in self.types[card.note_type]]
            return content_hash(card, fields, media=[index.digest(p) for p in card.media])

        kept = [c for c in vault.cards if not c.delete]
        if record is None:  # the vault moved (its record is kept by its folder's path): its old place's
            from .id_renamed import moved_record

            record = moved_record(vault.root, self.namespace, [c for c in kept if c.id is None])
        from .still_there import left_out_text

        left_out = left_out_text(vault, config)  # a card moved into an ignored folder without an ID line
        self.records = Records(vault.root, self.namespace, state.cards, build_digest, record, diagnostics,
                               note_guids, left_out)
        self.records.settle([c for c in kept if c.id is None], card_ids(kept, self.namespace, self.known),
                            self.written)

    def cards(self, rel: str, text: str) -> list[Card]:
        """The cards of ``text`` (the note's decoded text, BOM removed) as the build reads them."""
        return self.parse(rel, text)[0]

    def parse(self, rel: str, text: str) -> tuple[list[Card], list[Diagnostic]]:
        """:meth:`cards`, and the diagnostics of that parse."""
        normalised = text.replace("\r\n", "\n").replace("\r", "\n")
        problems: list[Diagnostic] = []
        note = parse_note(rel, normalised, self.config, self.types, self.resolver, self.vault_name, problems)
        return [c for c in note.cards if not c.delete], problems


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an undecodable file name, kept by the OS layer as surrogates
        return False
    return True


def _prefer_real_files(root: Path, rels: list[str]) -> list[str]:
    """The vault paths to plan, a file's own path before any symlink to it (the implicit IDs written
    are those of the path the file has in the vault)."""
    return sorted(rels, key=lambda rel: (os.path.islink(root / rel), rel))


def _plan_file(rel: str, target: Path, context: _ParseContext, seen: set[int],
               diagnostics: list[Diagnostic]) -> FileEdit | None:
    try:
        raw = read_bounded(target, MAX_NOTE_BYTES, root=None)
    except OSError as exc:
        diagnostics.append(Diagnostic(rel, 0, "error", f"no IDs written: {exc.strerror or exc}"))
        return None
    bom = raw.startswith(BOM)
    try:
        text = raw[len(BOM):].decode("utf-8") if bom else raw.decode("utf-8")
    except UnicodeDecodeError:
        return None  # reported by the vault loader
    cards, problems = context.parse(rel, text)
    unclosed = next((d for d in problems if d.kind == "no-end" and d.severity == "error"), None)
    if unclosed is not None:  # tester 12-03: a file still being written in place, cut after a START
        diagnostics.append(Diagnostic(rel, unclosed.line, "error", (
            f"no IDs written to this file: a card block here is not closed, as in a file another program is "
            "still writing (its rest would be lost when the file is replaced); close the block, or let that "
            "program finish, and run `ids` again")))
        return None
    loose = [c for c in cards if c.id is None]
    ids, problems = context.records.resolve(loose, card_ids(cards, context.namespace, context.known),
                                            context.written)
    diagnostics += problems
    assigned: dict[tuple[str, int, int], int] = {}
    for card in loose:
        if card.key not in ids:  # its group's identities cannot be told (an error above)
            continue
        new_id = _id_of(ids, card)
        if new_id in seen:
            diagnostics.append(Diagnostic(rel, card.line, "error",
                                          f"ID {new_id} is already used by another card; no ID written"))
            continue
        seen.add(new_id)
        assigned[card.key] = new_id
    if not assigned:
        return None
    new_text = insert_ids(text, cards, assigned, context.markers, context.config.id_comments)
    problem = _changed_cards(cards, context.cards(rel, new_text), assigned)
    if problem:
        diagnostics.append(Diagnostic(rel, problem[0], "error",
                                      f"no IDs written to this file: {problem[1]}"))
        return None
    after = (BOM if bom else b"") + new_text.encode("utf-8")
    return FileEdit(rel, target, raw, after, [(c.line, assigned[c.key]) for c in cards if c.key in assigned])


def _id_of(ids: dict, card: Card) -> int:
    """The card's ID in ``identity.card_ids``'s result (keyed by ``Card.key``)."""
    return ids[card.key]


def _changed_cards(old: list[Card], new: list[Card],
                   assigned: dict[tuple[str, int, int], int]) -> tuple[int, str] | None:
    """(line, why) if the edited text does not give the same cards with only the new IDs added."""
    if len(old) != len(new):
        return 0, f"the edit would turn {counted(len(old), 'card')} into {len(new)} (please report this)"
    for a, b in zip(old, new):
        expected = a.id if a.id is not None else assigned.get(a.key)
        if b.id != expected:
            return a.line, "the ID could not be placed where the card reads it (please report this)"
        for what in ("note_type", "fields", "tags", "deck", "kind", "html"):
            if getattr(a, what) != getattr(b, what):
                return a.line, f"the edit would change the card's {what.replace('_', ' ')} (please report this)"
    return None
