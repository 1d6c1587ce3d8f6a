"""A vault with mistakes: every problem is reported at file:line and the good cards still reach Anki."""
from __future__ import annotations

GOOD = "START\nBasic\n{q}\nBack: fine\nEND\n"

BROKEN_VAULT = {
    "good.md": GOOD.format(q="good card one") + "\n" + GOOD.format(q="good card two"),
    "unclosed.md": "intro\n\nSTART\nBasic\nnever closed\nBack: x\n",  # START at line 3
    "twostarts.md": "START\nBasic\nfirst, no END\n\nSTART\nBasic\nsecond, fine\nEND\n",  # error at 1
    "types.md": "START\nBasic\nok in types.md\nEND\n\nSTART\nBasik\ntypo in the type\nEND\n",  # line 7
    "fields.md": "START\nBasic\nQ\nText: a Cloze field\nEND\n",  # line 4
    "latin1.md": "Zellbiologie\nSTART\nBasic\nW\xe4rme?\nEND\n".encode("latin-1"),  # byte on line 4
    "image.md": "START\nBasic\nWhat does it show?\nBack: ![[nowhere.png]]\nEND\n",  # warning, card built
    "first.md": "START\nBasic\nfirst with the ID\n<!--ID: 1768062256300-->\nEND\n",
    "second.md": "text\n\nSTART\nBasic\nsecond with the same ID\nID: 1768062256300\nEND\n",
}


def where(diags, severity):
    return {f"{d.file}:{d.line}" for d in diags if d.severity == severity}


def test_each_error_names_its_file_and_line(make_vault, build):
    built = build(make_vault(BROKEN_VAULT))
    errors = where(built.vault.diagnostics, "error")
    assert errors == {"unclosed.md:3", "twostarts.md:1", "types.md:7", "fields.md:4", "latin1.md:4",
                      "second.md:3", "first.md:1"}
    messages = {f"{d.file}:{d.line}": d.message for d in built.vault.errors}
    assert "no END" in messages["unclosed.md:3"]
    assert "next START at line 5" in messages["twostarts.md:1"]
    assert "'Basik'" in messages["types.md:7"]
    assert "'Text'" in messages["fields.md:4"] and "Front, Back" in messages["fields.md:4"]
    assert "UTF-8" in messages["latin1.md:4"]


def test_duplicate_id_error_names_both_places(make_vault, build):
    """Two cards, one ID: both skipped (which is the Anki note's card cannot be told), each error naming
    the other place (tester S24: the first in path order kept the ID, so a copy "Note 1.md" took the
    original's review history)."""
    built = build(make_vault(BROKEN_VAULT))
    dups = sorted((d for d in built.vault.errors if "1768062256300" in d.message), key=lambda d: d.file)
    assert [f"{d.file}:{d.line}" for d in dups] == ["first.md:1", "second.md:3"]
    assert "second.md:3" in dups[0].message and "first.md:1" in dups[1].message
    assert "both skipped" in dups[0].message


def test_missing_image_is_a_warning_and_the_card_is_built(make_vault, build, anki_import):
    built = build(make_vault(BROKEN_VAULT))
    (warning,) = [d for d in built.vault.warnings if "nowhere.png" in d.message]
    assert warning.file == "image.md" and 1 <= warning.line <= 5  # a line of that card (START..END)
    assert str(warning).startswith(f"image.md:{warning.line}: warning: ")
    imp = anki_import(built.apkg)
    note = imp.note("What does it show?")
    assert "nowhere.png" in note.fields[1]  # left as text: the user sees what is missing


def test_the_rest_still_builds_and_imports(make_vault, build, anki_import):
    built = build(make_vault(BROKEN_VAULT))
    imp = anki_import(built.apkg)
    fronts = sorted(n.fields[0] for n in imp.notes())
    assert fronts == sorted(["good card one", "good card two", "second, fine", "ok in types.md",
                             "What does it show?"])
    assert imp.col.note_count() == 5 and len(imp.log.new) == 5
    assert not [f for f in fronts if "never closed" in f or "typo" in f or "the same ID" in f or "the ID" in f]


def test_an_unreadable_file_does_not_hide_the_other_notes(make_vault, build):
    built = build(make_vault(BROKEN_VAULT))
    paths = {n.path for n in built.vault.notes}
    assert "latin1.md" not in paths
    assert {"good.md", "types.md", "image.md"} <= paths
