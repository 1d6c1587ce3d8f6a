"""Checks of the card templates a user writes for a note type (``[note_types."Name"] front / back``) and
of their Anki ids, made when the configuration is read, so a mistake is a configuration error naming the
key and its line — not an internal error of Anki or the template renderer at ``build`` / ``sync`` time,
nor a package Anki refuses whole.

The rules are Anki's own (rslib ``template.rs``, ``notetype/cardgen``): a ``{{Field}}`` (or
``{{filter:Field}}``) names a field of the type or a special one; ``{{#X}}`` / ``{{^X}}`` sections close
with ``{{/X}}`` in order; a front template shows at least one field (Anki: "Expected to find a field
replacement on the front of the card template"); a cloze type's front uses ``{{cloze:Field}}``.
"""
from __future__ import annotations

import re

from .config_lines import shown
from .model import Diagnostic, cloze_type

# fields Anki fills itself; FrontSide only on the back
SPECIAL_FIELDS = frozenset({"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"})
MAX_TEMPLATE = 200_000  # characters read of one template (bounded: a regex per tag)
_TAG = re.compile(r"\{\{(.{0,400}?)\}\}", re.S)


def template_problems(name: str, spec: dict) -> list[tuple[str, str]]:
    """(key, message) for each problem of note type ``name``'s templates: ``spec`` has ``fields`` and, when
    set, ``front`` / ``back`` (strings) and ``cloze`` (unset: the name rule, :func:`~notes2anki.model.cloze_type`). Keys are ``front`` or ``back``."""
    fields = [str(f) for f in spec.get("fields") or []]
    known = set(fields)
    out: list[tuple[str, str]] = []
    for side in ("front", "back"):
        template = spec.get(side)
        if not isinstance(template, str):
            continue
        shown_fields = 0
        cloze_fields = 0
        open_sections: list[str] = []
        for match in _TAG.finditer(template[:MAX_TEMPLATE]):
            tag = match.group(1).strip()
            if not tag or tag.startswith("!"):  # a comment
                continue
            if tag[0] in "#^/":
                field = tag[1:].strip()
                if tag[0] == "/":
                    if not open_sections or open_sections[-1] != field:
                        want = f"{{{{/{open_sections[-1]}}}}}" if open_sections else "no open section"
                        out.append((side, f"{{{{/{field}}}}} closes no open section here ({want} expected)"))
                        break
                    open_sections.pop()
                    continue
                open_sections.append(field)
            else:
                parts = tag.split(":")
                field = parts[-1].strip()
                if len(parts) > 1 and parts[-2].strip() == "cloze":
                    cloze_fields += 1
            if field in known:
                shown_fields += tag[0] not in "#^/"
            elif field not in SPECIAL_FIELDS or (field == "FrontSide" and side == "front"):
                out.append((side, f"unknown field {shown(field)} in {{{{{tag[:60]}}}}} (fields: {', '.join(fields)})"))
        else:
            if open_sections:
                out.append((side, f"section {{{{#{open_sections[-1]}}}}} is never closed ({{{{/{open_sections[-1]}}}}})"))
            if side == "front" and not shown_fields:
                out.append((side, "shows no field: Anki needs a field replacement such as "
                                  f"{{{{{fields[0] if fields else 'Front'}}}}} on the front"))
            if side == "front" and cloze_type(name, spec) and not cloze_fields:
                out.append((side, f"a cloze type's front needs {{{{cloze:{fields[0] if fields else 'Text'}}}}}"))
    return out


def check_note_type_templates(note_types: dict[str, dict], source: str, text: str | None,
                              diags: list[Diagnostic]) -> None:
    """Append a configuration error (``source``: the file the note types came from; ``text``: its text, for
    line numbers) for every template problem (:func:`template_problems`) and for two note types given one
    ``id`` (Anki would refuse the whole package: one note type, two field lists)."""
    from .config_files import _problem
    from .config_lines import line_of, toml_key

    def line(name: str, key: str) -> int:
        """The line of ``key`` in the table of note type ``name`` (its table's line when the key is not
        written; 0 when neither is)."""
        return line_of(text, ["note_types", name, key]) if text else 0

    def key(name: str, *rest: str) -> str:  # as the file writes it: note_types."Basic (x)".front
        return ".".join(["note_types", toml_key(name), *rest])

    for name, spec in note_types.items():
        for side, message in template_problems(name, spec):
            diags.append(_problem(source, f"{key(name, side)}: {message}", line(name, side)))
    seen: dict[int, str] = {}
    for name, spec in note_types.items():
        ident = spec.get("id")
        if isinstance(ident, int):
            if ident in seen:
                diags.append(_problem(source, f"{key(name, 'id')}: {ident} is also {key(seen[ident])}'s id "
                                              "(each note type needs its own)", line(name, "id")))
            else:
                seen[ident] = name
