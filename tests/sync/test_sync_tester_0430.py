"""Tester findings of 04:30 on `sync`, `ids` and `build`: each case with its minimal input and what a
user should see — mostly review history that a sync would have lost."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from .plugin_users import empty_collection

CARD = "START\nBasic\n{q}\nBack: {a}\nEND\n"


def _notes(col_path: Path) -> dict[str, int]:
    """Front → number of review log rows of its cards (what a user would lose)."""
    col = Collection(str(col_path))
    try:
        out = {}
        for nid in col.find_notes(""):
            front = col.get_note(nid).fields[0]
            out[front] = col.db.scalar(f"select count() from revlog where cid in (select id from cards where nid = {nid})")
        return out
    finally:
        col.close()


def _review_all(col_path: Path) -> None:
    col = Collection(str(col_path))
    try:
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            card.start_timer()
            col.sched.answerCard(card, 3)
    finally:
        col.close()


def filtered_deck(col_path: Path, name: str) -> None:
    """Make a filtered (cram) deck ``name`` in the collection, drawing the Default deck's cards."""
    col = Collection(str(col_path))
    try:
        did = col.decks.new_filtered(name)
        deck = col.decks.get(did)
        deck["terms"][0][0] = "deck:Default"
        col.decks.save(deck)
        col.sched.rebuild_filtered_deck(did)
    finally:
        col.close()


def _synced(make_vault, sync_cli, tmp_path, files, name="vault"):
    root = make_vault(files, name)
    col_path = empty_collection(tmp_path)
    first = sync_cli(root, col_path, "--yes")
    assert first.exit_code == 0, first.output
    _review_all(col_path)
    return root, col_path


def test_an_unclosed_code_fence_warns_and_keeps_the_notes_below_it(make_vault, sync_cli, tmp_path):
    """T10: a half-typed code block (a ``` line never closed) made every card below it an example: `check`
    said nothing and `sync --yes` deleted their reviewed notes."""
    files = {"a.md": "Intro\n\n" + CARD.format(q="Question a?", a="x") + "\n" + CARD.format(q="Question b?", a="y"),
             "z.md": CARD.format(q="Question z?", a="z")}
    root, col_path = _synced(make_vault, sync_cli, tmp_path, files)
    for fence in ("```", "~~~", "````python"):
        (root / "a.md").write_text((fence + "\n\n") + files["a.md"].split("\n\n", 1)[1]
                                   + ("\n```\n" if fence.startswith("````") else ""), "utf-8")
        result = sync_cli(root, col_path, "--yes", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["deleted"] == []
        assert "a.md:1: warning: this code fence" in result.output and "2 cards below it" in result.output
    assert _notes(col_path) == {"Question a?": 1, "Question b?": 1, "Question z?": 1}
    check = CliRunner().invoke(cli_main, ["check", str(root)])
    assert "never closed" in check.output


def test_a_fence_closed_inside_its_card_or_holding_no_card_is_no_warning(make_vault):
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    root = make_vault({"c.md": "START\nBasic\nQ?\nBack: x\n```python\nprint(1)\nEND\n\n" + CARD.format(q="Q2?", a="y"),
                       "d.md": CARD.format(q="Q3?", a="z") + "\n```\nsome code, no card\n"})
    vault = load_vault(root, load_config(root))
    assert sorted(c.front for c in vault.cards) == ["Q2?", "Q3?", "Q?"]
    assert not [d for d in vault.diagnostics if "never closed" in d.message]


def test_an_emptied_note_file_keeps_its_notes(make_vault, sync_cli, tmp_path):
    """T3: a note file caught empty (an editor's truncate-then-write, a cloud placeholder) had its reviewed
    notes deleted by `sync --yes`."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {n + ".md": CARD.format(q=f"Question {n}?", a=n) for n in "ab"})
    (root / "b.md").write_bytes(b"")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert "1 note of a file that is empty now, or is a cloud client's placeholder" in result.output
    assert _notes(col_path) == {"Question a?": 1, "Question b?": 1}
    (root / "b.md").unlink()  # the file really removed: its note goes
    assert json.loads(sync_cli(root, col_path, "--yes", "--json").stdout)["deleted"][0]["file"] == "b.md"


def test_sync_yes_lists_the_notes_it_deleted(make_vault, sync_cli, tmp_path):
    """T5: `sync --yes` said only "1 deleted"; now it names them."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {n + ".md": CARD.format(q=f"Question {n}?", a=n) for n in "ab"})
    (root / "b.md").unlink()
    result = sync_cli(root, col_path, "--yes")
    assert result.exit_code == 0, result.output
    assert "Deleted (1 note of this vault):" in result.output
    assert "b.md:1" in result.output and "Question b?" in result.output


def test_tags_typed_in_nfd_are_not_updated_on_every_sync(make_vault, sync_cli, tmp_path):
    """T4: NFD tags (macOS) made every sync report "updated [tags]" and write a backup, forever."""
    nfd = unicodedata.normalize("NFD", "schön")
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {"a.md": f"FILE TAGS: {nfd}\n\n" + CARD.format(q="Frage?", a="x").replace(
                                 "END", f"Tags: {unicodedata.normalize('NFD', 'grün')}\nEND")})
    again = sync_cli(root, col_path, "--yes", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["updated"] == [] and json.loads(again.stdout)["backup"] is None


def test_a_file_renamed_only_in_normalisation_keeps_its_note(make_vault, sync_cli, tmp_path):
    """T2: `Übung.md` renamed from NFD to NFC (same name on screen) was planned as a new note and the old
    one "gone from the vault": `--yes` replaced the reviewed note by a new one."""
    nfd, nfc = unicodedata.normalize("NFD", "Übung.md"), unicodedata.normalize("NFC", "Übung.md")
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {nfd: CARD.format(q="Was ist Übung?", a="Praxis")})
    if not (root / nfd).exists() or (root / nfc).exists() and (root / nfc).samefile(root / nfd):
        pytest.skip("this file system does not keep two normal forms apart")
    (root / nfd).rename(root / nfc)
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == [] and report["deleted"] == []
    assert _notes(col_path) == {"Was ist Übung?": 1}


