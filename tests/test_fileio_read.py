"""fileio.read_bounded reads a file whole in one read (no copy to join chunks) and stays bounded."""
from __future__ import annotations

import os

import pytest

from notes2anki.fileio import UnsafeFile, read_bounded


def test_files_of_every_size_come_back_whole_and_the_limit_holds(tmp_path):
    for size in (0, 1, (1 << 20) - 1, 1 << 20, (3 << 20) + 7):
        path = tmp_path / f"f{size}"
        data = os.urandom(size)
        path.write_bytes(data)
        assert read_bounded(path, 4 << 20) == data
        if size:
            assert read_bounded(path, size) == data  # exactly at the limit
            with pytest.raises(UnsafeFile):
                read_bounded(path, size - 1)


def test_a_file_that_grew_after_its_size_was_taken_is_read_to_its_end_or_refused(tmp_path, monkeypatch):
    path = tmp_path / "growing"
    path.write_bytes(b"a" * 10)
    real_fstat = os.fstat

    class Shrunk:  # what fstat said before the file grew to 10 bytes
        def __init__(self, info):
            self.st_mode, self.st_size = info.st_mode, 4

    monkeypatch.setattr(os, "fstat", lambda fd: Shrunk(real_fstat(fd)))
    assert read_bounded(path, 100) == b"a" * 10
    with pytest.raises(UnsafeFile):
        read_bounded(path, 8)
