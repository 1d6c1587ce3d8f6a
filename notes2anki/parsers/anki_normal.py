"""What Anki changes in a note when it saves one, done here first, so what we write is what Anki keeps.

A field or tag that Anki stores differently from what we sent would differ from the vault's on every
``sync`` (the note "updated", a backup written, AnkiWeb uploading it, forever). Checked with the ``anki``
package 26.9 (``Collection.add_note`` / ``update_note``; rslib ``notes/mod.rs``, ``tags/``):

- fields: every ASCII control character but tab and line feed is removed (U+0000–U+0008, U+000B,
  U+000C, U+000D, U+000E–U+001F, U+007F; ``'a\\x0cb'`` is stored ``'ab'``). Such characters come from
  text pasted out of PDFs (form feed: a page break) and Word/PowerPoint (vertical tab: a line break).
  We replace vertical tab and form feed by a space (both separate words where the text came from; HTML
  reads a form feed as a space) and remove the others, as Anki does.
- tags: the same control characters are removed (``'a\\x01b'`` → ``'ab'``), and an empty level between
  ``::`` is named ``blank`` (``'a::::b'`` → ``'a::blank::b'``, ``'::a'`` → ``'blank::a'``). We drop
  empty levels instead (``a::b``), as for deck names.
"""
from __future__ import annotations

import re

# what Anki removes from a field: ASCII controls but tab (\t) and line feed (\n)
FIELD_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_AS_SPACE = {"\x0b", "\x0c"}  # vertical tab, form feed: they separate words where the text came from
_NAMES = {"\x0b": "vertical tab", "\x0c": "form feed", "\x1b": "escape", "\x7f": "delete", "\x0d": "carriage return",
          "\x1f": "Anki's field separator", "\x00": "null"}
TAG_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def clean_field(html: str) -> tuple[str, list[str]]:
    """``html`` as Anki will store it, and the control characters taken out (distinct, in order).

    Vertical tab and form feed become a space; the other characters Anki removes are removed."""
    found = list(dict.fromkeys(FIELD_CONTROLS.findall(html)))
    if not found:
        return html, []
    return FIELD_CONTROLS.sub(lambda m: " " if m.group(0) in _AS_SPACE else "", html), found


def controls_message(field: str, found: list[str]) -> str:
    """The ``render`` warning for the control characters ``found`` in field ``field``."""
    if found == ["\x1f"]:  # (the wording users of earlier versions know)
        return (f"field {field!r} holds the invisible character U+001F (Anki's field separator, often pasted "
                "from a PDF); removed")
    codes = ", ".join(f"U+{ord(c):04X}" + (f" ({_NAMES[c]})" if c in _NAMES else "") for c in found)
    spaced = [c for c in found if c in _AS_SPACE]
    what = "replaced by a space" if len(spaced) == len(found) else (
        "removed" if not spaced else "vertical tab and form feed replaced by a space, the others removed")
    plural = "s" if len(found) > 1 else ""
    return (f"field {field!r} holds the invisible control character{plural} {codes}, often pasted from a PDF "
            f"or slides; Anki removes {'them' if plural else 'it'} when it saves a note: {what}")


def tag_levels(tag: str) -> str:
    """A tag (already without spaces) as Anki keeps it, empty levels dropped: no control characters,
    no level between ``::`` that is empty (``a::::b`` → ``a::b``), no ``:`` at either end."""
    tag = TAG_CONTROLS.sub("", tag)
    return "::".join(part for part in tag.split("::") if part).strip(":")


def tag_problem(raw: str, tag: str, show=repr) -> str | None:
    """Why the tag written ``raw`` is read as ``tag`` (what :func:`notes2anki.parsers.rules.normalise_tag`
    made of it), or None when it is read as written: a control character (Anki removes it), an empty
    level between ``::`` (Anki would name it ``blank``), a space inside it (an Anki tag cannot hold one:
    Anki separates tags by spaces; read with ``_``, ``two words`` → ``two_words``). ``show``: how a tag is
    written in the message (``'two words'`` for a note's tag; a configuration's as TOML writes it,
    ``config_lines.shown``: ``"two words"``)."""
    bare = raw.strip().lstrip("#").strip()
    joined = "_".join(bare.replace("/", "::").split())
    if TAG_CONTROLS.search(joined):
        return f"tag {show(raw.strip())} holds a control character, which Anki removes; read as {show(tag)}"
    if "::" in joined and any(not part for part in joined.split("::")):
        read = f"read as {show(tag)}" if tag else "ignored"
        return f"tag {show(raw.strip())} has empty levels between '::' (Anki would name them 'blank'); {read}"
    if len(bare.split()) > 1:
        return f"tag {show(raw.strip())} holds a space, which an Anki tag cannot (Anki separates tags by spaces); read as {show(tag)}"
    return None
