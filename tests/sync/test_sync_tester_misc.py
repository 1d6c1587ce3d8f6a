"""Tester findings (fix-misc): DELETE after a blank line, a type chosen in Anki among notes2anki's own,
held mass deletions in `sync --json`, the ID-less count after a partly failed `--write-ids`."""
from __future__ import annotations

import json
import re

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from .test_sync_tester_0430 import CARD, _notes, _synced


def _id_of(text: str) -> int:
    return int(re.search(r"<!--ID: (\d+)-->", text).group(1))


def test_delete_then_a_blank_line_then_the_id_is_not_a_delete_marker(make_vault, sync_cli, tmp_path):
    """`DELETE`, a blank line, then the card's ID line: the plugin's EMPTY_REGEXP (the Delete Note Line, at
    most one newline, the ID) does not match, so it marks nothing; notes2anki deleted the reviewed note.
    Now the card is kept (DELETE is its text, as in the plugin) with a warning saying why."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q="Kept question?", a="x"),
                                                              "o.md": CARD.format(q="Other?", a="y")})
    assert sync_cli(root, col_path, "--yes", "--write-ids").exit_code == 0
    text = (root / "a.md").read_text("utf-8")
    nid = _id_of(text)
    (root / "a.md").write_text(text.replace(f"<!--ID: {nid}-->", f"DELETE\n\n<!--ID: {nid}-->"), "utf-8")
    check = CliRunner().invoke(cli_main, ["check", str(root)])
    assert re.search(r"a\.md:5: warning: DELETE is read as the card's text.*blank line", check.output), check.output
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert _notes(col_path) == {"Kept question?": 1, "Other?": 1}
    (root / "a.md").write_text(text.replace(f"<!--ID: {nid}-->", f"DELETE\n<!--ID: {nid}-->"), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")  # directly above its ID line: a marker
    assert [d["reason"] for d in json.loads(result.stdout)["deleted"]] != []
    assert _notes(col_path) == {"Other?": 1}


def _change_type_in_anki(col_path, nid: int, to_name: str) -> None:
    """What a user does in Anki's Browse > Notes > Change Note Type (fields and templates mapped by name)."""
    from anki.collection import Collection

    col = Collection(str(col_path))
    try:
        note = col.get_note(nid)
        info = col.models.change_notetype_info(old_notetype_id=note.mid,
                                               new_notetype_id=col.models.by_name(to_name)["id"])
        request = info.input
        request.note_ids.extend([nid])
        col.models.change_notetype_of_notes(request)
    finally:
        col.close()


def _front_nid(col_path, front: str) -> int:
    from anki.collection import Collection

    col = Collection(str(col_path))
    try:
        return next(n for n in col.find_notes("") if col.get_note(n).fields[0] == front)
    finally:
        col.close()


def test_v5_a_note_switched_in_anki_to_another_notes2anki_type_keeps_it(make_vault, sync_cli, tmp_path):
    """V5: a note in notes2anki's Basic that the user switched in Anki to notes2anki's own "Basic (and reversed
    card)" (for its reverse card) was retyped back by the next sync, deleting the reverse card and its
    reviews. Now kept while the card's type line is what it was at the last sync; a later edit of the type
    line is a change the vault asks for (confirmed when it removes reviewed cards)."""
    from .test_sync_retype import _review_all, seen

    block = "START\n{t}\n{q}\nBack: {a}\nEND\n"
    files = {"a.md": block.format(t="Basic", q="Hund", a="dog"),
             "b.md": block.format(t="Basic (and reversed card)", q="Katze", a="cat")}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    nid = _front_nid(col_path, "Hund")
    _change_type_in_anki(col_path, nid, "notes2anki: Basic (and reversed card)")
    from anki.collection import Collection

    col = Collection(str(col_path))
    try:
        _review_all(col, nid)
    finally:
        col.close()
    before = seen(col_path, nid)
    assert before["type"] == "notes2anki: Basic (and reversed card)" and before["cards"] == {0: 2, 1: 1}

    (root / "a.md").write_text(block.format(t="Basic", q="Hund", a="dog (m.)"), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["retyped"] == [] and [u["fields"] for u in report["updated"]] == [["Back"]]
    assert [(k["nid"], k["type"], k["card_type"]) for k in report["kept_type"]] == [
        (nid, "notes2anki: Basic (and reversed card)", "Basic")]
    after = seen(col_path, nid)
    assert after["type"] == "notes2anki: Basic (and reversed card)" and after["cards"] == before["cards"]
    again = json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)
    assert again["retyped"] == [] and again["kept_type"] == [] and seen(col_path, nid)["cards"] == before["cards"]

    # the vault's card asks for another type: "Cloze"-free edit to the optional reversed type and back
    (root / "a.md").write_text(block.format(t="Basic (and reversed card)", q="Hund", a="dog (m.)"), "utf-8")
    assert json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)["retyped"] == []
    (root / "a.md").write_text(block.format(t="Basic", q="Hund", a="dog (m.)"), "utf-8")
    declined = sync_cli(root, col_path)  # removes the reviewed reverse card: confirmed as deletions are
    assert "1 note not retyped" in declined.output, declined.output
    done = json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)
    assert [(r["from"], r["to"]) for r in done["retyped"]] == [("notes2anki: Basic (and reversed card)", "Basic")]
    assert seen(col_path, nid)["type"] == "notes2anki: Basic"


