"""The build state file is input like any other: hand edits, wrong types, a huge or strange file give
a warning naming the file, never a traceback; the build still works (issue 11)."""
from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notes2anki.config import load_config
from notes2anki.decks.build import build_package
from notes2anki.decks.state import BuildState, CardState
from notes2anki.fileio import MAX_STATE_BYTES
from notes2anki.parsers import load_vault

GOOD = {"hash": "abc", "mod": 1_700_000_000, "nid": 1_700_000_000_000, "where": "a.md:1", "id": 5,
        "front": "Q"}


def write_state(path, cards, version=1):
    path.write_text(json.dumps({"version": version, "cards": cards}))


def load(path):
    diags = []
    state = BuildState.load(path, diags)
    return state, [str(d) for d in diags]


def test_good_state_loads(tmp_path):
    path = tmp_path / "s.json"
    write_state(path, {"g1": GOOD})
    state, messages = load(path)
    assert messages == [] and state.cards == {"g1": CardState(**GOOD)}


def test_hand_edited_entries_are_dropped_with_a_warning(tmp_path):
    path = tmp_path / "s.json"
    bad = {"g-str": dict(GOOD, nid="123"), "g-huge": dict(GOOD, nid=10 ** 30, id=7),
           "g-bool": dict(GOOD, mod=True, nid=2), "g-list": [1, 2], "g-missing": {"hash": "x"},
           "g-neg": dict(GOOD, nid=-5), "g-float": dict(GOOD, mod=1.5, nid=3)}
    write_state(path, {"g-ok": GOOD, **bad})
    state, messages = load(path)
    assert list(state.cards) == ["g-ok"]
    assert len(messages) == 1
    assert messages[0].startswith(f"{path}: warning: build state: 7 entries dropped")


def test_two_entries_with_one_note_id_keep_the_first(tmp_path):
    path = tmp_path / "s.json"
    write_state(path, {"a": GOOD, "b": GOOD})
    state, messages = load(path)
    assert list(state.cards) == ["a"] and "used twice" in messages[0]


def test_unusable_files_are_ignored_with_a_warning(tmp_path):
    cases = {"list.json": b"[1, 2]", "version.json": b'{"version": 9, "cards": {}}',
             "cards.json": b'{"version": 1, "cards": [1]}', "bad.json": b"{not json",
             "latin1.json": '{"version": 1, "cards": {"é": 1}}'.encode("latin-1"),
             "deep.json": b"[" * 100_000 + b"]" * 100_000, "empty.json": b""}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        state, messages = load(path)
        assert state.cards == {}
        assert len(messages) == 1 and messages[0].startswith(f"{path}: warning: build state ignored"), name


def test_huge_or_strange_state_file_is_ignored(tmp_path):
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fh:
        fh.truncate(MAX_STATE_BYTES + 1)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path in (huge, fifo, tmp_path):
        state, messages = load(path)
        assert state.cards == {} and "build state ignored" in messages[0], messages


def test_build_with_a_hand_edited_state_works(make_vault, tmp_path, anki_import):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    state_path = tmp_path / "state.json"
    config = load_config(root, [])
    build_package(load_vault(root, config), config, tmp_path / "d1.apkg", state_path=state_path)
    data = json.loads(state_path.read_text())
    (guid,) = data["cards"]
    data["cards"][guid]["nid"] = "123"
    state_path.write_text(json.dumps(data))
    report = build_package(load_vault(root, config), config, tmp_path / "d2.apkg", state_path=state_path)
    assert any("build state: 1 entry dropped" in str(d) for d in report.diagnostics)
    assert report.new == 1
    assert anki_import(tmp_path / "d2.apkg").col.note_count() == 1


def test_state_round_trips_file_names_that_are_not_utf8(tmp_path):
    path = tmp_path / "s.json"
    state = BuildState(path, {"g": CardState(hash="h", mod=1, nid=2, where="caf\udce9.md:1")})
    state.save()
    loaded, messages = load(path)
    assert messages == [] and loaded.cards == state.cards


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                                max_size=4),
                    max_leaves=20)
ENTRY = st.fixed_dictionaries({}, optional={k: JSON | st.integers() | st.text(max_size=5) for k in GOOD})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.one_of(
    JSON,
    st.fixed_dictionaries({"version": st.sampled_from([1, 1, "1", None]),
                           "cards": st.dictionaries(st.text(max_size=6), ENTRY | JSON, max_size=5)}),
), noise=st.binary(max_size=6))
def test_fuzzed_state_files_never_raise(tmp_path, doc, noise):
    path = tmp_path / "fuzz.json"
    for data in (json.dumps(doc).encode(), json.dumps(doc).encode() + noise):
        path.write_bytes(data)
        diags = []
        state = BuildState.load(path, diags)
        for card in state.cards.values():
            assert isinstance(card.nid, int) and 1 <= card.nid < 2 ** 53
            assert isinstance(card.mod, int) and not isinstance(card.mod, bool)
            assert isinstance(card.hash, str) and isinstance(card.where, str)
        assert all(str(path) == d.file and d.severity == "warning" for d in diags)


def test_state_file_that_is_not_ours_is_never_overwritten(make_vault, tmp_path):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    notes = tmp_path / "notes.txt"
    notes.write_text("my own notes")
    config = load_config(root, [])
    report = build_package(load_vault(root, config), config, tmp_path / "d.apkg", state_path=notes)
    assert notes.read_text() == "my own notes"
    assert any("build state not saved" in str(d) and "not overwritten" in str(d) for d in report.diagnostics)


def test_damaged_state_file_of_ours_is_replaced(make_vault, tmp_path):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    state_path = tmp_path / "state.json"
    config = load_config(root, [])
    build_package(load_vault(root, config), config, tmp_path / "d1.apkg", state_path=state_path)
    state_path.write_bytes(state_path.read_bytes()[:40])  # cut short (a crash, a full disk)
    report = build_package(load_vault(root, config), config, tmp_path / "d2.apkg", state_path=state_path)
    assert any("build state ignored" in str(d) for d in report.diagnostics)
    assert BuildState.load(state_path, []).cards  # written afresh


def test_state_file_inside_the_vault_needs_force(make_vault, tmp_path):
    from click.testing import CliRunner

    from notes2anki.cli import main as cli_main

    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    args = ["build", str(root), "-o", str(tmp_path / "d.apkg"), "--no-dupes", "--state-file", str(root / "s.json")]
    result = CliRunner().invoke(cli_main, args)
    assert result.exit_code == 2 and "inside the vault" in result.output
    assert not (root / "s.json").exists() and not (tmp_path / "d.apkg").exists()
    assert CliRunner().invoke(cli_main, args + ["--force"]).exit_code == 0
