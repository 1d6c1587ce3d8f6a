"""`notes2anki check VAULT`: problems grouped by kind, --json, exit codes, nothing written."""
from __future__ import annotations

import json

from click.testing import CliRunner

from notes2anki.cli import main

CLEAN = {
    "net/TCP.md": "START\nBasic\nWhat does TCP stand for?\nBack: Transmission Control Protocol\n"
                  "<!--ID: 1768062256106-->\nEND\n",
}
WARNED = {
    **CLEAN,
    "lint.md": "Start\nBasic\nQ\nBack: A\nEND\n\nSTART\nBasic\nWhat is 2+2?\nback: 4\n<!--ID: 1768062256107-->\nEND\n",
}
BROKEN = {
    **WARNED,
    "bad.md": "START\nBasic\nunclosed card\n\nSTART\nBasik\nx\nEND\n<!--ID: 1768062256108-->\n",
}


def run(root, *args):
    return CliRunner().invoke(main, ["check", str(root), *args])


def test_clean_vault_exits_0(make_vault, helpers):
    root = make_vault(CLEAN)
    before = helpers.tree_digest(root)
    result = run(root)
    assert result.exit_code == 0, result.output
    assert "1 note, 1 card: 0 errors, 0 warnings" in result.output
    assert helpers.tree_digest(root) == before


def test_warnings_exit_0_unless_strict(make_vault):
    root = make_vault(WARNED)
    result = run(root)
    assert result.exit_code == 0, result.output
    assert "lint.md:1: warning: 'Start' does not start a card" in result.output
    assert "lint.md:10: warning: 'back:' does not start the field 'Back'" in result.output
    assert run(root, "--strict").exit_code == 1


def test_errors_exit_1_grouped_by_kind_with_counts(make_vault, helpers):
    root = make_vault(BROKEN)
    before = helpers.tree_digest(root)
    result = run(root)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    summary = {line.split()[1]: int(line.split()[0]) for line in lines[1:] if line.startswith("  ") and
               line.split()[0].isdigit()}
    assert summary == {"no-end": 1, "unknown-note-type": 1, "near-miss": 2, "orphan-id": 1}
    assert lines.index("no-end (1)") < lines.index("near-miss (2)")  # kinds with errors first
    assert "  bad.md:1: error: START has no END before the next START at line 5; card skipped" in lines
    assert any(line.startswith("  bad.md:9: warning: ID 1768062256108 belongs to no card") for line in lines)
    assert helpers.tree_digest(root) == before  # no deck, no state, no ID written


def test_json_is_stable_and_complete(make_vault):
    result = run(make_vault(BROKEN), "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) == {"problems", "counts", "errors", "warnings", "notes", "cards", "stopped"}
    assert data["counts"] == {"near-miss": 2, "no-end": 1, "orphan-id": 1, "unknown-note-type": 1}
    assert (data["errors"], data["warnings"]) == (2, 3)
    first = data["problems"][0]
    assert first == {"file": "bad.md", "line": 1, "severity": "error", "kind": "no-end",
                     "message": "START has no END before the next START at line 5; card skipped"}
    assert all(set(p) == {"file", "line", "severity", "kind", "message"} for p in data["problems"])


def test_vault_that_is_not_a_folder_exits_2(tmp_path):
    result = run(tmp_path / "missing")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_check_reports_what_a_build_reports(make_vault):
    """Identity problems found only at packaging time (two cards, one ID) are part of check too."""
    root = make_vault({"a.md": "START\nBasic\nQ1\n<!--ID: 5-->\nEND\n", "b.md": "START\nBasic\nQ2\n<!--ID: 5-->\nEND\n"})
    data = json.loads(run(root, "--json").output)
    assert [(p["file"], p["line"], p["kind"]) for p in data["problems"]] == [("a.md", 1, "duplicate-id"),
                                                                             ("b.md", 1, "duplicate-id")]


def test_broken_configuration_stops_with_exit_2_naming_it(make_vault):
    root = make_vault({**CLEAN, ".notes2anki.toml": "[build]\ndefault_deck = 5\n"})
    result = run(root, "--json")
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["stopped"] is True and data["cards"] == 0
    assert [(p["file"], p["kind"]) for p in data["problems"]] == [(".notes2anki.toml", "config")]


def test_an_empty_vault_says_only_why_it_stops(tmp_path):
    """Tester B r11 (a): "0 notes, 0 cards: 0 errors, 0 warnings" came before the error, looking clean."""
    (tmp_path / "empty").mkdir()
    result = run(tmp_path / "empty")
    assert result.exit_code == 2
    assert "0 errors" not in result.output and "0 notes" not in result.output
    assert "nothing to do. Is this the vault folder?" in " ".join(result.output.split())


def test_a_stale_dupes_ignore_reference_is_listed_as_build_lists_it(make_vault):
    """Tester 12-03: `build` (duplicates on by default), `dupes` and `report` warned that an `[dupes] ignore`
    reference matches no card; `check`, which lists every problem a build would report, did not."""
    root = make_vault({**CLEAN, ".notes2anki.toml": '[dupes]\nignore = [["gone.md:4", "net/TCP.md:1"]]\n'})
    message = ('.notes2anki.toml:2: warning: dupes.ignore, entry 1, reference 1: "gone.md:4" matches no card; '
               "pairs with it are not ignored")
    result = run(root)
    assert result.exit_code == 0 and message in result.output, result.output
    as_json = json.loads(run(root, "--json").output)
    assert any("gone.md:4" in p["message"] for p in as_json["problems"]), as_json
    built = CliRunner().invoke(main, ["build", str(root), "-o", str(root.parent / "d.apkg")])
    assert message in built.output, built.output