def test_v12_an_inline_near_miss_keeps_the_reviewed_note(make_vault, sync_cli, tmp_path):
    """V12: an inline card edited to `back:` (lowercase) reads as a front-only card (as in the plugin): the
    near-miss warning names the line, and sync does not delete the reviewed note of the card as it was."""
    files = {"a.md": "STARTI [Basic] Hund Back: dog ENDI\n", "o.md": CARD.format(q="Other?", a="y")}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    (root / "a.md").write_text("STARTI [Basic] Hund back: the dog ENDI\n", "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert "a.md:1: warning: 'back:' does not start the field 'Back'" in result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert _notes(col_path)["Hund"] == 1


def test_sync_json_lists_the_deletions_the_mass_delete_guard_held(make_vault, sync_cli, tmp_path):
    """V13a: with ≥ 10 notes and more than a quarter of the vault gone, `sync --json` said `"deleted": []`
    and nothing of the held deletions (only a warning on stderr): a script could not tell them. Now listed
    under `held_deletions`, as `deleted` lists (ITEM + reason), and made with --allow-mass-delete."""
    files = {f"n{i}.md": CARD.format(q=f"Question {i}?", a=f"answer {i}") for i in range(1, 13)}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    for i in range(2, 13):
        (root / f"n{i}.md").unlink()
    report = json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)
    assert report["deleted"] == []
    held = report["held_deletions"]
    assert sorted(d["file"] for d in held) == sorted(f"n{i}.md" for i in range(2, 13))
    assert {d["reason"] for d in held} == {"removed"} and all(d["nid"] and d["line"] == 1 for d in held)
    assert len(_notes(col_path)) == 12
    done = json.loads(sync_cli(root, col_path, "--yes", "--allow-mass-delete", "--json").stdout)
    assert done["held_deletions"] == [] and len(done["deleted"]) == 11
    assert _notes(col_path) == {"Question 1?": 1}


def test_write_ids_partly_failed_counts_the_cards_really_left_without_an_id(make_vault, sync_cli, tmp_path):
    """U20 rest: `sync --write-ids` with one file that could not be written (read-only) said "4 cards in 2
    files have no ID", the count from before writing; 1 card got its ID. Now the count is what is left."""
    root = make_vault({"a.md": "\n".join(CARD.format(q=f"Question {i}?", a="x") for i in range(3)),
                       "b.md": CARD.format(q="Other?", a="y")})
    (root / "a.md").chmod(0o444)
    from .plugin_users import empty_collection

    result = sync_cli(root, empty_collection(tmp_path), "--yes", "--write-ids")
    assert result.exit_code == 1, result.output  # the file not written is an error
    assert "<!--ID: " in (root / "b.md").read_text("utf-8") and "ID:" not in (root / "a.md").read_text("utf-8")
    assert "a.md: error: no IDs written: read-only" in result.output
    assert "3 cards in 1 file have no ID" in result.output, result.output
    assert "4 cards in 2 files" not in result.output


def test_write_ids_failing_at_the_write_counts_the_cards_really_left_without_an_id(make_vault, sync_cli, tmp_path,
                                                                                  monkeypatch):
    """The other way a `--write-ids` write fails: planned, then the note saved by an editor before the rename
    (`changed on disk while IDs were added`). The no-ID warning counts that file's cards as still without an
    ID, and only them."""
    import notes2anki.decks.write_ids as write_ids
    from .plugin_users import empty_collection

    root = make_vault({"a.md": "\n".join(CARD.format(q=f"Question {i}?", a="x") for i in range(3)),
                       "b.md": CARD.format(q="Other?", a="y")})
    real_write = write_ids.atomic_write

    def editor_saves_a_first(target, data, expect=None):
        if target.name == "a.md":
            target.write_text(target.read_text("utf-8") + "\nmore text\n", "utf-8")
        return real_write(target, data, expect=expect)

    monkeypatch.setattr(write_ids, "atomic_write", editor_saves_a_first)
    result = sync_cli(root, empty_collection(tmp_path), "--yes", "--write-ids")
    assert result.exit_code == 1, result.output
    assert "a.md: error: changed on disk while IDs were added" in result.output
    assert "<!--ID: " in (root / "b.md").read_text("utf-8") and "ID:" not in (root / "a.md").read_text("utf-8")
    assert "3 cards in 1 file have no ID" in result.output, result.output
