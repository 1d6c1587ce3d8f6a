"""Notes another program saved while `notes2anki ids` ran, so some of their cards got no ID.

`ids` reads the vault, plans, then writes. An editor saving a note meanwhile is caught for the notes it
writes (:func:`~notes2anki.decks.write_ids.apply_ids` replaces a file only if it still holds the bytes the
edit was computed from). A note it did *not* plan to write is different: read while an editor had it
truncated (empty for a moment) it holds no card, so `ids` had nothing to add there and said nothing,
exit 0 (tester 12-03: "Added 9975 IDs in 399 files", and the 400th had none). :func:`changed_while_running`
reads those notes again after the writes and warns for each whose text changed and now holds cards
without an ID.
"""
from __future__ import annotations

from ..fileio import MAX_NOTE_BYTES, read_bounded
from ..messages import counted
from ..model import Diagnostic, Vault
from .write_ids import BOM, IdsReport


def changed_while_running(vault: Vault, report: IdsReport) -> list[Diagnostic]:
    """One warning (at its first such card) per note of ``vault`` that ``report`` did not plan to edit, whose
    text on disk now differs from the text the run read (``Note.text``) and holds cards without an ID.
    Notes gone or unreadable now, or not UTF-8, are not said (the next command says what is wrong with
    them). Reads every such note once (10,000 notes: a fraction of a second)."""
    if report.read_cards is None:
        return []
    planned = {edit.path for edit in report.edits}
    out = []
    for note in vault.notes:
        if note.path in planned:  # written, or left alone with an error already
            continue
        try:
            raw = read_bounded(vault.root / note.path, MAX_NOTE_BYTES)
            text = raw[len(BOM):].decode("utf-8") if raw.startswith(BOM) else raw.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if text.replace("\r\n", "\n").replace("\r", "\n") == note.text:
            continue
        cards, _ = report.read_cards(note.path, text)
        loose = [c for c in cards if c.id is None]
        if loose:
            out.append(Diagnostic(note.path, loose[0].line, "warning", (
                f"changed by another program while `ids` ran: {counted(len(loose), 'card')} here "
                f"{'has' if len(loose) == 1 else 'have'} no ID yet — run `ids` again")))
    return out
