"""Tester 12-03 round 14, with the official `anki` package: twins (two `Translate:` cards of one file with the
back `el gato`, no ID) studied apart, then one twin edited while the file was renamed (`L.md` -> `M.md`) or
while a card was inserted above them. Plain `build` pairs twins by place (exact text first, twins by nearest
place, then the edit), but `sync` gave the unedited twin the first note of its text it found: the note the
user studied as the edited twin took the unedited text and the other twin's note the edit (their review
histories swapped). Now `sync`, `build --collection` and `ids --collection` pair them as `build` does
(sync_twins.py)."""
from __future__ import annotations

import json

import pytest
from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from tests.conftest import review_back, review_note

from .plugin_users import empty_collection

CARD = "START\nBasic\nTranslate:\nBack: {}\nEND\n\n"
BEFORE = ["el perro", "el gato", "el gato", "la casa"]


def _lesson(*backs: str) -> str:
    return "".join(CARD.format(b) for b in backs)


NAMES = ("first", "second", "third")


def _studied(make_vault, sync_cli, build, tmp_path, how: str, before=BEFORE, reps=(1, 3)):
    """The lesson L.md (``before``) added to a new collection (`how`: by a sync, or a build imported), its
    first twin reviewed once and its second twin three times (``reps``: per twin). Returns (vault, collection
    path, {twin: nid})."""
    root = make_vault({"L.md": _lesson(*before)})
    col_path = empty_collection(tmp_path)
    if how == "sync":
        result = sync_cli(root, col_path, "--yes")
        assert result.exit_code == 0, result.output
    col = Collection(str(col_path))
    try:
        if how == "import":
            from tests.conftest import import_into

            import_into(col, build(root).apkg)
        gatos = sorted(col.find_notes('"Back:el gato"'))  # the notes in the cards' first order
        assert len(gatos) == len(reps) and col.note_count() == len(before)
        for nid, times in zip(gatos, reps):
            review_note(col, nid, times)
    finally:
        col.close()
    return root, col_path, dict(zip(NAMES, gatos))


def _seen(col_path) -> dict[int, tuple[str, int, int]]:
    """What the user sees: nid -> (its back, its card's reps, its revlog rows)."""
    col = Collection(str(col_path))
    try:
        out = {}
        for nid in col.find_notes(""):
            cid = col.card_ids_of_note(nid)[0]
            out[nid] = (col.get_note(nid)["Back"], col.get_card(cid).reps,
                        col.db.scalar("select count() from revlog where cid = ?", cid))
        return out
    finally:
        col.close()


def _synced(sync_cli, root, col_path) -> dict:
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("how", ["sync", "import"])
@pytest.mark.parametrize("edited", ["first", "second"])
def test_a_renamed_file_with_one_twin_edited_keeps_each_twins_history(make_vault, sync_cli, build, tmp_path,
                                                                       how, edited):
    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, how)
    kept = "second" if edited == "first" else "first"
    backs = list(BEFORE)
    backs[1 if edited == "first" else 2] = "el gato negro"
    (root / "L.md").unlink()
    (root / "M.md").write_text(_lesson(*backs), "utf-8")
    report = _synced(sync_cli, root, col_path)
    assert report["new"] == [] and report["deleted"] == []
    assert [u["file"] for u in report["updated"]] == ["M.md"]
    seen = _seen(col_path)
    reps = {"first": 1, "second": 3}
    assert seen[twins[edited]] == ("el gato negro", reps[edited], reps[edited])  # the edit on the note studied
    assert seen[twins[kept]] == ("el gato", reps[kept], reps[kept])  # the other twin untouched
    assert len(seen) == 4
    assert _synced(sync_cli, root, col_path)["updated"] == []  # and it stays so


