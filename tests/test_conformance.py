"""The plugin's 26 end-to-end suites, built and imported into real Anki collections (tools/conformance.py)."""
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("conformance", ROOT / "tools" / "conformance.py")
conformance = importlib.util.module_from_spec(_spec)
sys.modules["conformance"] = conformance
_spec.loader.exec_module(conformance)

SUITES = sorted(conformance.load_expectations()["suites"])


def test_all_suites_listed():
    assert len(SUITES) == 26


@pytest.mark.parametrize("suite", SUITES)
def test_suite(suite, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "state"))
    result = conformance.run_suite(suite, tmp_path)
    failed = [message for ok, message in result.checks if not ok]
    assert result.checks and not failed, failed


def test_cloze_highlight_difference_is_explicit():
    """'==c1::test==' gives {{c1::test}}; the plugin's {{c1:::test}} is a quirk we accept, not copy."""
    assert conformance._accepted("cloze_highlight", "a {{c1:::test}}", "a {{c1::test}}")
    assert not conformance._accepted("cloze_sync", "a {{c1:::test}}", "a {{c1::test}}")
