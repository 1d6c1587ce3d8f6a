"""Rebuild and re-import: edited cards update in place, review history survives, nothing duplicates."""
import shutil
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from notes2anki.config import load_config
from notes2anki.decks.build import build_package, plan_package
from notes2anki.parsers import load_vault

VAULT = """\
# Networking

START
Basic
What does TCP stand for?
Back: Transmission Control Protocol
<!--ID: 1700000000001-->
END

START
Basic
What port does HTTPS use?
Back: 443
<!--ID: 1700000000002-->
END

START
Basic
What does UDP stand for?
Back: User Datagram Protocol
END
"""


def _build(root: Path, out: Path, state: Path, now: float):
    config = load_config(root)
    return build_package(load_vault(root, config), config, out, state_path=state, now=now)


def _import(col, apkg):
    opts = ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, merge_notetypes=False)
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=opts)).log


def test_edit_back_and_front_updates_in_place_and_keeps_history(tmp_path):
    root = tmp_path / "vault"
    root.mkdir()
    note = root / "net.md"
    note.write_text(VAULT, "utf-8")
    state = tmp_path / "state.json"
    _build(root, tmp_path / "1.apkg", state, now=1_700_000_000)

    col = Collection(str(tmp_path / "c.anki2"))
    try:
        log = _import(col, tmp_path / "1.apkg")
        assert len(log.new) == 3
        tcp = col.find_notes('"Front:What does TCP stand for?"')[0]
        # review history: schedule the TCP card as a review card with an interval and a revlog entry
        card = col.get_note(tcp).cards()[0]
        col.sched.set_due_date([card.id], "10")
        col.db.execute("insert into revlog values (?,?,?,?,?,?,?,?,?)", 1_700_000_100_000, card.id, -1, 3,
                       10, 0, 2500, 5000, 1)
        before = col.get_card(card.id)
        history = col.db.scalar("select count() from revlog where cid = ?", card.id)
        assert history >= 1

        # edit the back of TCP, and the front of HTTPS (which has an ID)
        text = VAULT.replace("Back: Transmission Control Protocol", "Back: Transmission Control Protocol (RFC 9293)")
        text = text.replace("What port does HTTPS use?", "Which TCP port does HTTPS listen on by default?")
        note.write_text(text, "utf-8")
        report = _build(root, tmp_path / "2.apkg", state, now=1_700_086_400)
        assert (report.new, report.changed, report.unchanged) == (0, 2, 1)

        log = _import(col, tmp_path / "2.apkg")
        assert len(log.new) == 0 and len(log.updated) == 2 and len(log.duplicate) == 1
        assert col.note_count() == 3 and col.card_count() == 3
        assert col.get_note(tcp).fields[1] == "Transmission Control Protocol (RFC 9293)"
        assert col.find_notes('"Front:Which TCP port does HTTPS listen on by default?"')
        after = col.get_card(card.id)
        assert (after.type, after.ivl, after.due) == (before.type, before.ivl, before.due)
        assert col.db.scalar("select count() from revlog where cid = ?", card.id) == history

        # rebuild with no change: nothing new, nothing updated
        report = _build(root, tmp_path / "3.apkg", state, now=1_700_172_800)
        assert (report.new, report.changed) == (0, 0)
        log = _import(col, tmp_path / "3.apkg")
        assert len(log.new) == 0 and len(log.updated) == 0
        assert (tmp_path / "2.apkg").read_bytes() == (tmp_path / "3.apkg").read_bytes()
    finally:
        col.close()


def test_two_builds_of_an_unchanged_vault_are_byte_identical(tmp_path):
    root = tmp_path / "vault"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "vault", root)
    state = tmp_path / "state.json"
    _build(root, tmp_path / "a.apkg", state, now=1_700_000_000)
    _build(root, tmp_path / "b.apkg", state, now=1_800_000_000)
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()


def test_a_replayed_build_lists_the_removed_cards_too(tmp_path):
    """A build with nothing changed since the last replays its stored result; it dropped the cards gone from
    the vault, which every build lists for 30 days (tester 12-02)."""
    root = tmp_path / "vault"
    root.mkdir()
    note = root / "net.md"
    note.write_text(VAULT, "utf-8")
    state, out = tmp_path / "state.json", tmp_path / "deck.apkg"
    _build(root, out, state, now=1_700_000_000)
    note.write_text(VAULT[:VAULT.index("START\nBasic\nWhat does TCP")]
                    + VAULT[VAULT.index("START\nBasic\nWhat port"):], "utf-8")
    report = _build(root, out, state, now=1_700_086_400)
    assert [(g.id, g.reason) for g in report.gone] == [(1700000000001, "removed")]
    config = load_config(root)
    plan = plan_package(load_vault(root, config), config, out, state, now=1_700_086_400 + 86400)
    assert plan.replayed and plan.report.gone == report.gone
    later = plan_package(load_vault(root, config), config, out, state, now=1_700_086_400 + 31 * 86400)
    assert later.replayed and later.report.gone == []


def test_removed_and_deleted_cards_are_reported(tmp_path):
    root = tmp_path / "vault"
    root.mkdir()
    note = root / "net.md"
    note.write_text(VAULT, "utf-8")
    state = tmp_path / "state.json"
    first = _build(root, tmp_path / "1.apkg", state, now=1_700_000_000)
    text = VAULT.replace("<!--ID: 1700000000002-->", "DELETE\n<!--ID: 1700000000002-->")
    text = text[:text.index("START\nBasic\nWhat does TCP")] + text[text.index("START\nBasic\nWhat port"):]
    note.write_text(text, "utf-8")
    report = _build(root, tmp_path / "2.apkg", state, now=1_700_086_400)
    gone = {(g.id, g.reason) for g in report.gone}
    assert gone == {(1700000000001, "removed"), (1700000000002, "DELETE")}
    assert all(g.nid for g in report.gone)  # the Anki note ids to search for
    assert len(first.cards) == 3 and len(report.cards) == 1
    # tester M5: listed by every build for 30 days, not only by the first (a quiet one used it up)
    again = _build(root, tmp_path / "3.apkg", state, now=1_700_086_400 + 29 * 86400)
    assert {(g.id, g.reason) for g in again.gone} == gone
    assert {g.nid for g in again.gone} == {g.nid for g in report.gone}
    later = _build(root, tmp_path / "4.apkg", state, now=1_700_086_400 + 31 * 86400)
    assert {(g.id, g.reason) for g in later.gone} == {(1700000000002, "DELETE")}  # the marker still says it
    note.write_text(VAULT, "utf-8")  # the card is back: it keeps its note
    back = _build(root, tmp_path / "5.apkg", state, now=1_700_086_400 + 32 * 86400)
    assert back.gone == [] and {c.id for c in back.cards} >= {1700000000002}
