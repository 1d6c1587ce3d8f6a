"""Card ids in the package: unique however many clozes a note has (issue 11), imported by real Anki."""
from __future__ import annotations

import sqlite3
import zipfile


def cloze_note(n: int) -> str:
    text = " ".join(f"{{{{c{i}::w{i}}}}}" for i in range(1, n + 1))
    return f"START\nCloze\n{text}\n<!--ID: 1111111111111-->\nEND\n\nSTART\nBasic\nOther card\nBack: b\n" \
           f"<!--ID: 1111111111112-->\nEND\n"


def card_rows(apkg):
    with zipfile.ZipFile(apkg) as zf:
        data = zf.read("collection.anki2")
    path = apkg.with_suffix(".anki2")
    path.write_bytes(data)
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, nid, ord FROM cards ORDER BY id").fetchall()
    finally:
        conn.close()


def test_150_clozes_then_another_card(make_vault, build, anki_import):
    root = make_vault({"a.md": cloze_note(150)})
    built = build(root)
    assert [d for d in built.report.diagnostics if d.severity == "error"] == []
    rows = card_rows(built.apkg)
    assert len(rows) == 151 and len({r[0] for r in rows}) == 151
    imported = anki_import(built.apkg)
    assert imported.col.card_count() == 151
    assert imported.col.note_count() == 2
    cloze = imported.note("{{c150::w150}}")
    assert len(cloze.cards()) == 150
    assert len(imported.note("Other card").cards()) == 1


def test_growing_cloze_note_reimports_without_duplicates(make_vault, build, anki_import):
    """The next note's card ids move when an earlier note outgrows its id range; Anki still updates
    the same cards (it matches cards by note and template, not by card id)."""
    root = make_vault({"a.md": cloze_note(2)})
    first = build(root)
    imported = anki_import(first.apkg)
    other_card = imported.note("Other card").cards()[0].id
    (root / "a.md").write_text(cloze_note(150))
    second = build(root)
    anki_import(second.apkg, imported.col)
    assert imported.col.note_count() == 2
    assert imported.col.card_count() == 151
    assert [c.id for c in imported.note("Other card").cards()] == [other_card]


def test_ordinary_notes_keep_card_id_nid_plus_ord(make_vault, build):
    root = make_vault({"a.md": "START\nBasic (and reversed card)\nQ\nBack: A\nEND\n\nSTART\nBasic\nQ2\nBack: B\nEND\n"})
    rows = card_rows(build(root).apkg)
    assert [(cid - nid, o) for cid, nid, o in rows] == [(0, 0), (1, 1), (0, 0)]
