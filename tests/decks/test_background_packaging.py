"""Packaging in a forked process while the duplicate check runs (decks/background.py, issue 13: `build` after
editing one note): the package, the build state and the report are the same as one after the other, the
child's errors come back as the same messages, and the note GUIDs are genanki's."""
from __future__ import annotations

import json
import os
import random

import genanki
import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config import load_config
from notes2anki.decks import background
from notes2anki.decks.build import build_package, identify, plan_package
from notes2anki.decks.identity import guid_of
from notes2anki.parsers import load_vault

NOW = 1_760_000_000


def _notes(count: int, edited: int | None = None) -> dict[str, str]:
    files = {}
    for n in range(count):
        front = f"Question {n}: what is {n} squared?" + (" (edited)" if n == edited else "")
        files[f"topic{n % 3}/note{n}.md"] = (f"TARGET DECK: Deck{n % 3}\n\nSTART\nBasic\n{front}\nBack: {n * n}\n"
                                             f"Tags: t{n % 5}\nEND\n\nSTART\nBasic\nAnother card {n}\nBack: yes\nEND\n")
    files["gone.md"] = "START\nBasic\nDeleted soon\nBack: x\nEND\n" if edited is None else "no card any more\n"
    return files


def _write(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _build_twice(root, out, state, forked: bool, monkeypatch):
    """A first build, an edit (one card changed, one file emptied), a second build: the second either
    packaged alongside a piece of work (forked) or by build_package; returns (report, work's result)."""
    config = load_config(root)
    build_package(load_vault(root, config), config, out, state_path=state, now=NOW)
    _write(root, _notes(30, edited=7))
    config = load_config(root)
    vault = load_vault(root, config)
    if not forked:
        return build_package(vault, config, out, state_path=state, now=NOW + 60), [c.where for c in vault.cards]
    monkeypatch.setattr(background, "MIN_CARDS", 0)
    monkeypatch.setenv("NOTES2ANKI_JOBS", "2")
    plan = plan_package(vault, config, out, state_path=state, now=NOW + 60)
    assert background.concurrent(plan)
    return background.package_alongside(plan, lambda cards: [c.where for c in cards])


def test_forked_packaging_gives_the_same_package_state_and_report(tmp_path, monkeypatch, anki_import):
    for name in ("seq", "fork"):
        _write(tmp_path / name / "vault", _notes(30))
    seq, seq_cards = _build_twice(tmp_path / "seq" / "vault", tmp_path / "seq.apkg", tmp_path / "seq.json", False,
                                  monkeypatch)
    pid = os.getpid()
    fork, fork_cards = _build_twice(tmp_path / "fork" / "vault", tmp_path / "fork.apkg", tmp_path / "fork.json",
                                    True, monkeypatch)
    assert os.getpid() == pid  # (the child never returns here)
    # the vault folders share a name ("vault"): same namespace, same GUIDs, byte-identical packages
    assert (tmp_path / "fork.apkg").read_bytes() == (tmp_path / "seq.apkg").read_bytes()
    states = {name: json.loads((tmp_path / f"{name}.json").read_text("utf-8")) for name in ("fork", "seq")}
    for name, state in states.items():  # each names its own vault's folder, the rest is the same
        assert state.pop("root") == str((tmp_path / name / "vault").resolve())
    assert states["fork"] == states["seq"]
    assert fork_cards == [c.where for c in fork.cards] == [c.where for c in seq.cards]
    assert (fork.new, fork.changed, fork.unchanged, fork.tags_changed, fork.media) == \
        (seq.new, seq.changed, seq.unchanged, seq.tags_changed, seq.media) == (1, 0, 59, 0, 0)
    assert fork.decks == seq.decks and [g.where for g in fork.gone] == [g.where for g in seq.gone] == ["gone.md:1", "topic1/note7.md:3"]
    assert [str(d) for d in fork.diagnostics] == [str(d) for d in seq.diagnostics]
    imported = anki_import(tmp_path / "fork.apkg")
    assert imported.col.note_count() == 60 and "(edited)" in imported.note("Question 7:").fields[0]


def test_a_package_the_child_cannot_write_is_the_same_error(make_vault, tmp_path, monkeypatch):
    monkeypatch.setattr(background, "MIN_CARDS", 0)
    monkeypatch.setenv("NOTES2ANKI_JOBS", "2")
    root = make_vault(_notes(3))
    (tmp_path / "file").write_text("not a folder")
    out = tmp_path / "file" / "deck.apkg"  # its folder cannot be made: OSError in the child
    config = load_config(root)
    plan = plan_package(load_vault(root, config), config, out)
    assert background.concurrent(plan)
    with pytest.raises(OSError) as raised:
        background.package_alongside(plan, lambda cards: len(cards))
    with pytest.raises(OSError) as alone:
        build_package(load_vault(root, config), config, out)
    assert (raised.value.errno, raised.value.strerror) == (alone.value.errno, alone.value.strerror)


def test_the_work_fails_and_the_package_is_still_written(make_vault, tmp_path, monkeypatch, anki_import):
    monkeypatch.setattr(background, "MIN_CARDS", 0)
    monkeypatch.setenv("NOTES2ANKI_JOBS", "2")
    root = make_vault(_notes(3))
    config = load_config(root)
    plan = plan_package(load_vault(root, config), config, tmp_path / "deck.apkg")

    def work(cards):
        raise KeyError("the check failed")

    with pytest.raises(KeyError, match="the check failed"):
        background.package_alongside(plan, work)
    assert anki_import(tmp_path / "deck.apkg").col.note_count() == 7


def test_ctrl_c_in_the_work_still_reports_the_written_package(make_vault, tmp_path, monkeypatch, anki_import):
    """Ctrl-C during a build's duplicate check: the package was complete but the build said nothing of it
    (tester 12-02). ``written`` now runs with the finished report before the interrupt goes on."""
    monkeypatch.setattr(background, "MIN_CARDS", 0)
    monkeypatch.setenv("NOTES2ANKI_JOBS", "2")
    root = make_vault(_notes(3))
    config = load_config(root)
    plan = plan_package(load_vault(root, config), config, tmp_path / "deck.apkg")
    seen = []

    def work(cards):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        background.package_alongside(plan, work, lambda report: seen.append(len(report.cards)))
    assert seen == [7] and anki_import(tmp_path / "deck.apkg").col.note_count() == 7


def test_one_job_small_vaults_replays_and_collections_package_here(make_vault, tmp_path, monkeypatch):
    root = make_vault(_notes(3))
    config = load_config(root)
    out = tmp_path / "deck.apkg"
    plan = plan_package(load_vault(root, config), config, out)
    assert not background.concurrent(plan)  # 7 cards < MIN_CARDS
    monkeypatch.setattr(background, "MIN_CARDS", 0)
    monkeypatch.setenv("NOTES2ANKI_JOBS", "1")
    assert not background.concurrent(plan)
    monkeypatch.setenv("NOTES2ANKI_JOBS", "2")
    assert background.concurrent(plan)
    report, seen = background.package_alongside(plan, lambda cards: os.getpid())
    assert seen == os.getpid() and report.new == 7
    replay = plan_package(load_vault(root, config), config, out)  # nothing changed: nothing to write
    assert replay.replayed and not background.concurrent(replay)
    adopting = plan_package(load_vault(root, config), config, tmp_path / "other.apkg", adopt=lambda *a: None)
    assert not background.concurrent(adopting)


def test_cli_build_with_dupes_packages_alongside(make_vault, tmp_path, monkeypatch, anki_import):
    """The whole command with the fork taken: summary, duplicate table and exit as one after the other."""
    monkeypatch.setattr(background, "MIN_CARDS", 0)
    files = {"a.md": "START\nBasic\nWhat is the capital of France?\nBack: Paris\nEND\n\n"
                     "START\nBasic\nCapital city of France?\nBack: Paris\nEND\n\n"
                     "START\nBasic\nWho wrote Hamlet?\nBack: Shakespeare\nEND\n"}
    outputs = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("NOTES2ANKI_JOBS", jobs)
        root = make_vault(files, name=f"v{jobs}")
        result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(tmp_path / f"d{jobs}.apkg")])
        assert result.exit_code == 0, result.output
        shown = result.output.replace(f"v{jobs}", "V").replace(f"d{jobs}.apkg", "D")
        # (the one-time ONNX conversion's two lines come with whichever build of the session converts first)
        outputs[jobs] = "".join(line for line in shown.splitlines(keepends=True)
                                if not line.startswith(("Converting the sentence encoder", "Model converted")))
    assert outputs["1"] == outputs["2"]
    assert "3 cards packaged (3 new" in outputs["2"] and "Likely duplicates" in outputs["2"]
    # the deck's table first, then the duplicates, then the count line (it counts the check's warnings too)
    assert outputs["2"].index("Total") < outputs["2"].index("Likely duplicates") < outputs["2"].index("cards packaged")
    assert anki_import(tmp_path / "d2.apkg").col.note_count() == 3


