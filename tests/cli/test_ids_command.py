"""`notes2anki ids` from the command line: exit codes, messages, the lock, and a --dry-run diff that
`git apply` accepts and that gives exactly what `ids` writes."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.fileio import vault_lock


def empty_collection(tmp_path, nid: int | None = None):
    """The collection holding the note this file's ID line names (conftest.collection_holding)."""
    from tests.conftest import collection_holding

    return collection_holding(tmp_path, nid or NID)

LONG = "word " * 80  # a 400-character line: never cropped or wrapped
FILES = {
    "lf.md": f"# LF\n\nSTART\nBasic\n{LONG}\nBack: a\nTags: biology\n\nEND\n",
    "crlf.md": "START\r\nBasic\r\nQ crlf\r\nBack: a\r\nEND\r\n",
    "no final newline.md": "START\nBasic\nQ last\nBack: a\nEND\nx STARTI [Basic] inline Back: b ENDI",
    "bom.md": "\ufeffSTART\nBasic\nQ bom\nBack: a\nEND\n",
    "sub/ünï.md": "START\nBasic\nQ unicode\nBack: ä\nEND\n",
    'q"uote\\.md': "START\nBasic\nQ quote\nBack: a\nEND\n",
    "done.md": "START\nBasic\nQ has id\nBack: a\n<!--ID: 1234567890123-->\nEND\n",
}

NID = 1234567890123  # done.md's ID line

def ids(*args):
    return CliRunner().invoke(cli_main, ["ids", *map(str, args)])


def test_ids_writes_ids_and_exits_0(make_vault, helpers, tmp_path):
    root = make_vault(FILES)
    untouched = helpers.tree_digest(root)["done.md"]
    before = helpers.tree_digest(root)
    # a vault with ID lines and no record of a sync on this machine may have been synced (tester C r2b)
    refused = ids(root)
    assert refused.exit_code == 2 and "--collection" in refused.output and "nothing written" in refused.output
    assert helpers.tree_digest(root) == before
    result = ids(root, "--collection", empty_collection(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Added 7 IDs in 6 files." in result.output
    assert (root / "crlf.md").read_bytes().count(b"<!--ID: ") == 1
    assert b"-->\r\nEND\r\n" in (root / "crlf.md").read_bytes()
    assert helpers.tree_digest(root)["done.md"] == untouched
    again = ids(root)
    assert again.exit_code == 0 and "Added 0 IDs in 0 files." in again.output


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_dry_run_diff_applies_with_git_and_matches_what_ids_writes(make_vault, helpers, tmp_path):
    root = make_vault(FILES)
    before = helpers.tree_digest(root)
    result = CliRunner().invoke(cli_main, ["ids", str(root), "--dry-run", "--collection",
                                           str(empty_collection(tmp_path))])
    assert result.exit_code == 0, result.output
    assert helpers.tree_digest(root) == before  # nothing written
    patch = result.stdout_bytes
    assert patch.startswith(b"--- a/") and LONG.encode() in patch
    assert b"\\ No newline at end of file\n" in patch and b"\r\n" in patch
    assert "Would add 7 IDs in 6 files" in result.stderr  # the summary is not part of the diff

    repo = tmp_path / "repo"
    shutil.copytree(root, repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (tmp_path / "ids.patch").write_bytes(patch)
    check = subprocess.run(["git", "apply", "--check", str(tmp_path / "ids.patch")], cwd=repo,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    subprocess.run(["git", "apply", str(tmp_path / "ids.patch")], cwd=repo, check=True, capture_output=True)
    shutil.rmtree(repo / ".git")

    assert ids(root, "--collection", tmp_path / "prof" / "collection.anki2").exit_code == 0
    assert helpers.tree_digest(repo) == helpers.tree_digest(root)


def test_another_run_holding_the_lock_exits_2(make_vault):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n"})
    with vault_lock(root):
        result = ids(root)
    assert result.exit_code == 2
    assert "another notes2anki command is writing to this vault" in result.output
    assert "<!--ID" not in (root / "a.md").read_text()


def test_a_file_left_alone_exits_1_with_its_name(make_vault):
    root = make_vault({"a.md": "START\nBasic\nQ\nBack: A\nEND\n", "b.md": "START\nBasic\nQ2\nBack: B\nEND\n"})
    (root / "a.md").chmod(0o444)
    result = ids(root)
    assert result.exit_code == 1
    assert "a.md: error: no IDs written: read-only" in result.output
    assert "<!--ID" in (root / "b.md").read_text()
    assert "Added 1 ID in 1 file." in result.output


def test_errors_in_the_vault_exit_1_and_no_traceback(make_vault):
    root = make_vault({"a.md": "START\nNope\nQ\nEND\n", "b.bin.md": b"\xff\xfe START\n"})
    result = ids(root)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert isinstance(result.exception, (SystemExit, type(None)))


def test_the_dry_run_diff_of_a_long_note_shows_only_the_added_id_lines(make_vault):
    """Tester 04:30, T19: in a note of 200 lines or more difflib's "popular lines" heuristic treated END
    and blank lines as junk, so `ids --dry-run` showed unchanged lines as removed and added again (Kroid:
    9 of them). Each added ID is one '+' line; no line is removed."""
    cards = "".join(f"START\nBasic\nQuestion {i}?\nBack: answer {i}\nEND\n\n" for i in range(60))
    root = make_vault({"long.md": "# Verbs\n\n" + cards})
    result = CliRunner().invoke(cli_main, ["ids", str(root), "--dry-run"])
    assert result.exit_code == 0, result.output
    body = [line for line in result.stdout.splitlines() if not line.startswith(("---", "+++", "@@"))]
    assert sum(line.startswith("+") for line in body) == 60
    assert not [line for line in body if line.startswith("-")]
