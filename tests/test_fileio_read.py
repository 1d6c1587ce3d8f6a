"""fileio.read_bounded reads a file whole in one read (no copy to join chunks) and stays bounded."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from notes2anki.fileio import RealPaths, UnsafeFile, read_bounded


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


def test_is_inside_compares_whole_folder_names_and_takes_a_resolved_root(tmp_path):
    import os

    from notes2anki.fileio import is_inside

    vault, sibling = tmp_path / "vault", tmp_path / "vault2"
    (vault / "sub").mkdir(parents=True)
    sibling.mkdir()
    (vault / "sub" / "a.md").write_text("x")
    (sibling / "b.md").write_text("y")
    (vault / "link.md").symlink_to(sibling / "b.md")
    real = os.path.realpath(vault)
    for kwargs in ({}, {"real_root": real}, {"real_root": RealPaths(vault)}):
        assert is_inside(vault, vault / "sub" / "a.md", **kwargs) and is_inside(vault, vault, **kwargs)
        assert not is_inside(vault, sibling / "b.md", **kwargs)  # "vault2" starts with "vault" but is not in it
        assert not is_inside(vault, vault / "link.md", **kwargs)  # a link out of the vault
    assert is_inside(Path("/"), vault / "sub" / "a.md") and is_inside(Path("/"), vault, real_root="/")


def test_atomic_write_of_a_cache_file_skips_the_fsyncs_and_still_replaces_it_whole(tmp_path, monkeypatch):
    from notes2anki import fileio

    synced = []
    monkeypatch.setattr(fileio.os, "fsync", lambda fd: synced.append(fd))
    path = tmp_path / "memo.pickle"
    fileio.atomic_write(path, b"first")
    assert path.read_bytes() == b"first" and len(synced) == 2  # the file and its folder
    synced.clear()
    assert fileio.atomic_write(path, b"second, longer", durable=False)
    assert path.read_bytes() == b"second, longer" and synced == []
    assert [p.name for p in tmp_path.iterdir()] == ["memo.pickle"]  # no temp file left


def test_real_paths_resolve_every_path_as_realpath_does_each_folder_once(tmp_path, monkeypatch):
    vault, outside = tmp_path / "vault", tmp_path / "outside"
    (vault / "a" / "b").mkdir(parents=True)
    outside.mkdir()
    (outside / "o.md").write_text("o")
    (vault / "a" / "b" / "n.md").write_text("n")
    (vault / "a" / "b" / "link.md").symlink_to(outside / "o.md")  # a file link out
    (vault / "a" / "b" / "inner.md").symlink_to(vault / "a" / "b" / "n.md")  # a file link inside
    (vault / "dirlink").symlink_to(outside)  # a folder link out
    (vault / "loop.md").symlink_to(vault / "loop.md")  # a link to itself
    paths = [vault / "a" / "b" / "n.md", vault / "a" / "b" / "link.md", vault / "a" / "b" / "inner.md",
             vault / "dirlink" / "o.md", vault / "loop.md", vault / "a" / "missing.md", vault / "a" / ".",
             vault / "a" / "b" / "..", vault]
    resolver = RealPaths(vault)
    for path in paths + paths:  # the second time from the folders it resolved
        assert resolver.realpath(path) == os.path.realpath(path), path
    rel = os.path.relpath(vault / "a" / "b" / "n.md")
    assert resolver.realpath(rel) == os.path.realpath(rel)  # a relative path (from the working folder)
    resolved = []
    real = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda p, **kw: resolved.append(os.fspath(p)) or real(p, **kw))
    again = RealPaths(vault)
    for name in ("n.md", "x.md", "y.md"):
        (vault / "a" / "b" / name).write_text(name)
        again.realpath(vault / "a" / "b" / name)
    assert resolved == [str(vault), str(vault / "a" / "b")]  # the root and the one folder, once each