@pytest.mark.parametrize("how", ["sync", "import"])
@pytest.mark.parametrize("edited", ["first", "second"])
def test_a_card_inserted_above_twins_with_one_twin_edited_keeps_each_twins_history(make_vault, sync_cli, build,
                                                                                  tmp_path, how, edited):
    """In place: `el pez` inserted after `el perro`, one twin edited. Each twin keeps its own note: the
    first twin edited (the tester's case, round 14), and the second (round 15: the unedited twin, nearer the
    second twin's old place, took its note and `el gato negro` the first twin's; now the group is aligned
    as a whole, the edit beside the old text most like it: twin_align.py)."""
    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, how)
    backs = ["el perro", "el pez", "el gato", "el gato", "la casa"]
    backs[2 if edited == "first" else 3] = "el gato negro"
    (root / "L.md").write_text(_lesson(*backs), "utf-8")
    report = _synced(sync_cli, root, col_path)
    assert [n["file"] for n in report["new"]] == ["L.md"] and report["deleted"] == []
    seen = _seen(col_path)
    kept = "second" if edited == "first" else "first"
    reps = {"first": 1, "second": 3}
    assert seen[twins[edited]] == ("el gato negro", reps[edited], reps[edited])  # the edit on the note studied
    assert seen[twins[kept]] == ("el gato", reps[kept], reps[kept])
    assert sorted(back for back, _, _ in seen.values()) == sorted(backs)
    assert _synced(sync_cli, root, col_path)["updated"] == []


def _renamed_with_second_twin_edited(make_vault, sync_cli, build, tmp_path):
    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, "import")
    (root / "L.md").unlink()
    (root / "M.md").write_text(_lesson("el perro", "el gato", "el gato negro", "la casa"), "utf-8")
    return root, col_path, twins


def test_build_collection_pairs_twins_as_sync_does(make_vault, sync_cli, build, cli_build, tmp_path):
    root, col_path, twins = _renamed_with_second_twin_edited(make_vault, sync_cli, build, tmp_path)
    result, apkg = cli_build(root, "--collection", str(col_path))
    assert result.exit_code == 0, result.output
    col = Collection(str(col_path))
    try:
        from tests.conftest import import_into

        log = import_into(col, apkg)
        assert len(log.new) == 0
    finally:
        col.close()
    seen = _seen(col_path)
    assert seen[twins["first"]] == ("el gato", 1, 1) and seen[twins["second"]] == ("el gato negro", 3, 3)
    assert len(seen) == 4


def _ids_then_sync(sync_cli, root, col_path, twins: dict, *args: str) -> None:
    """`ids` (with ``args``) writes the 4 IDs of M.md, and the sync after it keeps each twin on its note: the
    first twin `el gato` with its 1 review, the second `el gato negro` with its 3, nothing new or deleted."""
    result = CliRunner().invoke(cli_main, ["ids", str(root), *args])
    assert result.exit_code == 0, result.output
    assert (root / "M.md").read_text("utf-8").count("<!--ID:") == 4
    report = _synced(sync_cli, root, col_path)
    assert report["new"] == [] and report["deleted"] == []
    seen = _seen(col_path)
    assert seen[twins["first"]] == ("el gato", 1, 1) and seen[twins["second"]] == ("el gato negro", 3, 3)
    assert len(seen) == 4


def test_ids_with_the_collection_pairs_twins_as_sync_does(make_vault, sync_cli, build, tmp_path):
    root, col_path, twins = _renamed_with_second_twin_edited(make_vault, sync_cli, build, tmp_path)
    _ids_then_sync(sync_cli, root, col_path, twins, "--collection", str(col_path))


@pytest.mark.parametrize("how", ["sync", "import"])
def test_ids_from_the_record_alone_pairs_renamed_twins_by_place(make_vault, sync_cli, build, tmp_path, how):
    """Plain `ids` (the sync record, or the build state after an import): the unedited twin was given no ID
    (an error: two notes' text) and the edited twin a new ID, so the next build or sync left the studied
    note for a new one."""
    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, how)
    (root / "L.md").unlink()
    (root / "M.md").write_text(_lesson("el perro", "el gato", "el gato negro", "la casa"), "utf-8")
    _ids_then_sync(sync_cli, root, col_path, twins)