@pytest.mark.parametrize("old, new", [("NFD", "NFC"), ("NFC", "NFD")])
def test_same_front_cards_keep_their_own_notes_when_the_file_is_renamed_only_in_normalisation(
        make_vault, sync_cli, tmp_path, old, new):
    """Tester 12-03: two "Translate: dog" cards (no IDs) in `Ü.md`, renamed NFD → NFC: the second card was
    matched to the first one's note ("already synced from the card at Ü.md:7; this card skipped") and
    `--yes` deleted its own reviewed note; every later sync skipped it. Each same-front card now keeps its
    occurrence when its path is read in the other normal form."""
    names = {form: unicodedata.normalize(form, "Ü.md") for form in ("NFC", "NFD")}
    body = "\n".join([CARD.format(q="What is a CV?", a="a resume"), CARD.format(q="Translate: dog", a="over"),
                      CARD.format(q="Translate: dog", a="above")])
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {names[old]: body})
    if not (root / names[old]).exists() or (root / names[new]).exists() and (root / names[new]).samefile(root / names[old]):
        pytest.skip("this file system does not keep two normal forms apart")
    before = _backs(col_path)
    (root / names[old]).rename(root / names[new])
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["new"] == [] and report["deleted"] == [] and report["updated"] == [], report
    assert _backs(col_path) == before  # the same notes, each with its own back and review history
    again = sync_cli(root, col_path, "--yes", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["new"] == [], again.output


def test_the_same_file_name_in_both_normal_forms_says_so(make_vault, sync_cli, tmp_path):
    """Tester 12-03 (round 2): with `Leçon.md` in NFC and in NFD side by side (Linux keeps both; a sync tool
    made the second), the skipped cards' error read "already synced from the card at Leçon.md:1" — the same
    text in both files. It now says the other file differs only in Unicode normalisation."""
    names = {form: unicodedata.normalize(form, "Leçon.md") for form in ("NFC", "NFD")}
    body = CARD.format(q="Same front", a="un") + "\n" + CARD.format(q="Same front", a="deux")
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {names["NFC"]: body})
    (root / names["NFD"]).write_text(body, "utf-8")
    if len({p.name for p in root.glob("*.md")}) < 2:
        pytest.skip("this file system does not keep two normal forms apart")
    result = sync_cli(root, col_path, "--yes")
    said = " ".join(result.output.split())
    assert "written in the other Unicode normal form: NFC / NFD; keep one of the two" in said, said
    assert [(front, back) for _, front, back, _ in _backs(col_path)] == [("Same front", "un"), ("Same front", "deux")]


