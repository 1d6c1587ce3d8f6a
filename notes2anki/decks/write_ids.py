"""`notes2anki ids`: write each card's ID into the vault so it keeps its identity through any edit.

The ID written is the card's implicit ID (see identity.py), so a rebuild after `ids` gives every card
the GUID it had before. Only the ID lines are added: every other byte of the file (line endings, BOM,
trailing spaces) stays as it was. Files are replaced atomically (temp file + rename), and a file that
changed on disk since it was read is left alone.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Card, Diagnostic, Vault
from ..parsers.blocks import INLINE, inline_id
from .identity import card_ids, vault_namespace

LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)?")


@dataclass
class FileEdit:
    path: str
    before: bytes
    after: bytes
    ids: list[tuple[int, int]] = field(default_factory=list)  # (line, ID)

    def diff(self) -> str:
        a = self.before.decode("utf-8-sig", "replace").splitlines(keepends=True)
        b = self.after.decode("utf-8-sig", "replace").splitlines(keepends=True)
        return "".join(difflib.unified_diff(a, b, f"a/{self.path}", f"b/{self.path}"))


@dataclass
class IdsReport:
    edits: list[FileEdit] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def split_lines(text: str) -> list[str]:
    """Lines with their own endings (\\r\\n, \\n or \\r), as the parser counts them."""
    return [m.group(0) for m in LINE.finditer(text) if m.group(0)]


def plan_ids(vault: Vault) -> IdsReport:
    """What `ids` would change (nothing is written)."""
    report = IdsReport()
    seen: set[int] = {c.id for c in vault.cards if c.id is not None}
    by_file: dict[str, list[Card]] = {}
    ids = card_ids([c for c in vault.cards if not c.delete], vault_namespace(vault.root))
    for card in vault.cards:
        if card.id is None and not card.delete:
            by_file.setdefault(card.file, []).append(card)
    for rel, cards in sorted(by_file.items()):
        raw = (vault.root / rel).read_bytes()
        edit = _edit_file(rel, raw, cards, ids, seen, report.diagnostics)
        if edit:
            report.edits.append(edit)
    return report


def _edit_file(rel: str, raw: bytes, cards: list[Card], ids: dict[tuple, int], seen: set[int],
               diagnostics: list[Diagnostic]) -> FileEdit | None:
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8") if bom else raw.decode("utf-8")
    lines = split_lines(text)
    edit = FileEdit(rel, raw, raw)
    inserts: dict[int, str] = {}  # 0-based line index -> text inserted before it
    appends: dict[int, str] = {}  # 0-based line index -> a line added after it
    inline_ids: dict[int, list[int | None]] = {}
    for card in cards:
        new_id = ids[card.key]
        if new_id in seen:
            diagnostics.append(Diagnostic(rel, card.line, "error",
                                          f"ID {new_id} is already used by another card; no ID written"))
            continue
        seen.add(new_id)
        edit.ids.append((card.line, new_id))
        if card.kind == "block":
            last = lines[card.end_line - 2]
            eol = last[len(last.rstrip("\r\n")):] or _eol_of(lines)
            inserts[card.end_line - 1] = f"<!--ID: {new_id}-->{eol}"
        elif card.kind == "regex":  # the plugin's place: the line after the match
            appends[card.end_line - 1] = f"<!--ID: {new_id}-->"
        else:
            inline_ids.setdefault(card.line - 1, []).append(new_id)
    if not edit.ids:
        return None
    out: list[str] = []
    for index, line in enumerate(lines):
        if index in inserts:
            out.append(inserts[index])
        if index in inline_ids:
            line = _inline_with_ids(line, inline_ids[index])
        out.append(line)
        if index in appends:
            body = line.rstrip("\r\n")
            eol = line[len(body):]
            out.append(("" if eol else _eol_of(lines)) + appends[index] + (eol or ""))
    new_text = "".join(out)
    edit.after = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")
    return edit


def _eol_of(lines: list[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def _inline_with_ids(line: str, ids: list[int]) -> str:
    """Put ``<!--ID: n--> `` before the ENDI of each inline card on the line that lacks an ID."""
    pieces, pos, pending = [], 0, list(ids)
    for m in INLINE.finditer(line):
        if inline_id(m.group(2)) or not pending:
            continue
        endi = m.end() - len("ENDI")
        pieces.append(line[pos:endi])
        pieces.append(f"<!--ID: {pending.pop(0)}--> ")
        pos = endi
    pieces.append(line[pos:])
    return "".join(pieces)


def apply_ids(vault: Vault, report: IdsReport) -> None:
    """Write the planned edits. A file whose bytes changed since planning is skipped with an error."""
    for edit in report.edits:
        path = vault.root / edit.path
        try:
            current = path.read_bytes()
            if hashlib.sha256(current).digest() != hashlib.sha256(edit.before).digest():
                report.diagnostics.append(Diagnostic(edit.path, 0, "error",
                                                     "file changed on disk while IDs were added; left "
                                                     "unchanged (run `ids` again)"))
                continue
            _atomic_write(path, edit.after)
            report.written.append(edit.path)
        except OSError as exc:
            report.diagnostics.append(Diagnostic(edit.path, 0, "error",
                                                 f"not written: {exc.strerror or exc}"))


def _atomic_write(path: Path, data: bytes) -> None:
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".notes2anki-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


