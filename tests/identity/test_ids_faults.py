"""`ids` never changes a card's content, and writes only files it may write (issue 11, each case as
a minimal note)."""
from __future__ import annotations

import os
import stat

import pytest

from notes2anki.config import load_config
from notes2anki.decks.identity import assign_identities, vault_namespace
from notes2anki.decks.write_ids import apply_ids, plan_ids
from notes2anki.parsers import load_vault


def run_ids(root):
    config = load_config(root, [])
    vault = load_vault(root, config)
    report = plan_ids(vault, config)
    apply_ids(vault, report)
    return report


def cards_of(root):
    vault = load_vault(root, load_config(root, []))
    return vault, [c for c in vault.cards if not c.delete]


def snapshot(root):
    """What a rebuild gives for each card: GUID → (note type, fields, tags, deck, ID)."""
    vault, cards = cards_of(root)
    return {g: (c.note_type, c.fields, sorted(c.tags), c.deck)
            for c, g in assign_identities(cards, [], vault_namespace(root))}


def messages(report):
    return [str(d) for d in report.diagnostics]


def test_blank_line_before_END_keeps_the_tags(make_vault):
    root = make_vault({"a.md": "START\nBasic\nWhat is a cell?\nBack: unit of life\nTags: biology\n\nEND\n"})
    before = snapshot(root)
    run_ids(root)
    text = (root / "a.md").read_text()
    assert text.startswith("START\nBasic\nWhat is a cell?\nBack: unit of life\nTags: biology\n<!--ID: ")
    assert text.endswith("-->\n\nEND\n")
    (card,) = cards_of(root)[1]
    assert card.tags == ["biology"] and card.fields["Back"] == "unit of life"
    assert snapshot(root) == before


def test_two_inline_cards_on_one_line_first_mistyped(make_vault):
    line = "STARTI [Basc] bad one Back: x ENDI STARTI [Basic] good one Back: y ENDI\n"
    root = make_vault({"a.md": line})
    before = snapshot(root)
    report = run_ids(root)
    (edit,) = report.edits
    (_, new_id), = edit.ids
    assert (root / "a.md").read_text() == (
        f"STARTI [Basc] bad one Back: x ENDI STARTI [Basic] good one Back: y <!--ID: {new_id}--> ENDI\n")
    (card,) = cards_of(root)[1]
    assert card.id == new_id and card.fields == {"Front": "good one", "Back": "y"}
    assert snapshot(root) == before


def test_two_good_inline_cards_on_one_line_get_their_own_ids(make_vault):
    root = make_vault({"a.md": "STARTI [Basic] one Back: 1 ENDI and STARTI [Basic] two Back: 2 ENDI\n"})
    before = snapshot(root)
    run_ids(root)
    _, cards = cards_of(root)
    assert [c.fields["Front"] for c in cards] == ["one", "two"]
    assert all(c.id is not None for c in cards)
    assert snapshot(root) == before


def test_regex_card_under_an_indented_list_item_gets_an_indented_id(make_vault):
    root = make_vault({
        ".notes2anki.toml": 'custom_regexps = { Basic = "^[ \\\\t]*- (.+)::(.+)$" }\n',
        "a.md": "- parent\n  - What is DNA::a molecule\n  - What is RNA::another\n",
    })
    before = snapshot(root)
    report = run_ids(root)
    (first, dna), (second, rna) = report.edits[0].ids
    assert (root / "a.md").read_text() == (
        f"- parent\n  - What is DNA::a molecule\n  <!--ID: {dna}-->\n"
        f"  - What is RNA::another\n  <!--ID: {rna}-->\n")
    _, cards = cards_of(root)
    assert [c.id for c in cards] == [dna, rna]
    assert snapshot(root) == before


def test_an_edit_that_would_change_a_card_is_not_written(make_vault):
    """A regex match that ends mid-line: an ID on the next line would not be read back as the card's
    ID, so the file is left alone with an error (the check by re-parsing)."""
    original = "x foo::bar trailing words\n"
    root = make_vault({".notes2anki.toml": 'custom_regexps = { Basic = "(\\\\w+)::(\\\\w+)" }\n',
                       "a.md": original})
    report = run_ids(root)
    assert (root / "a.md").read_text() == original
    assert report.edits == [] and any("a.md:1: error: no IDs written" in m for m in messages(report))


def test_file_changed_between_plan_and_write_is_left_alone(make_vault):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    vault = load_vault(root, load_config(root, []))
    report = plan_ids(vault)
    edited = "START\nBasic\nQ edited\nBack: A\nEND\nmore\n"
    (root / "a.md").write_text(edited)  # an editor saves meanwhile
    apply_ids(vault, report)
    assert (root / "a.md").read_text() == edited
    assert report.written == []
    assert "a.md: error: changed on disk while IDs were added; left unchanged — run `ids` again" in messages(report)


