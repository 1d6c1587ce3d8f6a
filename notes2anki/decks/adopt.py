"""`build --collection`: the package adopts the notes the collection already has.

An import matches notes by GUID only (shared/spec/ANKI-IMPORT.md), and the plugin's notes carry GUIDs
Anki chose, so a plain package would add each of them a second time. Matched as `sync` matches
(decks/sync_plan.py), each card that has a note gets that note's GUID, id and note type in the package,
and the tags sync would give it (an import replaces a note's tags: the plugin's tag it keeps, see
sync_plan.plugin_tags_kept), so a plain import updates the note in place (scheduling and review history
kept).
"""
from __future__ import annotations

from ..config import Config
from ..messages import counted
from ..model import Card, Diagnostic, Vault
from .sync_plan import plan_sync


def collection_adopter(col, vault: Vault, config: Config):
    """For ``build --collection``: ``adopt(card, guid, fields_by_name) -> build.Adopted | None``, giving
    each card that has a note in ``col`` (matched as sync matches) that note's GUID, id and note type,
    so a plain import of the package updates the note instead of adding a copy, and the note's deck and
    note type when they are not the card's (an import changes neither: the build warns). Also returns the
    diagnostics of the matching (cards that would take another vault's note, note type changes that
    only `sync` can make)."""
    import genanki

    from .build import Adopted

    plan = plan_sync(col, vault, config)
    by_key = {c.card.key: c for c in plan.changes if c.nid}
    diags = [d for d in plan.diagnostics if d.severity == "error"]
    if plan.missing:  # sync leaves these out; a package cannot (tester 12-03: "1 new", no word)
        one = len(plan.missing) == 1
        places = ", ".join(plan.missing[:5]) + (" …" if len(plan.missing) > 5 else "")
        diags.append(Diagnostic("", 0, "warning", (
            f"{counted(len(plan.missing), 'card')} ({places}) {'has' if one else 'have'} the ID of a note this "
            "collection no longer holds (deleted in Anki, or by a DELETE line synced before): `sync` leaves "
            f"{'it' if one else 'them'} out, but this package holds {'it' if one else 'them'}, and importing it "
            f"adds {'it' if one else 'them'} again as new; delete {'its card or ID line' if one else 'their cards or ID lines'} "
            "in the vault first, or use `notes2anki sync`")))
    for change in by_key.values():
        if "retyped" in change.kinds:
            diags.append(Diagnostic(change.card.file, change.card.line, "warning",
                                    f"note type changed ({change.old_type} → {change.card.note_type}): an "
                                    f"import cannot change nid:{change.nid}'s type; use `notes2anki sync`"))
    models: dict[int, object] = {}

    def adopt(card: Card, card_guid: str, fields: dict[str, str]):
        change = by_key.get(card.key)
        if change is None:
            return None
        note = col.get_note(change.nid)
        deck = change.old_deck if "moved" in change.kinds else ""  # an import leaves the note in its deck
        if "retyped" in change.kinds:
            return Adopted(note.guid, change.nid, min_mod=note.mod, tags=list(change.tags), deck=deck)
        notetype = note.note_type()
        if notetype["id"] not in models:
            models[notetype["id"]] = genanki.Model(
                model_id=notetype["id"], name=notetype["name"],
                fields=[{"name": f["name"]} for f in notetype["flds"]],
                templates=[{"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]} for t in notetype["tmpls"]],
                css=notetype["css"], model_type=notetype["type"])
        current = dict(zip(note.keys(), note.fields))
        values = [fields[name] if name in fields else current[name] for name in note.keys()]
        return Adopted(note.guid, change.nid, min_mod=note.mod, model=models[notetype["id"]], fields=values,
                       tags=list(change.tags), deck=deck, kept_type=change.kept_type, missing=list(change.missing))

    def deck_of(card_guid: str, deck: str) -> str:
        """The deck Anki has the note with GUID ``card_guid`` in (its decks, comma-separated), when it is not
        ``deck`` (Anki's reading of the name, as sync compares them); "" when it is, or when the collection
        has no such note. For a card ``build`` follows to an earlier card's note (its file renamed): the
        import does not move the note (shared/spec/ANKI-IMPORT.md)."""
        nid = col.db.scalar("select id from notes where guid = ?", card_guid)
        homes = {odid or did for did, odid in col.db.all("select did, odid from cards where nid = ?", nid)} \
            if nid else set()
        if not homes or homes == {col.decks.id_for_name(deck)}:
            return ""
        return ", ".join(sorted(col.decks.name(d) for d in homes))

    adopt.deck_of = deck_of
    # card key -> the GUID of the note it adopts: `build` keeps these notes out of its rename fallback
    # (build_gone.renamed_guids), which gives the cards adopt finds no note for a GUID of an earlier build
    guids = dict(col.db.all("select id, guid from notes")) if by_key else {}
    adopt.matched = {key: guids[change.nid] for key, change in by_key.items() if change.nid in guids}
    new_guids = {c.card.key: c.guid for c in plan.changes if not c.nid and "new" in c.kinds}

    def fresh_guid(card: Card, card_guid: str) -> str:
        """The GUID to package ``card`` under when it adopts no note: ``card_guid``, unless a note of the
        collection has it (a note sync would not give this card: one whose card carried an ID line, say),
        then the GUID sync would add it under (tester 12-03 r17: the import updated that note with this card's
        text, or left the card out)."""
        if card.key in new_guids and new_guids[card.key] != card_guid and \
                col.db.scalar("select 1 from notes where guid = ?", card_guid):
            return new_guids[card.key]
        return card_guid

    adopt.fresh_guid = fresh_guid
    return adopt, diags