def _backs(col_path: Path) -> list[tuple[int, str, str, int]]:
    """(note id, front, back, review log rows) of every note."""
    col = Collection(str(col_path))
    try:
        return sorted((nid, *col.get_note(nid).fields[:2],
                       col.db.scalar(f"select count() from revlog where cid in (select id from cards where nid = {nid})"))
                      for nid in col.find_notes(""))
    finally:
        col.close()


def test_a_renamed_vault_without_ids_stops_instead_of_adding_every_card_again(make_vault, sync_cli, tmp_path):
    """T1: the vault folder renamed (`notes` → `other`; cards without IDs): sync added every card again as
    a new note; the reviewed ones stayed behind, never deleted. Now it stops with the vault_id to set."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {n + ".md": CARD.format(q=f"Question {n}?", a=n) for n in "ab"}, name="notes")
    renamed = root.rename(root.with_name("other"))
    refused = sync_cli(renamed, col_path, "--yes")
    assert refused.exit_code == 2, refused.output
    assert 'vault_id = "notes"' in refused.output and "nothing was written" in refused.output
    assert _notes(col_path) == {"Question a?": 1, "Question b?": 1}
    (renamed / ".notes2anki.toml").write_text('[sync]\nvault_id = "notes"\n', "utf-8")
    result = sync_cli(renamed, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == [] and _notes(col_path) == {"Question a?": 1, "Question b?": 1}


def test_a_new_vault_where_a_gone_one_had_other_cards_syncs(make_vault, sync_cli, tmp_path):
    """The T1 stop needs the cards themselves: a vault gone and a new one with other cards is no rename."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q="Old?", a="x")}, name="old")
    root.rename(root.with_name("gone-for-good"))
    (tmp_path / "gone-for-good" / "a.md").unlink()
    fresh = make_vault({"a.md": CARD.format(q="Something else?", a="y")}, name="fresh")
    assert sync_cli(fresh, col_path, "--yes").exit_code == 0


def test_setting_vault_id_on_a_synced_vault_stops(make_vault, sync_cli, tmp_path):
    """T8: `[sync] vault_id` set on a vault already synced re-identified every card without an ID: the next
    sync added them all again. Now it stops, naming the name that keeps them."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"cell.md": CARD.format(q="What is a cell?", a="unit")},
                             name="Vault")
    (root / ".notes2anki.toml").write_text('[sync]\nvault_id = "bio-2025"\n', "utf-8")
    refused = sync_cli(root, col_path, "--dry-run")
    assert refused.exit_code == 2, refused.output
    assert 'vault_id = "Vault"' in refused.output
    assert _notes(col_path) == {"What is a cell?": 1}


@pytest.mark.parametrize("command", ["ids", "sync"])
def test_a_folder_inside_a_vault_is_refused_by_the_writing_commands(make_vault, sync_cli, tmp_path, command):
    """T6/T7: `ids Vault/Biology` wrote IDs computed for a vault named "Biology" (not the cards' IDs), and
    `sync Vault/Biology` added its cards again; the next sync of the vault lost their history."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {".obsidian/app.json": "{}", "Biology/cell.md": CARD.format(q="What is a cell?", a="unit"),
                              "chem.md": CARD.format(q="What is an atom?", a="unit")}, name="Vault")
    before = (root / "Biology" / "cell.md").read_bytes()
    sub = root / "Biology"
    result = (CliRunner().invoke(cli_main, ["ids", str(sub)]) if command == "ids"
              else sync_cli(sub, col_path, "--yes"))
    assert result.exit_code == 2, result.output
    assert "inside the Obsidian vault" in result.output and f"notes2anki {command} {root.resolve()}" in result.output
    assert (root / "Biology" / "cell.md").read_bytes() == before
    assert _notes(col_path) == {"What is a cell?": 1, "What is an atom?": 1}
    build = CliRunner().invoke(cli_main, ["build", str(sub), "-o", str(tmp_path / "b.apkg"), "--no-dupes"])
    assert build.exit_code == 2 and "inside the Obsidian vault" in build.output  # refused too (tester 12-03)
    assert not (tmp_path / "b.apkg").exists()
    (sub / ".notes2anki.toml").write_text("", "utf-8")  # a vault of its own: allowed
    assert CliRunner().invoke(cli_main, ["ids", str(sub), "--dry-run"]).exit_code == 0


