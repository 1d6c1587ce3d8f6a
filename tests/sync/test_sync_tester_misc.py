"""Tester findings (fix-misc): DELETE after a blank line, a type chosen in Anki among notes2anki's own,
held mass deletions in `sync --json`, the ID-less count after a partly failed `--write-ids`."""
from __future__ import annotations

import json
import re

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

from .test_sync_tester_0430 import CARD, _notes, _synced


def _id_of(text: str) -> int:
    return int(re.search(r"<!--ID: (\d+)-->", text).group(1))


def test_delete_then_a_blank_line_then_the_id_is_not_a_delete_marker(make_vault, sync_cli, tmp_path):
    """`DELETE`, a blank line, then the card's ID line: the plugin's EMPTY_REGEXP (the Delete Note Line, at
    most one newline, the ID) does not match, so it marks nothing; notes2anki deleted the reviewed note.
    Now the card is kept (DELETE is its text, as in the plugin) with a warning saying why."""
    root, col_path = _synced(make_vault, sync_cli, tmp_path, {"a.md": CARD.format(q="Kept question?", a="x"),
                                                              "o.md": CARD.format(q="Other?", a="y")})
    assert sync_cli(root, col_path, "--yes", "--write-ids").exit_code == 0
    text = (root / "a.md").read_text("utf-8")
    nid = _id_of(text)
    (root / "a.md").write_text(text.replace(f"<!--ID: {nid}-->", f"DELETE\n\n<!--ID: {nid}-->"), "utf-8")
    check = CliRunner().invoke(cli_main, ["check", str(root)])
    assert re.search(r"a\.md:5: warning: DELETE is read as the card's text.*blank line", check.output), check.output
    result = sync_cli(root, col_path, "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == []
    assert _notes(col_path) == {"Kept question?": 1, "Other?": 1}
    (root / "a.md").write_text(text.replace(f"<!--ID: {nid}-->", f"DELETE\n<!--ID: {nid}-->"), "utf-8")
    result = sync_cli(root, col_path, "--yes", "--json")  # directly above its ID line: a marker
    assert [d["reason"] for d in json.loads(result.stdout)["deleted"]] != []
    assert _notes(col_path) == {"Other?": 1}