def _twin_ids(path) -> list[int]:
    """The IDs written below the `el gato` cards of ``path``, in file order."""
    blocks = path.read_text("utf-8").split("END")
    return [int(b.split("<!--ID:")[1].split("-->")[0]) for b in blocks if "Back: el gato\n" in b]


@pytest.mark.parametrize("how", ["build", "ids --collection"])
def test_unedited_twins_of_a_renamed_file_with_a_card_inserted_above_keep_their_order(make_vault, sync_cli, build,
                                                                                      tmp_path, how):
    """`build` paired renamed twins by nearest place one by one (the first twin, now one place lower, took the
    second twin's entry and the second the first's), `sync` in order: both pair them in order now."""
    from tests.conftest import import_into
    from notes2anki.decks.identity import guid_of

    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, "import")
    (root / "L.md").unlink()
    (root / "M.md").write_text(_lesson("el perro", "el pez", "el gato", "el gato", "la casa"), "utf-8")
    if how == "build":
        col = Collection(str(col_path))
        try:
            assert len(import_into(col, build(root).apkg).new) == 1  # el pez
        finally:
            col.close()
        args = ["ids", str(root)]
    else:
        args = ["ids", str(root), "--collection", str(col_path)]
    result = CliRunner().invoke(cli_main, args)
    assert result.exit_code == 0, result.output
    col = Collection(str(col_path))
    try:
        by_guid = {col.get_note(twins[t]).guid: twins[t] for t in ("first", "second")}
    finally:
        col.close()
    # an ID line names its note by the GUID it gives, or (a renamed card's, from the collection) the note id
    assert [by_guid.get(guid_of(i), i) for i in _twin_ids(root / "M.md")] == [twins["first"], twins["second"]]
    report = _synced(sync_cli, root, col_path)
    assert report["deleted"] == [] and report["updated"] == []
    seen = _seen(col_path)
    assert seen[twins["first"]] == ("el gato", 1, 1) and seen[twins["second"]] == ("el gato", 3, 3)


@pytest.mark.parametrize("how", ["sync", "import"])
@pytest.mark.parametrize("edited", ["first", "second"])
def test_a_card_deleted_above_twins_with_one_twin_edited_keeps_each_twins_history(make_vault, sync_cli, build,
                                                                                  tmp_path, how, edited):
    """In place: `el perro` deleted above the twins, one twin edited: each twin keeps its own note."""
    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, how)
    backs = ["el gato", "el gato", "la casa"]
    backs[0 if edited == "first" else 1] = "el gato negro"
    (root / "L.md").write_text(_lesson(*backs), "utf-8")
    report = _synced(sync_cli, root, col_path)
    assert report["new"] == [] and len(report["deleted"]) == 1
    seen = _seen(col_path)
    kept = "second" if edited == "first" else "first"
    reps = {"first": 1, "second": 3}
    assert seen[twins[edited]] == ("el gato negro", reps[edited], reps[edited])
    assert seen[twins[kept]] == ("el gato", reps[kept], reps[kept])
    assert sorted(back for back, _, _ in seen.values()) == sorted(backs)
    assert _synced(sync_cli, root, col_path)["updated"] == []


@pytest.mark.parametrize("how", ["sync", "import"])
def test_three_twins_the_middle_one_edited_below_an_inserted_card(make_vault, sync_cli, build, tmp_path, how):
    """Three twins studied 1, 3 and 2 times, `el pez` inserted above them and the middle twin edited: the
    middle twin's note takes the edit, the others keep their text, each its history."""
    before = ["el perro", "el gato", "el gato", "el gato", "la casa"]
    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, how, before, (1, 3, 2))
    backs = ["el perro", "el pez", "el gato", "el gato gris", "el gato", "la casa"]
    (root / "L.md").write_text(_lesson(*backs), "utf-8")
    report = _synced(sync_cli, root, col_path)
    assert [n["file"] for n in report["new"]] == ["L.md"] and report["deleted"] == []
    seen = _seen(col_path)
    assert seen[twins["first"]] == ("el gato", 1, 1)
    assert seen[twins["second"]] == ("el gato gris", 3, 3)
    assert seen[twins["third"]] == ("el gato", 2, 2)
    assert _synced(sync_cli, root, col_path)["updated"] == []


