"""The plugin's 26 end-to-end suites through `notes2anki sync` (tools/conformance.py, mode "sync"):
two-phase suites the plugin's way (sync writing IDs, edit, sync), ng_delete_sync included."""

import pytest

from tool_loader import load_tool

conformance = load_tool("conformance")

PEERS = conformance.find_peers()  # None without the suites: the tests below skip with the reason
if PEERS is not None:
    SUITES = sorted(conformance.load_expectations(PEERS)["suites"])
else:
    SUITES = [pytest.param("(none)", marks=pytest.mark.skip(reason=conformance.peers_missing_reason()))]


@pytest.mark.skipif(PEERS is None, reason=conformance.peers_missing_reason())
def test_all_suites_listed():
    assert len(SUITES) == 26 and "ng_delete_sync" in SUITES


@pytest.mark.parametrize("suite", SUITES)
def test_suite_through_sync(suite, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "state"))
    result = conformance.run_suite(suite, tmp_path, PEERS, mode="sync")
    failed = [message for ok, message in result.checks if not ok]
    assert result.checks and not failed, failed
