"""Note type changes in `sync`: which ones the vault asks for, and what each one removes from Anki.

Who chose a note's type. A note whose type in Anki is not the card's (:func:`type_matches`) is changed to
the card's type only when the vault asks for it:

- the note is in a note type notes2anki made (its ``notes2anki: `` name, the id notes2anki gives a vault
  note type, :func:`notetypes.type_id_for`, or an id a sync recorded in the registry's ``note_types``) and
  the card's type line is not the one this vault's last sync recorded for the note (``card_types`` in the
  registry, every note's card type; no record: the vault is taken to ask): notes2anki set that type, and
  the card now says another. A note switched in Anki to another of notes2anki's own types ("notes2anki:
  Basic" to "notes2anki: Basic (and reversed card)" for its reverse card), its card's type line as it
  was, keeps it as below;
- or the note is in a type notes2anki did not make, and this vault's last sync recorded the card under
  another note type (``vault_types`` in the registry): the card's type line was edited since.

Otherwise the type was chosen in Anki (the Obsidian_to_Anki plugin never changes a note's type, only its
fields, so its users change types in Anki: "Basic (and reversed card)" for a reverse card, a type with a
field of their own). Such a note keeps its type: when it has every field of the card's type (by name) its
fields are updated by name and the others left alone, as the plugin does; else it is left as it is, with
a warning saying what a change would remove. ``sync --retype`` changes these too.

What a change removes, as Anki's change-notetype operation does it (checked with the anki package 26.9):
between two standard types, the cards of the old templates no new template takes over (by name, else by
position, :func:`template_map`); from a cloze type to a standard one, the cards c(n+1)... beyond the new
type's n templates; to a cloze type, none. Field text is dropped from every old field no new field of
the same name takes over.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property

from ..messages import named
from ..model import Diagnostic
from .notetypes import NAME_PREFIX, models_for, own_name, type_id_for

CLOZE = 1  # Anki's note type kind (``notetype["type"]``) of cloze types


@dataclass
class Loss:
    """What changing one note's type removes: its ``cards`` the new type has no template for, as
    ``(card id, template name, revlog rows, scheduled)`` (``scheduled``: not a new card), and the
    ``fields`` whose text has no place in the new type (field name → the text)."""

    cards: list[tuple[int, str, int, bool]] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def reviewed(self) -> list[tuple[int, str, int, bool]]:
        """The removed cards with review history or scheduling."""
        return [c for c in self.cards if c[2] or c[3]]

    @property
    def at_stake(self) -> bool:
        """Whether the change removes reviewed cards or field text (it is then confirmed as deletions are)."""
        return bool(self.reviewed or self.fields)

    def describe(self) -> str:
        """The loss in words, e.g. ``removes card 'Card 2' (reviewed 2×); drops Mnemonic: 'my hook'``;
        "" when nothing is removed."""
        parts = [f"removes card {name!r}" + (f" (reviewed {n}×)" if n else " (scheduled)" if sched else " (new)")
                 for _, name, n, sched in self.cards]
        parts += [f"drops {name}: {shorten(text)!r}" for name, text in self.fields.items()]
        return "; ".join(parts)

    def to_json(self) -> dict:
        """``{"cards": [{"card_id", "template", "reviews"}], "fields": [{"name", "text"}]}``."""
        return {"cards": [{"card_id": cid, "template": name, "reviews": n} for cid, name, n, _ in self.cards],
                "fields": [{"name": name, "text": plain(text)} for name, text in self.fields.items()]}


def plain(text: str) -> str:
    """A field's HTML as one line of plain text (tags removed, entities decoded)."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", text)).split())