def _before_sync(how: str, root, col_path, package, note: str, ids: int) -> None:
    """What ``how`` does before the sync: ``package()`` (a build's package) imported into the collection,
    where it adds one card as new; or `ids` (with the collection for "ids --collection") writing ``ids`` IDs
    into ``note``; else nothing (a plain sync)."""
    from tests.conftest import import_into

    if package is not None:
        col = Collection(str(col_path))
        try:
            assert len(import_into(col, package()).new) == 1
        finally:
            col.close()
    elif how.startswith("ids"):
        args = ["ids", str(root)] + (["--collection", str(col_path)] if how == "ids --collection" else [])
        result = CliRunner().invoke(cli_main, args)
        assert result.exit_code == 0, result.output
        assert (root / note).read_text("utf-8").count("<!--ID:") == ids


@pytest.mark.parametrize("how", ["sync", "build", "build --collection", "ids", "ids --collection"])
def test_a_renamed_file_with_a_card_inserted_above_and_the_second_twin_edited(make_vault, sync_cli, build,
                                                                              cli_build, tmp_path, how):
    """Every path pairs the group as a whole: `L.md` renamed `M.md`, `el pez` inserted above the twins and the
    second twin edited. The unedited twin keeps the first twin's note, the edit the second's (round 15)."""
    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, "import")
    (root / "L.md").unlink()
    (root / "M.md").write_text(_lesson("el perro", "el pez", "el gato", "el gato negro", "la casa"), "utf-8")
    def package():
        if how == "build":
            return build(root).apkg
        result, apkg = cli_build(root, "--collection", str(col_path))
        assert result.exit_code == 0, result.output
        return apkg

    _before_sync(how, root, col_path, package if how.startswith("build") else None, "M.md", 5)  # (new: el pez)
    report = _synced(sync_cli, root, col_path)
    assert report["deleted"] == []
    seen = _seen(col_path)
    assert seen[twins["first"]] == ("el gato", 1, 1) and seen[twins["second"]] == ("el gato negro", 3, 3)
    assert len(seen) == 5
    assert _synced(sync_cli, root, col_path)["updated"] == []


@pytest.mark.parametrize("before", [("uno", "el gato", "el gato"), ("uno", "el gato", "perro")])
@pytest.mark.parametrize("how", ["sync", "sync --write-ids", "build", "ids", "ids --collection"])
def test_a_card_inserted_on_top_and_the_last_card_rewritten_keeps_the_last_cards_history(
        make_vault, sync_cli, build, tmp_path, how, before):
    """Tester 12-03 round 16: `uno, gato, gato` (or `uno, gato, perro`) -> `cero, uno, gato, zzzz`. Build
    pairs `zzzz` with the last card's note (the one card and the one note left in the same gap); sync added
    it as new and held the studied note (deleted by the next `sync --yes` once `--write-ids` had written
    every card's ID), and `ids --collection` wrote that note's ID on the inserted `cero`, whose text then
    took its history. Every path now keeps the 3 reviews on `zzzz`; `cero` is new."""
    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, "import" if how == "build" else "sync",
                                     before=list(before), reps=(1, 3) if before[2] == "el gato" else (1,))
    col = Collection(str(col_path))
    try:
        last = sorted(col.find_notes(""))[2]  # the third card's note (reviewed 3 times below when not a twin)
        review_note(col, last, 3 if before[2] != "el gato" else 0)
    finally:
        col.close()
    (root / "L.md").write_text(_lesson("cero", "uno", "el gato", "zzzz"), "utf-8")
    _before_sync(how, root, col_path, (lambda: build(root).apkg) if how == "build" else None, "L.md", 4)  # (cero)
    first = sync_cli(root, col_path, "--yes", "--json", *(["--write-ids"] if how == "sync --write-ids" else []))
    assert first.exit_code == 0, first.output
    again = _synced(sync_cli, root, col_path)
    assert again["deleted"] == [] and again["new"] == []
    seen = _seen(col_path)
    backs = {back: (reps, rows) for back, reps, rows in seen.values()}
    assert backs["zzzz"] == (3, 3) and backs["cero"] == (0, 0) and backs["uno"] == (0, 0)
    assert seen[last][0] == "zzzz" and len(seen) == 4