def test_a_note_an_editor_saved_after_it_was_read_is_named_not_skipped_silently(make_vault):
    """Tester 12-03: `ids` read a note while an editor had it truncated (empty for a moment): no card, so no
    ID and no message, exit 0. A note not planned whose text changed and now holds cards without an ID is
    named with a warning (run `ids` again); one that changed without such cards, and the notes written,
    are not."""
    from notes2anki.decks.ids_changed import changed_while_running

    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n", "n200.md": "", "c.md": "just prose\n"})
    vault = load_vault(root, load_config(root, []))
    report = plan_ids(vault)
    (root / "n200.md").write_text("START\nBasic\nQ2\nBack: B\nEND\n\nSTART\nBasic\nQ3\nBack: C\nEND\n")
    (root / "c.md").write_text("just prose, edited\n")
    apply_ids(vault, report)
    assert report.written == ["a.md"]
    said = [str(d) for d in changed_while_running(vault, report)]
    assert said == ["n200.md:1: warning: changed by another program while `ids` ran: 2 cards here have no ID "
                    "yet — run `ids` again"]
    assert changed_while_running(load_vault(root, load_config(root, [])), plan_ids(
        load_vault(root, load_config(root, [])))) == []  # nothing changed since: nothing said


def test_a_half_written_file_gets_no_ids(make_vault):
    """Tester 12-03: a program writing a note in place (10 of its 20 cards, then a pause, then the rest into
    the same open file) — `ids` replaced the half file and the rest of the write went to the old one: 140
    bytes lost. A note whose card block is not closed (what a file cut after a START looks like) is left
    alone with an error."""
    half = "START\nBasic\nq 1\nBack: a 1\nEND\n\nSTART\nBasic\nq 2\nBack: a"
    root = make_vault({"b.md": half, "ok.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    report = run_ids(root)
    assert (root / "b.md").read_text() == half and report.written == ["ok.md"]
    assert any(m.startswith("b.md:7: error: no IDs written to this file: a card block here is not closed")
               for m in messages(report)), messages(report)


def test_symlink_inside_the_vault_writes_the_target_and_stays_a_link(make_vault):
    root = make_vault({"real/a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    (root / "link.md").symlink_to("real/a.md")
    report = run_ids(root)
    assert (root / "link.md").is_symlink()
    assert "<!--ID: " in (root / "real" / "a.md").read_text()
    assert [e.path for e in report.edits] == ["real/a.md"]  # written once, under its own name


def test_symlink_only_name_inside_the_vault_writes_the_target(make_vault):
    root = make_vault({".hidden/a.md": "START\nBasic\nQ\nBack: A\nEND\n"})  # not read as a note itself
    (root / "link.md").symlink_to(".hidden/a.md")
    run_ids(root)
    assert (root / "link.md").is_symlink()
    assert "<!--ID: " in (root / ".hidden" / "a.md").read_text()


def test_symlink_to_outside_the_vault_is_left_alone(make_vault, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text("START\nBasic\nQ\nBack: A\nEND\n")
    root = make_vault({"a.md": "no cards\n"})
    (root / "link.md").symlink_to(outside)
    report = run_ids(root)
    assert outside.read_text() == "START\nBasic\nQ\nBack: A\nEND\n"
    assert (root / "link.md").is_symlink()
    assert report.written == []


def test_symlink_to_outside_is_refused_by_the_writer_too(make_vault, tmp_path):
    """The loader does not read such a note; should one reach `ids` anyway (a link changed after
    loading), the writer refuses it with a message."""
    from notes2anki.fileio import NotWritable, resolve_for_write

    outside = tmp_path / "elsewhere.md"
    outside.write_text("START\nBasic\nQ\nBack: A\nEND\n")
    root = make_vault({"a.md": "no cards\n"})
    (root / "link.md").symlink_to(outside)
    with pytest.raises(NotWritable, match="resolves to a file outside the vault; left unchanged"):
        resolve_for_write(root / "link.md", root)


def test_hard_linked_note_is_left_alone(make_vault, tmp_path):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    os.link(root / "a.md", tmp_path / "other-name.md")
    report = run_ids(root)
    assert (root / "a.md").read_text() == "START\nBasic\nQ\nBack: A\nEND\n"
    assert os.stat(root / "a.md").st_ino == os.stat(tmp_path / "other-name.md").st_ino
    assert any(m.startswith("a.md: error: no IDs written: has 2 hard links") for m in messages(report))


def test_read_only_note_is_left_alone(make_vault):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    (root / "a.md").chmod(0o444)
    report = run_ids(root)
    assert (root / "a.md").read_text() == "START\nBasic\nQ\nBack: A\nEND\n"
    assert stat.S_IMODE(os.stat(root / "a.md").st_mode) == 0o444
    assert "a.md: error: no IDs written: read-only (no write permission); left unchanged" in messages(report)


def test_mode_is_kept(make_vault):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    (root / "a.md").chmod(0o640)
    run_ids(root)
    assert "<!--ID: " in (root / "a.md").read_text()
    assert stat.S_IMODE(os.stat(root / "a.md").st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make a file owned by another user")
def test_owner_is_kept(make_vault):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    os.chown(root / "a.md", 1234, 2345)
    run_ids(root)
    info = os.stat(root / "a.md")
    assert "<!--ID: " in (root / "a.md").read_text()
    assert (info.st_uid, info.st_gid) == (1234, 2345)


def test_file_name_that_is_not_utf8_is_named_and_left_alone(tmp_path):
    root = tmp_path / "vault"
    root.mkdir()
    name = os.fsdecode(b"caf\xe9.md")
    (root / name).write_text("START\nBasic\nQ\nBack: A\nEND\n")
    (root / "ok.md").write_text("START\nBasic\nQ2\nBack: B\nEND\n")
    report = run_ids(root)
    assert (root / name).read_text() == "START\nBasic\nQ\nBack: A\nEND\n"
    assert "<!--ID: " in (root / "ok.md").read_text()
    if any(d.file == name for d in report.diagnostics):  # unless the loader already skips such names
        assert any("file name is not valid UTF-8" in m for m in messages(report))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a child as another user")
def test_note_owned_by_another_user_is_left_alone_when_its_owner_cannot_be_kept():
    """A user who may write a note owned by someone else (group-writable) would become its owner
    through an atomic replace: `ids` leaves it alone. Checked in a child running as `nobody`."""
    import shutil
    import tempfile
    from pathlib import Path

    from notes2anki.fileio import NotWritable, resolve_for_write

    root = Path(tempfile.mkdtemp(prefix="n2a-owner-"))  # under /tmp: reachable by nobody
    root.chmod(0o777)
    (root / "a.md").write_text("START\nBasic\nQ\nBack: A\nEND\n")
    (root / "a.md").chmod(0o666)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: drop to nobody, report what resolve_for_write says
        os.close(read_end)
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                resolve_for_write(root / "a.md", root)
                os.write(write_end, b"writable")
            except NotWritable as exc:
                os.write(write_end, str(exc).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 1000).decode()
    os.waitpid(pid, 0)
    shutil.rmtree(root)
    assert answer == "owned by another user; rewriting it would make it yours; left unchanged"


def test_block_inside_a_list_item_gets_an_indented_ID(make_vault):
    """The tester's case: an indented block (read with a warning) gets its ID at the block's indent,
    not at column 0, which would break the Markdown outline."""
    root = make_vault({"a.md": "- item\n    START\n    Basic\n    q6\n    Back: a6\n    END\n"})
    before = snapshot(root)
    report = run_ids(root)
    (edit,) = report.edits
    (_, new_id), = edit.ids
    assert (root / "a.md").read_text() == (
        f"- item\n    START\n    Basic\n    q6\n    Back: a6\n    <!--ID: {new_id}-->\n    END\n")
    assert snapshot(root) == before
    (card,) = cards_of(root)[1]
    assert card.id == new_id and card.fields == {"Front": "q6", "Back": "a6"}


def test_ids_finds_renamed_inline_markers_as_the_parser_does(make_vault):
    """Inline markers renamed in the plugin's settings (QI … IQ): the ID goes before the renamed end marker,
    not before a default ``ENDI`` that is only text here; two cards on one line each get theirs."""
    import json

    settings = {"settings": {"Syntax": {"Begin Inline Note": "QI", "End Inline Note": "IQ"}}}
    text = "QI [Basic] What ends with ENDI here? Back: a word IQ and QI [Basic] Second Back: two IQ\n"
    root = make_vault({"n.md": text, ".obsidian/plugins/obsidian-to-anki-plugin/data.json": json.dumps(settings)})
    report = run_ids(root)
    assert report.diagnostics == []
    written = (root / "n.md").read_text("utf-8")
    ids = [c.id for c in cards_of(root)[1]]
    assert len(ids) == 2 and all(ids)
    assert written == (f"QI [Basic] What ends with ENDI here? Back: a word <!--ID: {ids[0]}--> IQ and "
                       f"QI [Basic] Second Back: two <!--ID: {ids[1]}--> IQ\n")