def test_guids_are_genankis():
    rng = random.Random(13)
    ids = [0, 1, 90, 91, 91 ** 2, 2 ** 63 - 1] + [rng.randrange(2 ** 63) for _ in range(3000)] \
        + list(range(2_000_000_000_000, 2_000_000_000_500))
    assert [guid_of(i) for i in ids] == [genanki.guid_for("notes2anki", i) for i in ids]


def test_the_next_build_takes_the_guids_of_the_last(make_vault, tmp_path, monkeypatch):
    from notes2anki.decks import build_memo, identity
    from notes2anki.decks.build import default_state_path

    root = make_vault(_notes(4))
    out = tmp_path / "deck.apkg"
    config = load_config(root)
    build_package(load_vault(root, config), config, out)
    memo = build_memo.memo_path(default_state_path(root), out)
    saved = build_memo.last_guids(memo)
    vault = load_vault(root, config)
    used = set(identity.card_ids(vault.cards, identity.vault_namespace(root, config)).values()) \
        | set(identity.legacy_ids(vault.cards).values())
    assert set(saved) == used and all(saved[i] == genanki.guid_for("notes2anki", i) for i in saved)
    monkeypatch.setattr(identity, "_GUIDS", {})
    _write(root, {"topic1/note1.md": _notes(4, edited=1)["topic1/note1.md"]})
    plan = identify(plan_package(load_vault(root, config), config, out))
    assert len(identity._GUIDS) - len(saved) == 2  # only the edited card's ID and pre-namespace ID computed
    assert [g for _, g in plan.identified] == [genanki.guid_for("notes2anki", plan.ids[c.key]) for c, _ in plan.identified]
    build_memo.guids_path(memo).write_bytes(b"\x80\x05garbage")
    assert build_memo.last_guids(memo) == {}
    import pickle
    build_memo.guids_path(memo).write_bytes(pickle.dumps({"1": 2}))
    assert build_memo.last_guids(memo) == {}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_written_is_told_before_the_work_alone_and_after_it_alongside(make_vault, tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(background, "MIN_CARDS", 0)
    monkeypatch.setenv("NOTES2ANKI_JOBS", jobs)
    root = make_vault(_notes(3))
    config = load_config(root)
    plan = plan_package(load_vault(root, config), config, tmp_path / "deck.apkg")
    order: list[str] = []
    report, _ = background.package_alongside(plan, lambda cards: order.append("work"),
                                             lambda report: order.append(f"written {report.new}"))
    assert order == (["written 7", "work"] if jobs == "1" else ["work", "written 7"])
    assert (tmp_path / "deck.apkg").exists()


def test_two_cards_with_one_id_run_the_work_again_on_the_packaged_cards(make_vault, tmp_path, monkeypatch):
    """Alongside, the work starts on the kept cards; a card dropped for its ID (here a written ID equal to
    another card's implicit one: an error) makes it run again on the packaged cards, so the result is the
    same as one after the other."""
    from notes2anki.decks.identity import implicit_id, vault_namespace

    monkeypatch.setattr(background, "MIN_CARDS", 0)
    results = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("NOTES2ANKI_JOBS", jobs)
        root = make_vault(_notes(3), name=f"v{jobs}")
        config = load_config(root)
        first = next(c for c in load_vault(root, config).cards if c.file == "topic0/note0.md")
        taken = implicit_id(first, 0, vault_namespace(root, config))
        (root / "twin.md").write_text(f"START\nBasic\nTwin\nBack: 2\n<!--ID: {taken}-->\nEND\n")
        plan = plan_package(load_vault(root, config), config, tmp_path / f"d{jobs}.apkg")
        calls: list[list[str]] = []
        report, done = background.package_alongside(plan, lambda cards: calls.append([c.where for c in cards])
                                                    or calls[-1])
        results[jobs] = (done, [c.where for c in report.cards], [str(d) for d in report.diagnostics], len(calls))
    assert results["1"][:3] == results["2"][:3]
    assert "twin.md:1" not in results["2"][0] and any("same ID" in d for d in results["2"][2])
    assert (results["1"][3], results["2"][3]) == (1, 2)  # alongside: the kept cards, then the packaged ones


def test_no_fork_now_packages_here(make_vault, tmp_path, monkeypatch):
    monkeypatch.setattr(background, "MIN_CARDS", 0)
    monkeypatch.setenv("NOTES2ANKI_JOBS", "2")

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(background.os, "fork", no_fork)
    root = make_vault(_notes(3))
    config = load_config(root)
    plan = plan_package(load_vault(root, config), config, tmp_path / "deck.apkg")
    order: list[str] = []
    report, done = background.package_alongside(plan, lambda cards: order.append("work") or len(cards),
                                                lambda report: order.append("written"))
    assert (report.new, done, order) == (7, 7, ["written", "work"]) and (tmp_path / "deck.apkg").exists()