@pytest.mark.parametrize("where", ["archive", "mistyped"])
def test_a_note_whose_id_line_is_still_in_the_vault_goes_to_no_card_added_in_its_gap(make_vault, sync_cli, tmp_path,
                                                                                       where):
    """Tester 12-03 round 16, second round: `uno`, `xxx` synced, `xxx` given its ID line, reviewed 7 times; then
    `nnn` inserted on top, `xxx` moved with its ID line into an ignored `Archive/` (or left with its START
    mistyped `STRT`: an orphan ID), and `mmm` appended. The gap rule gave xxx's note, and its history, to `mmm`.
    A note whose ID line is still in the vault is now held, as sync holds it from deletion; `mmm` is new."""
    card = "START\nBasic\nT\nBack: {}\nEND\n\n"
    root = make_vault({"F.md": card.format("uno") + card.format("xxx")})
    col_path = empty_collection(tmp_path)
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    nid = review_back(col_path, "xxx", 7)
    with_id = f"START\nBasic\nT\nBack: xxx\n<!--ID: {nid}-->\nEND\n\n"
    (root / "F.md").write_text(card.format("uno") + with_id, "utf-8")
    assert sync_cli(root, col_path, "--yes").exit_code == 0
    if where == "archive":
        (root / ".notes2anki.toml").write_text('ignore = ["Archive/"]\n', "utf-8")
        (root / "Archive").mkdir()
        (root / "Archive" / "G.md").write_text(with_id, "utf-8")
        moved = ""
    else:
        moved = with_id.replace("START", "STRT")
    (root / "F.md").write_text(card.format("nnn") + card.format("uno") + moved + card.format("mmm"), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    seen = _seen(col_path)
    assert seen[nid] == ("xxx", 7, 7)
    assert sorted(back for back, _, _ in seen.values()) == ["mmm", "nnn", "uno", "xxx"]


@pytest.mark.parametrize("lines", ["written by hand", "written by sync --write-ids"])
def test_a_card_deleted_with_its_id_line_gives_its_note_to_no_card_added_in_its_place(make_vault, sync_cli, tmp_path,
                                                                                      lines):
    """`uno`, `xxx` (same front) synced, `xxx` carrying its ID line (written by hand, or by `sync --write-ids`
    on both), reviewed 7 times; then `xxx` deleted with its ID line, `nnn` inserted on top and `mmm` appended in
    xxx's place. The gap rule gave xxx's note and its 7 reviews to `mmm`, a card the user never studied. An ID
    line travels with its card, so a card without it in that place is another card: `mmm` is new and xxx's note
    is deleted as any note of a card gone. Its ID line deleted and its back edited (`xxx` -> `xxx 2`), the card
    still keeps its note (clearly alike text, not its place)."""
    card = "START\nBasic\nT\nBack: {}\nEND\n\n"
    root = make_vault({"F.md": card.format("uno") + card.format("xxx")})
    col_path = empty_collection(tmp_path)
    hand = lines == "written by hand"
    assert sync_cli(root, col_path, "--yes", *([] if hand else ["--write-ids"])).exit_code == 0
    nid = review_back(col_path, "xxx", 7)
    if hand:
        (root / "F.md").write_text(card.format("uno") + f"START\nBasic\nT\nBack: xxx\n<!--ID: {nid}-->\nEND\n\n",
                                   "utf-8")
        assert sync_cli(root, col_path, "--yes").exit_code == 0
    text = (root / "F.md").read_text("utf-8")
    assert text.count("<!--ID:") == (1 if hand else 2)
    uno = text[:text.index("END") + 5]
    (root / "F.md").write_text(card.format("nnn") + uno + card.format("mmm"), "utf-8")
    synced = _synced(sync_cli, root, col_path)
    seen = _seen(col_path)
    assert nid not in seen and synced["deleted"]
    assert sorted(seen.values()) == [("mmm", 0, 0), ("nnn", 0, 0), ("uno", 0, 0)]
    # the same start, the card edited without its ID line: its note and history stay on it
    root2 = make_vault({"F.md": card.format("uno") + card.format("xxx")}, name="edited")
    col2 = empty_collection(tmp_path / "edited")
    assert sync_cli(root2, col2, "--yes", *([] if hand else ["--write-ids"])).exit_code == 0
    nid2 = review_back(col2, "xxx", 7)
    text = (root2 / "F.md").read_text("utf-8")
    (root2 / "F.md").write_text(text[:text.index("END") + 5] + card.format("xxx 2"), "utf-8")
    assert sync_cli(root2, col2, "--yes").exit_code == 0
    assert _seen(col2)[nid2] == ("xxx 2", 7, 7)


@pytest.mark.parametrize("how", ["sync", "build --collection", "ids --collection"])
def test_twins_moved_below_other_cards_with_the_second_edited_keep_their_order(make_vault, sync_cli, build,
                                                                               cli_build, tmp_path, how):
    """Tester 12-03 round 16: `gato, gato, perro, casa` -> `perro, casa, gato, gato gris`. Build kept the order
    (the first twin's note stays `el gato`); sync, `build --collection` and `ids --collection` gave the first
    twin's history to the edited second (twin_align.realigned)."""
    before = ["el gato", "el gato", "el perro", "la casa"]
    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, "sync", before=before)
    (root / "L.md").write_text(_lesson("el perro", "la casa", "el gato", "el gato gris"), "utf-8")

    def package():
        result, apkg = cli_build(root, "--collection", str(col_path))
        assert result.exit_code == 0, result.output
        return apkg

    if how == "build --collection":
        from tests.conftest import import_into

        col = Collection(str(col_path))
        try:
            import_into(col, package())
        finally:
            col.close()
    else:
        _before_sync(how, root, col_path, None, "L.md", 4)
    _synced(sync_cli, root, col_path)
    seen = _seen(col_path)
    assert seen[twins["first"]] == ("el gato", 1, 1) and seen[twins["second"]] == ("el gato gris", 3, 3)
    assert len(seen) == 4


