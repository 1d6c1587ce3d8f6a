"""The labelled files whose verdicts must not depend on the encoder path (notes2anki.semantic.pair_fit): the
fit's stability check and the int8 figures test (test_term_roles) both measure these, each file alone."""
from __future__ import annotations

from pathlib import Path

from notes2anki.semantic.pair_fit import DATA_DIR, labelled_files

EVAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"


def test_labelled_files_are_the_training_files_the_held_out_file_and_the_shared_pairs(tmp_path):
    names = [p.name for p in labelled_files(tmp_path)]  # no dupes_pairs.jsonl there
    assert names == ["dupe_pairs_dev.jsonl", "dupe_pairs_extra.jsonl", "dupe_pairs_test.jsonl"]
    (tmp_path / "dupes_pairs.jsonl").write_text("", "utf-8")
    assert labelled_files(tmp_path)[-1] == tmp_path / "dupes_pairs.jsonl"
    assert all(p.parent == DATA_DIR and p.is_file() for p in labelled_files(tmp_path)[:3])
