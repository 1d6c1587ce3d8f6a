"""`ids` writes the identity a card has now (tester U8), also for a user who only builds and imports packages:
the build state says which GUID each card was built under, so same-front cards whose order shifted keep
their own notes, and a record that cannot be used is ignored with a warning."""
from __future__ import annotations

import os
import re

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from tests.conftest import notes_by_field, review_all

PERRO = "START\nBasic\nTranslate:\nBack: perro = dog\nEND\n\n"
GATO = "START\nBasic\nTranslate:\nBack: gato = cat\nEND\n"




def test_ids_after_deleting_the_first_of_two_same_front_cards_keeps_the_built_guid(make_vault, build, anki_import):
    """Build + import, review, delete the first of two same-front cards, `ids`, rebuild + import: the second
    card's package note is its own note (by order it would overwrite the deleted card's note with its text)."""
    root = make_vault({"a.md": PERRO + GATO})
    first = anki_import(build(root).apkg)
    review_all(first.col)
    before = notes_by_field(first.col)
    (root / "a.md").write_text(GATO, "utf-8")
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    log = anki_import(build(root).apkg, first.col).log
    assert not log.new
    assert notes_by_field(first.col) == before  # the deleted card's note keeps its text; an import cannot delete it


def test_ids_gives_a_rewritten_card_of_a_shifted_group_a_new_id(make_vault, build):
    """Three same-front cards built; the first deleted and the second rewritten (its back like no built card's):
    the rewritten card cannot be told from the deleted one (one card, two entries in its gap), so it gets a new
    ID, neither built card's (a note never takes another card's text), the third keeps its own, and a build
    after `ids` says 1 new, 1 unchanged, 2 gone; `--dry-run` writes nothing. (A back edited, not rewritten, is
    told by its likeness: the next test.)"""
    third = "START\nBasic\nTranslate:\nBack: pez = fish\nEND\n"
    other = "START\nBasic\nOther?\nBack: x\nEND\n"
    root = make_vault({"a.md": PERRO + GATO + "\n" + third + "\n" + other})
    build(root)
    built = _built_ids(root)  # a.md:1 perro, a.md:7 gato, a.md:13 pez
    (root / "a.md").write_text(GATO.replace("gato = cat", "ratón = mouse") + "\n" + third + "\n" + other, "utf-8")
    result = CliRunner().invoke(cli_main, ["ids", str(root), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "<!--ID:" not in (root / "a.md").read_text("utf-8")
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "a.md").read_text("utf-8").count("<!--ID:") == 3
    written = [int(n) for n in re.findall(r"<!--ID: (\d+)-->", (root / "a.md").read_text("utf-8"))]
    assert written[1] == built["a.md:13"] and written[0] not in built.values()
    after = build(root)
    assert (after.report.new, after.report.changed, after.report.unchanged) == (1, 0, 2)
    assert sorted(g.where for g in after.report.gone) == ["a.md:1", "a.md:7"]


def _built_ids(root) -> dict[str, int]:
    """``file:line`` -> ID of each card the last build of ``root`` packaged (its build state)."""
    from notes2anki.decks.build import default_state_path
    from notes2anki.decks.state import BuildState

    return {s.where: s.id for s in BuildState.load(default_state_path(root), []).cards.values() if not s.removed}


def test_ids_tells_a_shifted_group_apart_by_an_edited_back_like_its_built_one(make_vault, build):
    """The first of three same-front cards deleted and the second's back edited (like its built back): the
    edited card takes the ID it was built under (same_front.match_group, as sync and build pair it), so a
    build after `ids` packages every card under the GUID it had."""
    third = "START\nBasic\nTranslate:\nBack: pez = fish\nEND\n"
    root = make_vault({"a.md": PERRO + GATO + "\n" + third})
    build(root)
    (root / "a.md").write_text(GATO.replace("cat", "kitty") + "\n" + third, "utf-8")
    before = build(root).report
    assert (before.new, before.changed, before.unchanged) == (0, 1, 1)
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "a.md").read_text("utf-8").count("<!--ID:") == 2
    after = build(root).report
    assert (after.new, after.changed, after.unchanged) == (0, 0, 2) and [g.where for g in after.gone] == ["a.md:1"]


def test_a_damaged_sync_record_is_ignored_with_a_warning(make_vault):
    """The record is input like any other: a file that is not a sync record is ignored (warning naming it) and
    every card gets its implicit ID."""
    from notes2anki.decks.id_record import record_path

    root = make_vault({"a.md": PERRO + GATO})
    path = record_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"version": 1, "cards": "nonsense"}', "utf-8")
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    assert f"{path}: warning: sync record ignored" in result.output
    assert (root / "a.md").read_text("utf-8").count("<!--ID:") == 2
    path.write_text('{"version": 1, "cards": [{"file": "a.md", "group": "x", "digest": "y", "id": "12"}]}', "utf-8")
    (root / "a.md").write_text(PERRO, "utf-8")
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0 and "sync record: 1 entry dropped" in result.output
    assert os.path.getsize(path) > 0