def shorten(text: str, width: int = 40) -> str:
    """:func:`plain` text cut to ``width`` characters with "…"."""
    text = plain(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def has_text(value: str) -> bool:
    """Whether a field holds something a user would miss: text, an image or a sound."""
    return bool(plain(value)) or "<img" in value.lower() or "[sound:" in value


def type_matches(anki_name: str, note_type: str, anki_id: int | None = None, own_ids: frozenset = frozenset()) -> bool:
    """Whether a collection note type is the vault's ``note_type``: the same name, with or without
    notes2anki's prefix (the plugin used the collection's own "Basic", notes2anki ships its own), or one
    of ``own_ids``, the ids this type had before (the one a package gives it, :func:`notetypes.type_id_for`,
    and the one sync last wrote it to), whatever the user renamed it to in Anki."""
    return anki_name in (note_type, NAME_PREFIX + note_type) or anki_id in own_ids


def made_by_notes2anki(notetype: dict, own_ids: frozenset[int], own_names: frozenset[str] = frozenset()) -> bool:
    """Whether a collection note type is one notes2anki made: its name has notes2anki's prefix or is one
    of ``own_names`` (the names it gives the configured ``[note_types]``), or its id is in ``own_ids``
    (every id notes2anki gives a note type, and those the registry records)."""
    name = str(notetype.get("name", ""))
    return name.startswith(NAME_PREFIX) or name in own_names or notetype.get("id") in own_ids


def verdict(notetype: dict, note_type: str, fields: list[str], *, matches: bool, made_by_us: bool,
            recorded: str | None, retype_all: bool = False, last: str | None = None) -> str:
    """What sync does with a note's type (``notetype``: the note's type in Anki; ``note_type`` and
    ``fields``: the card's type and its field names): "same" (already the card's type), "retype" (the
    vault asks for the card's type; see the module doc), "keep" (a type chosen in Anki with every field
    of the card's: fields updated by name) or "hold" (a type chosen in Anki lacking some: left as it is).
    ``recorded``: the card's note type at this vault's last sync, when it left the note in a type
    notes2anki did not make; ``last``: the card's note type at this vault's last sync, for any note (None:
    not recorded); ``made_by_us``: :func:`made_by_notes2anki`; ``retype_all``: ``--retype``."""
    if matches:
        return "same"
    if retype_all or (made_by_us and last != note_type) or (recorded is not None and recorded != note_type):
        return "retype"
    return "keep" if set(fields) <= {f["name"] for f in notetype["flds"]} else "hold"


@dataclass
class Shape:
    """A note type's field names, template names and kind: of a type in the collection, or of the
    model notes2anki would add."""

    fields: list[str]
    templates: list[str]
    cloze: bool

    @classmethod
    def of(cls, notetype: dict) -> "Shape":
        """The shape of a collection note type (a notetype dict)."""
        return cls([f["name"] for f in notetype["flds"]], [t["name"] for t in notetype["tmpls"]],
                   notetype.get("type") == CLOZE)

    @classmethod
    def of_model(cls, model) -> "Shape":
        """The shape of a genanki model (a type sync would add to the collection)."""
        return cls([f["name"] for f in model.fields], [t["name"] for t in model.templates],
                   int(model.model_type) == CLOZE)


@dataclass
class TypeRules:
    """What planning knows to decide each note's type (:meth:`decide`): the vault's note types
    (``types``: name → fields; ``custom``: the configured ``[note_types]`` tables), the Anki ids this vault's
    types synced to (``type_ids``, the registry's ``note_types``; filled in as notes are found in them),
    every id notes2anki gives a type (``own_ids``), the registry's ``recorded`` card types (nid → type, the
    notes left in a type notes2anki did not make), its ``card_types`` (nid → type, every note) and
    ``retype_all`` (``sync --retype``)."""

    types: dict[str, list[str]]
    custom: dict[str, dict]
    type_ids: dict[str, int]
    own_ids: frozenset[int]
    recorded: dict[int, str]
    retype_all: bool = False
    shapes: dict[str, Shape] = field(default_factory=dict)
    card_types: dict[int, str] = field(default_factory=dict)  # nid -> card type at the last sync (any note)

    @cached_property
    def own_names(self) -> frozenset[str]:
        """The names notes2anki gives the configured ``[note_types]`` in Anki (they have no prefix)."""
        return frozenset(own_name(t, self.custom) for t in self.types) - {NAME_PREFIX + t for t in self.types}

    def target(self, col, note_type: str) -> Shape:
        """The shape of the type notes2anki syncs the card type ``note_type`` to: the collection's (as
        ``sync.ensure_notetype`` finds it) or the one it would add."""
        if note_type not in self.shapes:
            model = models_for({note_type: self.types[note_type]}, self.custom)[note_type]
            found = find_notetype(col, model, self.type_ids.get(note_type))
            self.shapes[note_type] = Shape.of(found) if found else Shape.of_model(model)
        return self.shapes[note_type]

    def decide(self, col, change, note, diags: list[Diagnostic]) -> dict[str, str] | None:
        """Set what happens to the note type of ``change`` (a sync_plan.Change of the existing ``note``):
        "retyped" in its kinds with its :class:`Loss`, or ``kept_type``, or left as it is with a warning
        (or an error: no field in common). Returns the fields the note will hold before the vault's text
        is written (name → HTML: after a change, the old field of each name), or None when the note is
        left as it is."""
        card, notetype = change.card, note.note_type()
        change.old_type, change.loss, change.kept_type, change.kept_first = notetype["name"], None, "", False
        change.missing, change.record, change.field_map = [], "", []
        own = frozenset({type_id_for(card.note_type, self.custom), self.type_ids.get(card.note_type)})
        recorded = self.recorded.get(change.nid)
        ours = made_by_notes2anki(notetype, self.own_ids, self.own_names)
        what = verdict(notetype, card.note_type, list(change.fields), made_by_us=ours, recorded=recorded,
                       matches=type_matches(notetype["name"], card.note_type, notetype["id"], own),
                       retype_all=self.retype_all, last=self.card_types.get(change.nid))
        if what != "retype" and (not ours or what != "same"):
            change.record = card.note_type
        current = dict(zip(note.keys(), note.fields))
        if what == "same":
            if notetype["name"] == own_name(card.note_type, self.custom) or notetype["id"] in own:
                self.type_ids.setdefault(card.note_type, notetype["id"])
            return current
        if what == "keep":
            change.kept_type, change.kept_first = notetype["name"], recorded != card.note_type
            return current
        change.loss = loss_of(col, change.nid, notetype, self.target(col, card.note_type))
        if what == "hold":
            change.kept_type = notetype["name"]
            change.missing = [f for f in change.fields if f not in current]
            common = any(i >= 0 for i in field_map(notetype, list(change.fields)))
            how = (f"changing it to {card.note_type!r} {change.loss.describe() or 'removes nothing'}: run sync "
                   "with --retype to change it, or change" if common else "no field has a name of the card's "
                   "type's: change") + " the card's note type (or the note's, in Anki: Browse > Notes > Change Note Type)"
            diags.append(Diagnostic(card.file, card.line, "warning", (
                f"note nid:{change.nid} has the note type {notetype['name']!r} in Anki, not the card's "
                f"{card.note_type!r}: a type chosen in Anki is kept, but it has no "
                f"{named('field', change.missing)}, so the note is left as it is; {how}")))
            return None
        change.field_map = field_map(notetype, list(change.fields))
        if all(i < 0 for i in change.field_map):
            diags.append(Diagnostic(card.file, card.line, "error",
                                    f"note type changed from {notetype['name']!r} to {card.note_type!r} but "
                                    f"no field has the same name: nid:{change.nid} left as it is (change it "
                                    "in Anki: Browse > Notes > Change Note Type)"))
            change.fields, change.loss, change.keep_card_type = {}, None, True
            if not ours:
                change.record = recorded or ""  # still what the last sync recorded: asked again next time
            return None
        change.kinds.append("retyped")
        return {name: note.fields[i] if i >= 0 else "" for name, i in zip(change.fields, change.field_map)}


def find_notetype(col, model, known_id: int | None = None) -> dict | None:
    """The collection's note type for a notes2anki (genanki) model, read only: the one sync last wrote it
    to (``known_id``) or the one with the model's id, whatever the user renamed it to in Anki, when it
    still has the model's fields (fields the user added stay); else the one of the model's name with the
    same fields; None when there is none (sync then adds it)."""
    want = [f["name"] for f in model.fields]
    for mid in (known_id, model.model_id):
        own = col.models.get(mid) if mid else None
        if own and set(want) <= {f["name"] for f in own["flds"]}:
            return own
    found = col.models.by_name(model.name)
    if found and [f["name"] for f in found["flds"]] == want:
        return found
    return None


def loss_of(col, nid: int, old: dict, new: Shape) -> Loss:
    """What changing the note ``nid`` from its type ``old`` (a notetype dict) to ``new`` removes: its cards
    no new template takes over (with their revlog rows) and its field text no new field takes over."""
    old_shape = Shape.of(old)
    if new.cloze:
        kept = None  # every card stays
    elif old_shape.cloze:
        kept = set(range(len(new.templates)))
    else:
        kept = {i for i in template_map(old, new) if i >= 0}
    loss = Loss()
    for cid, ord_, kind in col.db.all("select id, ord, type from cards where nid = ? order by ord", nid):
        if kept is None or ord_ in kept:
            continue
        if old_shape.cloze:
            name = f"c{ord_ + 1}"
        else:
            name = old_shape.templates[ord_] if ord_ < len(old_shape.templates) else f"card {ord_ + 1}"
        reviews = col.db.scalar("select count() from revlog where cid = ?", cid) or 0
        loss.cards.append((cid, name, int(reviews), kind != 0))
    mapped = {i for i in field_map(old, new.fields) if i >= 0}
    values = col.db.scalar("select flds from notes where id = ?", nid) or ""
    for i, (name, value) in enumerate(zip(old_shape.fields, values.split("\x1f"))):
        if i not in mapped and has_text(value):
            loss.fields[name] = value
    return loss


def template_map(old_notetype: dict, new_notetype: dict | Shape) -> list[int]:
    """For each template of the new note type, the old template whose cards (and review history) it
    takes over: the one of the same name, else the one at the same position when that name is not
    used by the new type; -1: new cards."""
    old = [t["name"] for t in old_notetype["tmpls"]]
    new = new_notetype.templates if isinstance(new_notetype, Shape) else [t["name"] for t in new_notetype["tmpls"]]
    return [old.index(t) if t in old else (i if i < len(old) and old[i] not in new else -1)
            for i, t in enumerate(new)]


def field_map(old_notetype: dict, new_fields: list[str]) -> list[int]:
    """For each field of the new note type, the old field of the same name (case-insensitive), or -1."""
    lower = {f["name"].casefold(): i for i, f in enumerate(old_notetype["flds"])}
    return [lower.get(name.casefold(), -1) for name in new_fields]


def recorded_types(entry) -> dict[int, str]:
    """A registry entry's ``vault_types`` (``{card note type: [nid, ...]}``, the notes the last sync left
    in a type notes2anki did not make) as ``nid → card note type``; ill-formed items ignored."""
    types = entry.get("vault_types") if isinstance(entry, dict) else None
    out: dict[int, str] = {}
    for name, nids in (types.items() if isinstance(types, dict) else ()):
        if isinstance(name, str) and isinstance(nids, list):
            out.update({n: name for n in nids if isinstance(n, int) and not isinstance(n, bool)})
    return out


def recorded_card_types(entry) -> dict[int, str]:
    """A registry entry's ``card_types`` (:func:`record_card_types`) as ``nid → card note type``: every note
    of the entry's ``notes`` not listed has the ``default`` type; ill-formed items ignored."""
    types = entry.get("card_types") if isinstance(entry, dict) else None
    if not isinstance(types, dict):
        return {}
    out: dict[int, str] = {}
    default, notes = types.get("default"), entry.get("notes")
    if isinstance(default, str) and isinstance(notes, dict):
        out.update({int(k): default for k in notes if isinstance(k, str) and k.isascii() and k.isdigit()})
    others = types.get("others")
    for name, nids in (others.items() if isinstance(others, dict) else ()):
        if isinstance(name, str) and isinstance(nids, list):
            out.update({n: name for n in nids if isinstance(n, int) and not isinstance(n, bool)})
    return out


def record_card_types(types: dict[int, str]) -> dict:
    """``nid → card note type`` in the registry's compact form: ``{"default": the most used type, "others":
    {type: [nid, ...]}}`` (the notes of the default type are those of the entry's ``notes`` not listed)."""
    counts: dict[str, int] = {}
    for name in types.values():
        counts[name] = counts.get(name, 0) + 1
    default = max(sorted(counts), key=counts.__getitem__)
    return {"default": default, "others": record_types({n: t for n, t in types.items() if t != default})}


def record_types(types: dict[int, str]) -> dict[str, list[int]]:
    """``nid → card note type`` in the registry's form, ``{card note type: [nid, ...]}`` (sorted)."""
    out: dict[str, list[int]] = {}
    for nid, name in sorted(types.items()):
        out.setdefault(name, []).append(nid)
    return dict(sorted(out.items()))