@pytest.mark.parametrize("before, after, backs", [
    (["uno", "el gato", "el gato"], ["cero", "uno", "el gato negro", "el gato blanco"],
     {"first": "el gato negro", "second": "el gato blanco"}),
    (["el gato"] * 4, ["el pez", "el gato", "el gato A", "el gato B", "el gato"],
     {"first": "el gato", "second": "el gato A", "third": "el gato B"})])
def test_twins_all_edited_apart_after_a_card_inserted_above_keep_their_own_notes(make_vault, sync_cli, build,
                                                                                  tmp_path, before, after, backs):
    """Tester 12-03 round 16 (left then): twins studied apart (1, 3, 5 reviews), a card inserted on top and the
    twins edited each their own way. Build paired them in order, but sync's similarity pass kept the second
    twin's note for the first edit (held by order: its occurrence) and gave the first twin's note to the
    second: their histories crossed. Notes of one text are now told apart by their place only (the order
    they were last synced in), as build pairs them."""
    reps = (1, 3, 5, 7)[:before.count("el gato")]
    root, col_path, twins = _studied(make_vault, sync_cli, build, tmp_path, "sync", before=before, reps=reps)
    (root / "L.md").write_text(_lesson(*after), "utf-8")
    synced = _synced(sync_cli, root, col_path)
    assert synced["deleted"] == []
    seen = _seen(col_path)
    for (name, back), times in zip(backs.items(), reps):
        assert seen[twins[name]] == (back, times, times), (name, seen)
