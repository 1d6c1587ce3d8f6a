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
    "internal error: IndexError: index 23925373025976357 is out of bounds", until the user found the file.
    Since memo files carry a CRC-32 (memo_file.dumps) such a file is not read at all: the check mines again.
    A memo that passes its checksum and still fails (written wrong, e.g. by a bug) is removed and the check
    run from the start, with a warning."""
    import pickle

    import numpy as np

    from notes2anki import memo_file

    monkeypatch.setenv("NOTES2ANKI_CACHE_DIR", str(tmp_path / "clean"))
    root = tmp_path / "vault"
    shutil.copytree(EXAMPLE, root)
    cell, original = root / "Biology" / "Cell.md", (EXAMPLE / "Biology" / "Cell.md").read_bytes()
    clean_before, _ = _pairs(root)
    cell.write_bytes(original + NEW_CARD.encode())
    clean, _ = _pairs(root)
    cell.write_bytes(original)

    monkeypatch.setenv("NOTES2ANKI_CACHE_DIR", str(tmp_path / "cache"))
    _pairs(root)
    (mining,) = (tmp_path / "cache").glob("*.dupes/*.mining.pickle")
    sound = mining.read_bytes()
    data = bytearray(sound)
    for i in range(len(data) // 4, len(data) // 4 + 8):
        data[i] ^= 0x55
    mining.write_bytes(bytes(data))
    cell.write_bytes(original + NEW_CARD.encode())
    pairs, output = _pairs(root)
    assert pairs == clean and "could not be used" not in output and "internal error" not in output

    state = pickle.loads(sound)  # sealed, but its neighbour lists point past the end
    state["idx"] = np.full_like(np.asarray(state["idx"]), 10**9)
    mining.write_bytes(memo_file.dumps(state))
    cell.write_bytes(original)  # a change: the check mines from the stored memo
    pairs, output = _pairs(root)
    assert "stored memo" in output and "could not be used (" in " ".join(output.split())
    assert pairs == clean_before
    cell.write_bytes(original + NEW_CARD.encode())
    again, output = _pairs(root)  # the memo written again is sound: no warning the second time
    assert again == clean and "could not be used" not in output
