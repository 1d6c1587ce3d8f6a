"""The warnings for notes of a vault that ``sync`` keeps although their cards were not found (moved out of
sync_guards.py unchanged; used by :func:`~notes2anki.decks.sync_guards.plan_deletions`)."""
from __future__ import annotations

from typing import Any

from ..messages import counted

_HELD = {  # why notes whose cards were not found are kept (placeholders: singular or plural, see held_warning)
    "failed": "{notes} whose card{s} {was} not found {is} not deleted: {failed} (fix that, then sync again)",
    "style": "{notes} whose card{s} {was} not found {is} not deleted: a custom regex is set for a note type that "
             "does not exist ({styles}), so no card of that style was read (fix [custom_regexps] or "
             "[note_types], then sync again)",
    "ids": "{notes} whose card{s} {was} not found {is} not deleted: {its} ID line{s} {is} still in the vault (the "
           "card is mistyped or inside a code block: see the near-miss, orphan-id and duplicate-id messages; fix the "
           "card, or delete the ID line to have the note deleted)",
    "excluded_ids": "{notes} whose card{s} {was} not found {is} not deleted: {its} ID line{s} {is} in {a}file{s} "
                    "the settings leave out (`ignore`, `scan_directory` or the plugin's ignored files: moved "
                    "there?); include {that} file{s} again to sync {it}, or delete the note{s} in Anki",
    "moved": "{notes} whose card{s} left this vault {is} not deleted: {its} ID line{s} {is} in another vault this "
             "collection syncs (sync that vault to move {it} there, with {its} review history)",
    "empty": "{notes} of {a}file{s} that {is} empty now, or {is} a cloud client's placeholder (iCloud's "
             "`.name.md.icloud`: not downloaded), {is} not deleted: such a file is more often a save in progress or "
             "a cloud placeholder than cards deleted (delete the file, or leave other text in it, and sync again to "
             "have {it} deleted)",
    "unread": "{notes} whose card{s} {was} not read {is} not deleted: {its} file{s} may hold {it} but {was} left out "
              "this time (a skipped-path warning, or a template folder); include {it_files}, or remove {it_files}, "
              "then sync again",
    "excluded": "{notes} whose file{s} {is} still in the vault {is} not deleted: the settings leave {that} file{s} "
                "out now (`ignore`, `scan_directory` or the plugin's ignored files; a file moved into a folder they "
                "leave out, such as an Archive/, counts); delete the note{s} in Anki, or "
                "delete the card{s} from the file{s}, to have {it} gone",
    "excluded_card": "{notes} whose card{s} {was} not found in {its} file{s} {is} not deleted: a file the settings "
                     "leave out (`ignore`, `scan_directory` or the plugin's ignored files) holds a card with {its} "
                     "text (moved into an Archive/?); delete the note{s} in Anki, or the card{s} from that file, "
                     "to have {it} gone",
}


def held_warning(reason: str, count: int, still: Any) -> str:
    """The warning for ``count`` notes of this vault kept for ``reason`` (a :meth:`StillThere.reason`, or
    "moved"), in the singular for one note."""
    one = count == 1
    words = {"notes": counted(count, "note"), "s": "" if one else "s", "was": "was" if one else "were",
             "is": "is" if one else "are", "its": "its" if one else "their", "it": "it" if one else "them",
             "it_files": "it" if one else "them", "that": "that" if one else "those", "a": "a " if one else "",
             "styles": ", ".join(still.unused_styles),
             "failed": (("its file has" if one else "their files have") + " errors or mistyped card syntax")
             if still.kept_cards else "the vault gave no cards at all"}
    return _HELD[reason].format(**words)
