"""The plugin's 26 end-to-end suites, built and imported into real Anki collections (tools/conformance.py).

The suites (GPL-3.0 data) are not part of the project: they are read from ``$NOTES2ANKI_PEERS`` or
``<repo>/../shared/peers/obsidian_to_anki``. Without them the suite tests skip with the reason; the
runner's own behaviour without them (no import error, exit 2 with a message) is tested either way.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tool_loader import load_tool

ROOT = Path(__file__).resolve().parent.parent
conformance = load_tool("conformance")

PEERS = conformance.find_peers()
if PEERS is not None:
    SUITES = sorted(conformance.load_expectations(PEERS)["suites"])
else:  # one visible skipped case with the reason, instead of pytest's anonymous empty parameter set
    SUITES = [pytest.param("(none)", marks=pytest.mark.skip(reason=conformance.peers_missing_reason()))]


@pytest.fixture
def peers() -> Path:
    if PEERS is None:
        pytest.skip(conformance.peers_missing_reason())
    return PEERS


def test_all_suites_listed(peers):
    assert len(SUITES) == 26


@pytest.mark.parametrize("suite", SUITES)
def test_suite(suite, peers, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "state"))
    result = conformance.run_suite(suite, tmp_path, peers)
    failed = [message for ok, message in result.checks if not ok]
    assert result.checks and not failed, failed


def test_cloze_highlight_difference_is_explicit():
    """'==c1::test==' gives {{c1::test}}; the plugin's {{c1:::test}} is a quirk we accept, not copy."""
    assert conformance._accepted("cloze_highlight", "a {{c1:::test}}", "a {{c1::test}}")
    assert not conformance._accepted("cloze_sync", "a {{c1:::test}}", "a {{c1::test}}")


def test_without_suites_the_runner_says_so_and_exits_2(tmp_path):
    """No suites: the script imports fine, prints why on stderr and exits 2 (no traceback)."""
    env = {**os.environ, "NOTES2ANKI_PEERS": str(tmp_path / "nowhere"), "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "conformance.py")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert f"NOTES2ANKI_PEERS={tmp_path / 'nowhere'} holds no expectations.json" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_peers_are_looked_for_only_in_the_env_folder_or_beside_the_checkout(tmp_path, monkeypatch):
    monkeypatch.setenv("NOTES2ANKI_PEERS", str(tmp_path))
    assert conformance.find_peers() is None
    (tmp_path / "expectations.json").write_text('{"suites": {}}', encoding="utf-8")
    assert conformance.find_peers() == tmp_path
    monkeypatch.delenv("NOTES2ANKI_PEERS")
    beside = ROOT.parent / "shared" / "peers" / "obsidian_to_anki"
    assert conformance.PEERS_BESIDE == beside
    assert conformance.find_peers() == (beside if (beside / "expectations.json").is_file() else None)


def test_unknown_suite_or_bad_peers_folder_exit_2(tmp_path, capsys):
    assert conformance.main(["--peers", str(tmp_path)]) == 2
    assert "holds no expectations.json" in capsys.readouterr().err
    (tmp_path / "expectations.json").write_text('{"suites": {"basic_para": {}}}', encoding="utf-8")
    assert conformance.main(["--peers", str(tmp_path), "no_such_suite"]) == 2
    assert "no such suite: no_such_suite (known: basic_para)" in capsys.readouterr().err


def test_both_modes_replay_the_phases_through_one_helper(make_vault):
    """Build + import and sync share ``_replay``: each phase's edit applied, the vault read afresh, IDs
    written back only after the first of two phases (needs no peer suites)."""
    root = make_vault({"s/n.md": "START\nBasic\nold front\nBack: A\nEND\n"})
    spec = {"phases": [{"phase": 1},
                       {"phase": 2, "modification": {"file": "n.md", "replace_line": "old front",
                                                     "with": "new front"}}]}
    calls = []
    conformance._replay(spec, root, "s", {}, lambda v, config, number, write_ids, modified:
                        calls.append((number, write_ids, modified, v.cards[0].front)))
    assert calls == [(1, True, False, "old front"), (2, False, True, "new front")]
    calls.clear()
    conformance._replay({}, root, "s", {}, lambda v, c, number, write_ids, modified:
                        calls.append((number, write_ids, modified)))
    assert calls == [(1, False, False)]
