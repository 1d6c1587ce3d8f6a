"""A memo of an earlier duplicate check garbled on disk (tester S7): the check runs again from the start."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from notes2anki.cli import main as cli_main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "vault"
NEW_CARD = "\nSTART\nBasic\nA brand new card about ribosomes?\nBack: they make proteins\nEND\n"


def _pairs(root: Path) -> tuple[list, str]:
    result = CliRunner().invoke(cli_main, ["dupes", str(root), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return sorted((p["a"]["file"], p["a"]["line"], p["b"]["file"], p["b"]["line"]) for p in data["pairs"]), result.output


def test_a_garbled_mining_memo_is_removed_and_the_check_run_again(tmp_path, monkeypatch):
    """8 bytes flipped in `<entry>.mining.pickle` (still a pickle): every later `build` and `dupes` ended in
    "internal error: IndexError: index 23925373025976357 is out of bounds", until the user found the file."""
    monkeypatch.setenv("NOTES2ANKI_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "vault"
    shutil.copytree(EXAMPLE, root)
    _pairs(root)
    (mining,) = (tmp_path / "cache").glob("*.dupes/*.mining.pickle")
    data = bytearray(mining.read_bytes())
    for i in range(len(data) // 4, len(data) // 4 + 8):
        data[i] ^= 0x55
    mining.write_bytes(bytes(data))
    with open(root / "Biology" / "Cell.md", "a", encoding="utf-8") as fh:
        fh.write(NEW_CARD)
    pairs, output = _pairs(root)
    assert "stored memo" in output and "could not be used (IndexError" in " ".join(output.split())
    monkeypatch.setenv("NOTES2ANKI_CACHE_DIR", str(tmp_path / "clean"))
    clean, _ = _pairs(root)
    assert pairs == clean
    monkeypatch.setenv("NOTES2ANKI_CACHE_DIR", str(tmp_path / "cache"))
    again, output = _pairs(root)  # the memo written again is sound: no warning the second time
    assert again == clean and "could not be used" not in output
