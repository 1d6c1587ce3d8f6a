"""notes2anki/memo_file.py: a pickled memo that cannot be used is said once, naming the file, as the SQLite
caches say it; a missing file or one of another version is not."""
from __future__ import annotations

import os
import pickle

from notes2anki import memo_file


def test_round_trip_and_validation(tmp_path):
    path = tmp_path / "sub" / "m.pickle"
    assert memo_file.load(path, "test memo") == (None, None)  # missing: the first run
    assert memo_file.save(path, {"format": 2, "rows": [1, 2]})
    assert memo_file.load(path, "test memo", valid=lambda d: d["format"] == 2) == ({"format": 2, "rows": [1, 2]}, None)
    assert memo_file.load(path, "test memo", valid=lambda d: d["format"] == 3) == (None, None)  # stale: silent


def test_damaged_files_give_one_warning_each_naming_the_file(tmp_path):
    path = tmp_path / "m.pickle"
    good = pickle.dumps({"format": 1, "rows": list(range(100))})
    cases = {
        good[: len(good) // 2]: "is corrupt (UnpicklingError: pickle data was truncated)",
        b"": "is corrupt (EOFError: Ran out of input)",
        pickle.dumps([1, 2, 3]): "is not a notes2anki test memo",
        pickle.dumps({"format": 1}): "is corrupt (KeyError: 'rows')",
    }
    for content, problem in cases.items():
        path.write_bytes(content)
        os.utime(path, ns=(0, len(content) + 1))  # each case a distinct (size, time)
        value, warning = memo_file.load(path, "test memo", valid=lambda d: isinstance(d["rows"], list))
        assert value is None and warning == f"test memo {path} {problem}; rebuilding it"
        assert memo_file.load(path, "test memo", valid=lambda d: isinstance(d["rows"], list)) == (None, None)  # once


def test_a_folder_or_fifo_in_its_place_is_not_read_and_not_a_hang(tmp_path):
    folder = tmp_path / "dir.pickle"
    folder.mkdir()
    value, warning = memo_file.load(folder, "test memo")
    assert value is None and warning.startswith(f"test memo {folder} cannot be read")
    fifo = tmp_path / "fifo.pickle"
    os.mkfifo(fifo)
    value, warning = memo_file.load(fifo, "test memo")
    assert value is None and "not a regular file" in warning


def test_too_large_is_not_read(tmp_path):
    path = tmp_path / "m.pickle"
    memo_file.save(path, {"rows": "x" * 1000})
    value, warning = memo_file.load(path, "test memo", limit=100)
    assert value is None and "larger than" in warning and warning.endswith("; rebuilding it")


def test_a_class_notes2anki_no_longer_has_is_stale_not_damaged(tmp_path):
    path = tmp_path / "m.pickle"
    path.write_bytes(b"cnotes2anki.no_such_module\nNote\n.")  # a class that moved away in an upgrade
    assert memo_file.load(path, "test memo") == (None, None)


def test_save_never_raises(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert memo_file.save(blocker / "m.pickle", {"a": 1}) is False
    assert memo_file.save(tmp_path / "m.pickle", {"f": lambda: 1}) is False  # cannot be pickled