def test_paths_in_the_vault_config_are_relative_to_the_vault(make_vault, tmp_path, monkeypatch):
    """T14: `[report] output = "../x.html"` and `[sync] collection` were read against the working folder,
    so the same vault wrote to different places depending on where the command ran."""
    root = make_vault({"a.md": CARD.format(q="Q?", a="a"),
                       ".notes2anki.toml": '[report]\noutput = "../mine.html"\n\n[sync]\ncollection = "../prof"\n'})
    col_path = empty_collection(tmp_path)
    elsewhere = tmp_path / "a" / "b"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    report = CliRunner().invoke(cli_main, ["report", str(root), "--no-semantic"])
    assert report.exit_code == 0, report.output
    assert (tmp_path / "mine.html").is_file() and not (tmp_path / "a" / "mine.html").exists()
    synced = CliRunner().invoke(cli_main, ["sync", str(root), "--yes"])
    assert synced.exit_code == 0, synced.output
    assert _notes(col_path) == {"Q?": 0}


def test_the_build_title_names_a_long_output_path_whole(make_vault, tmp_path):
    """T12: the build table's title was wrapped to the table's width, cutting the output path mid-word."""
    root = make_vault({"a.md": CARD.format(q="Q?", a="a")})
    out = tmp_path / ("Kroid__learn_english_notes_and_a_rather_long_name_for_a_package" + ".apkg")
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(out), "--no-dupes"])
    assert result.exit_code == 0, result.output
    assert f"notes2anki build → {out}" in result.output.splitlines()


def test_init_says_how_many_cards_its_folder_decks_move(make_vault):
    """T13: `init` wrote an active [folder_decks] that moves every card of a vault whose cards all sit in
    one folder, and said only "from 1 top folder as decks"."""
    root = make_vault({f"draft/{n}.md": CARD.format(q=f"Q {n}?", a=n) for n in "ab"})
    result = CliRunner().invoke(cli_main, ["init", str(root)])
    assert result.exit_code == 0, result.output
    assert "With its [folder_decks], 2 cards now in the default deck move to their folders’ decks" in result.output
    assert '"draft" = "draft"' in (root / ".notes2anki.toml").read_text("utf-8")


@pytest.mark.parametrize("line", ["START\u200b", "ST\u00adART", "\uff33\uff34\uff21\uff32\uff34"])
def test_start_with_an_invisible_character_is_a_near_miss(make_vault, line):
    """T17: `START` with a zero-width space, a soft hyphen, or in fullwidth letters was neither read nor
    linted: the card vanished without a word (and sync deleted its note)."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": CARD.format(q="Question z?", a="z").replace("START", line, 1),
                       "b.md": CARD.format(q="Question ok?", a="y") + "\nÜber START und mehr\n"})
    vault = load_vault(root, load_config(root))
    near = [d for d in vault.diagnostics if d.kind == "near-miss"]
    assert [(d.file, d.line) for d in near] == [("a.md", 1)]
    assert "reads 'START' but holds" in near[0].message


def test_dot_as_a_folder_key_means_the_whole_vault(make_vault, tmp_path):
    """T18: README: `.` means the whole vault; `"." = "D1"` under [folder_decks] (and [folder_tags]) gave
    "'.' is empty; not used". A deeper folder still wins."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault

    root = make_vault({"a.md": CARD.format(q="Q?", a="a"), "sub/b.md": CARD.format(q="Q2?", a="b"),
                       ".notes2anki.toml": '[folder_tags]\n"." = ["t1"]\n[folder_decks]\n"." = "D1"\n"sub" = "D2"\n'})
    diags = []
    vault = load_vault(root, load_config(root, diags))
    assert not [d for d in diags if "folder" in d.message]
    assert {(c.file, c.deck, tuple(c.tags)) for c in vault.cards} == {("a.md", "D1", ("t1",)), ("sub/b.md", "D2", ("t1",))}
    init = CliRunner().invoke(cli_main, ["init", str(root), "--force", "--stdout"])
    assert '"." = "D1"' in init.output and '"." = ["t1"]' in init.output


