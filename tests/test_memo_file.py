"""notes2anki/memo_file.py: a pickled memo that cannot be used is said once, naming the file, as the SQLite
caches say it; a missing file or one of another version is not."""
from __future__ import annotations

import os
import pickle

import pytest

from notes2anki import memo_file


def test_round_trip_and_validation(tmp_path):
    path = tmp_path / "sub" / "m.pickle"
    assert memo_file.load(path, "test memo") == (None, None)  # missing: the first run
    assert memo_file.save(path, {"format": 2, "rows": [1, 2]})
    assert memo_file.load(path, "test memo", valid=lambda d: d["format"] == 2) == ({"format": 2, "rows": [1, 2]}, None)
    assert memo_file.load(path, "test memo", valid=lambda d: d["format"] == 3) == (None, None)  # stale: silent


def test_damaged_files_give_one_warning_each_naming_the_file(tmp_path):
    path = tmp_path / "m.pickle"
    good = memo_file.dumps({"format": 1, "rows": list(range(100))})
    flipped = good.replace(pickle.dumps(42)[2:-1], pickle.dumps(43)[2:-1], 1)  # still a whole pickle
    assert pickle.loads(flipped)["rows"][42] == 43
    cases = {
        good[: len(good) // 2]: "is corrupt (UnpicklingError: pickle data was truncated)",
        b"": "is corrupt (EOFError: Ran out of input)",
        memo_file.dumps([1, 2, 3]): "is not a notes2anki test memo",
        memo_file.dumps({"format": 1}): "is corrupt (KeyError: 'rows')",
        flipped: "is corrupt (its checksum does not match: changed after it was written)",
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
    assert value is None and warning == f"test memo {folder} is a folder, not a memo file; remove it"
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


def test_a_file_of_an_older_version_without_its_checksum_is_stale_not_damaged(tmp_path):
    path = tmp_path / "m.pickle"
    path.write_bytes(pickle.dumps({"format": 1, "rows": [1]}))  # as notes2anki wrote memos before the CRC-32
    assert memo_file.load(path, "test memo") == (None, None)
    with pytest.raises(memo_file.StaleMemo):
        memo_file.read_pickle(path)


def test_bytes_changed_after_writing_are_never_read_as_the_memo(tmp_path):
    """Tester 12-03: a ``.chargrams.pickle`` whose text list was rotated (still a well-formed pickle) gave
    every text another text's n-grams without a word. Every memo file now ends with its pickle's CRC-32."""
    path = tmp_path / "m.pickle"
    memo_file.save(path, {"texts": ["alpha", "beta", "gamma"], "rows": [0, 1, 2]})
    raw = path.read_bytes()
    assert memo_file.read_pickle(path) == {"texts": ["alpha", "beta", "gamma"], "rows": [0, 1, 2]}
    path.write_bytes(raw.replace(b"alpha", b"alphb"))
    with pytest.raises(memo_file.DamagedMemo):
        memo_file.read_pickle(path)
    value, warning = memo_file.load(path, "test memo")
    assert value is None and "checksum does not match" in warning


def test_save_never_raises(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert memo_file.save(blocker / "m.pickle", {"a": 1}) is False
    assert memo_file.save(tmp_path / "m.pickle", {"f": lambda: 1}) is False  # cannot be pickled


def test_read_pickle_raises_at_once_on_a_fifo_instead_of_blocking(tmp_path):
    # tester 19:35 F5: the duplicate check's memos were opened with open() + pickle.load: a FIFO hung dupes
    fifo = tmp_path / "entry.pickle"
    os.mkfifo(fifo)
    with pytest.raises(OSError):
        memo_file.read_pickle(fifo)
    memo_file.save(tmp_path / "ok.pickle", {"a": 1})
    assert memo_file.read_pickle(tmp_path / "ok.pickle") == {"a": 1}


def test_out_of_band_arrays_are_read_back_as_read_only_views_mapped_or_not(tmp_path):
    np = pytest.importorskip("numpy")
    path = tmp_path / "v.pickle"
    data = {"key": "m", "texts": ["a", "b"], "vectors": np.arange(3 * 40_000, dtype=np.float32).reshape(-1, 3),
            "rows": np.linspace(0, 1, 38 * 2_000).reshape(-1, 38), "small": np.arange(5)}
    raw = memo_file.dumps(data, out_of_band=True)
    assert raw.startswith(b"N2A-OOB1") and len(raw) > data["vectors"].nbytes + data["rows"].nbytes
    path.write_bytes(raw)
    for mapped in (False, True):
        back = memo_file.read_pickle(path, mapped=mapped)
        assert back["texts"] == ["a", "b"] and back["key"] == "m"
        for name in ("vectors", "rows", "small"):
            assert np.array_equal(back[name], data[name]) and back[name].dtype == data[name].dtype
        assert not back["vectors"].flags.writeable and not back["rows"].flags.writeable  # views of the file
        assert back["vectors"].ctypes.data % 64 == 0 or not mapped  # aligned in the mapping
        with pytest.raises(ValueError):
            back["rows"][0, 0] = 5.0
    assert memo_file.load(path, "test memo")[0]["texts"] == ["a", "b"]  # the plain reader reads it too


def test_an_out_of_band_memo_damaged_or_cut_is_never_read_as_the_memo(tmp_path):
    np = pytest.importorskip("numpy")
    path = tmp_path / "v.pickle"
    raw = memo_file.dumps({"vectors": np.ones((1_000, 384), dtype=np.float32)}, out_of_band=True)
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 1  # a bit of the vectors
    for content, error in ((bytes(flipped), memo_file.DamagedMemo), (raw[:len(raw) // 2], Exception),
                           (raw[:-30], Exception)):
        path.write_bytes(content)
        for mapped in (False, True):
            with pytest.raises(error):
                memo_file.read_pickle(path, mapped=mapped)
    # a layout whose offsets point past its end, sealed again (not what dumps writes): damaged, not a crash
    body = bytearray(raw[:-len(memo_file._SEAL) - 4])
    body[24:32] = (len(body) + 100).to_bytes(8, "little")  # the first buffer's offset
    import zlib
    path.write_bytes(bytes(body) + memo_file._SEAL + zlib.crc32(bytes(body)).to_bytes(4, "little"))
    with pytest.raises(memo_file.DamagedMemo):
        memo_file.read_pickle(path, mapped=True)
    path.write_bytes(b"")
    with pytest.raises(EOFError):
        memo_file.read_pickle(path, mapped=True)


def test_a_mapped_read_refuses_a_fifo_at_once_and_a_file_over_the_limit(tmp_path):
    fifo = tmp_path / "f.pickle"
    os.mkfifo(fifo)
    with pytest.raises(OSError):
        memo_file.read_pickle(fifo, mapped=True)
    big = tmp_path / "big.pickle"
    big.write_bytes(memo_file.dumps({"rows": list(range(1000))}, out_of_band=True))
    with pytest.raises(OSError, match="limit"):
        memo_file.read_pickle(big, limit=100, mapped=True)