def test_the_build_summary_counts_the_duplicate_checks_warnings(make_vault, tmp_path):
    """T21: the summary line said "0 warnings" and then the duplicate check's language warning was printed."""
    import re

    root = make_vault({f"n{i}.md": CARD.format(q=q, a=a) for i, (q, a) in enumerate(
        [("細胞の主な働きは何ですか", "エネルギーを作る"), ("光合成はどこで起こりますか", "葉緑体")])})
    result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "d.apkg")])
    assert result.exit_code == 0, result.output
    said = int(re.search(r"(\d+) warnings?\.", result.output).group(1))
    printed = len(re.findall(r"^\S*: warning: ", result.output, re.M))
    assert said == printed >= 2, result.output


def test_a_deck_that_is_a_filtered_deck_in_anki_is_an_error_at_the_card(make_vault, sync_cli, tmp_path):
    """T20: a TARGET DECK naming a filtered deck of the collection (a cram deck "Cram") put the new card in
    Default while saying [Cram], and every later sync ended in `internal error: FilteredDeckError`."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q="Question x?", a="x")})
    filtered_deck(col_path, "Cram")
    (root / "b.md").write_text("TARGET DECK: Cram\n\n" + CARD.format(q="Question new?", a="y"), "utf-8")
    for _ in range(2):
        result = sync_cli(root, col_path, "--yes", "--json")
        assert result.exit_code == 1, result.output
        assert "b.md:3: error: deck 'Cram' is a filtered deck in Anki" in result.output
        assert json.loads(result.stdout)["new"] == [] and json.loads(result.stdout)["deleted"] == []
    (root / "a.md").write_text("TARGET DECK: Cram\n\n" + CARD.format(q="Question x?", a="x"), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["deleted"] == []
    assert _notes(col_path) == {"Question x?": 1}


def test_the_browser_search_for_notes_not_deleted_is_whole(make_vault, sync_cli, tmp_path):
    """T23: the "not deleted" search was cut at 200 characters in the middle of a note id."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path,
                             {f"n{i}.md": CARD.format(q=f"Question {i}?", a=i) for i in range(40)})
    for i in range(33):
        (root / f"n{i}.md").unlink()
    result = sync_cli(root, col_path, "--allow-mass-delete")  # 33 of 40: a mass deletion (U7)
    assert "33 notes not deleted" in result.output
    search = result.output.split("in Anki's browser: nid:")[1].split(")")[0]
    assert len(search.split(",")) == 33 and all(len(n) == 13 for n in search.split(","))


def test_build_does_not_tell_to_delete_cards_that_are_only_hidden(make_vault, tmp_path):
    """T10 (build): with IDs, the cards hidden by an unclosed fence were listed "In Anki but no longer in the
    vault: delete these notes in Anki". Now a card whose file has a near miss (or an error, or is empty)
    or whose ID line is still there is not listed; really removed, it is."""
    root = make_vault({"a.md": "Intro\n\nSTART\nBasic\nQuestion a?\nBack: x\n<!--ID: 1700000000001-->\nEND\n",
                       "b.md": "START\nBasic\nQuestion b?\nBack: y\n<!--ID: 1700000000002-->\nEND\n",
                       "c.md": CARD.format(q="Question c?", a="z")})
    state = tmp_path / "state.json"

    def build():
        result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes",
                                               "--state-file", str(state)])
        assert result.exit_code == 0, result.output
        return result.output

    build()
    (root / "a.md").write_text((root / "a.md").read_text("utf-8").replace("Intro", "```"), "utf-8")
    (root / "b.md").write_bytes(b"")
    out = build()
    assert "no longer in the vault" not in out and "never closed" in out
    (root / "a.md").unlink()
    out = build()
    assert "no longer in the vault" in out and "Question a?" in out and "Question b?" not in out


@pytest.mark.parametrize("first", ["A", "B"])
def test_a_note_moved_to_another_vault_keeps_its_history(make_vault, sync_cli, tmp_path, first):
    """T22: a note with IDs moved from vault A to vault B (a vault split, a course folder moved to next
    semester's vault) always lost its history: B skipped the card as A's, A deleted the note as gone, then
    B added it again. Now A holds it (its ID line is in B) and B takes it over, whichever syncs first."""
    a = make_vault({"a.md": "START\nBasic\nQuestion mv?\nBack: answer\n<!--ID: 1700000000011-->\nEND\n",
                    "o.md": "START\nBasic\nQuestion other?\nBack: answer\n<!--ID: 1700000000012-->\nEND\n"}, name="A")
    b = make_vault({"b.md": "START\nBasic\nQuestion b?\nBack: answer\n<!--ID: 1700000000013-->\nEND\n"}, name="B")
    col_path = empty_collection(tmp_path)
    for root in (a, b):
        assert sync_cli(root, col_path, "--yes").exit_code == 0
    _review_all(col_path)
    (a / "a.md").rename(b / "a.md")
    order = (a, b) if first == "A" else (b, a)
    for root in order:
        result = sync_cli(root, col_path, "--yes", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["deleted"] == [] and json.loads(result.stdout)["new"] == []
    assert _notes(col_path) == {"Question mv?": 1, "Question other?": 1, "Question b?": 1}
    for root in (a, b):  # settled: the note is B's; deleting it from B now deletes it
        assert sync_cli(root, col_path, "--yes").exit_code == 0
    (b / "a.md").unlink()
    gone = json.loads(sync_cli(b, col_path, "--yes", "--json").stdout)["deleted"]
    assert [d["file"] for d in gone] == ["a.md"]


def test_a_note_copied_to_another_vault_is_still_an_error_there(make_vault, sync_cli, tmp_path):
    """A copy (the ID line still in vault A too) is not taken over: B's card is skipped with the error."""
    note = "START\nBasic\nQuestion cp?\nBack: answer\n<!--ID: 1700000000021-->\nEND\n"
    a = make_vault({"a.md": note}, name="A")
    b = make_vault({"b.md": "START\nBasic\nQuestion b?\nBack: answer\nEND\n"}, name="B")
    col_path = empty_collection(tmp_path)
    for root in (a, b):
        assert sync_cli(root, col_path, "--yes").exit_code == 0
    (b / "a.md").write_text(note, "utf-8")
    result = sync_cli(b, col_path, "--yes")
    assert result.exit_code == 1 and "which vault 'A' synced; card skipped" in result.output


def test_deleting_the_first_of_two_same_front_cards_keeps_the_seconds_note(make_vault, sync_cli, tmp_path):
    """T16: two cards without IDs with one front (`Translate:`) are told apart by order; deleting the first
    made the second take over the first's note ("Updated [Back]") and delete its own, reviewed note."""
    first = "START\nBasic\nTranslate:\nBack: perro = dog\nEND\n\n"
    second = "START\nBasic\nTranslate:\nBack: gato = cat\nEND\n"
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": first + second})
    col = Collection(str(col_path))
    try:
        kept = next(n for n in col.find_notes("") if "gato" in col.get_note(n)["Back"])
    finally:
        col.close()
    (root / "a.md").write_text(second, "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["updated"] == [] and [d["nid"] for d in report["deleted"]] != [kept]
    col = Collection(str(col_path))
    try:
        assert list(col.find_notes("")) == [kept] and "gato" in col.get_note(kept)["Back"]
    finally:
        col.close()
