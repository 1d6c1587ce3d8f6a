"""VectorMemo (semantic/vector_memo.py): a few new texts do not rewrite the file; the vectors are right."""
from __future__ import annotations

import numpy as np

from notes2anki.semantic.vector_memo import REWRITE_NEW, VectorMemo


def fake_embed(calls):
    def embed(texts):
        calls.append(list(texts))
        out = np.array([[len(t), sum(map(ord, t)) % 97, 1.0] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)
    return embed


def test_few_new_texts_keep_the_file_and_many_rewrite_it(tmp_path):
    path = tmp_path / "x.vectors.pickle"
    texts = [f"card {n}" for n in range(400)]
    calls: list = []
    first = VectorMemo(fake_embed(calls), path, "m")
    want = first(texts)
    first.save()
    written = path.stat().st_mtime_ns
    edited = texts[:-1] + ["card edited"]
    memo = VectorMemo(fake_embed(calls), path, "m")
    assert np.array_equal(memo(edited), np.concatenate([want[:-1], fake_embed([])(["card edited"])]))
    memo.save()
    assert path.stat().st_mtime_ns == written  # one new text: not rewritten
    calls.clear()
    again = VectorMemo(fake_embed(calls), path, "m")
    assert np.array_equal(again(edited), memo(edited)) and calls == [["card edited"]]  # the new one asked again
    many = [f"other {n}" for n in range(REWRITE_NEW + 20)] + texts[REWRITE_NEW + 20:]
    again(many)
    again.save()
    assert path.stat().st_mtime_ns != written
    calls.clear()
    assert np.array_equal(VectorMemo(fake_embed(calls), path, "m")(many), again(many)) and calls == []


def test_placed_puts_each_vector_where_a_scatter_of_the_memo_s_rows_would(tmp_path):
    path = tmp_path / "x.vectors.pickle"
    texts = [f"card {n}" for n in range(300)]
    calls: list = []
    first = VectorMemo(fake_embed(calls), path, "m")
    first(texts)
    first.save()
    asked = texts[:200] + ["new one", "new two"] + texts[:3]  # stored, new and repeated texts
    dest = np.random.default_rng(0).permutation(600)[:len(asked)]
    memo = VectorMemo(fake_embed(calls), path, "m")
    placed = memo.placed(asked, 600, dest)
    want = np.zeros((600, 3), dtype=np.float32)
    want[dest] = VectorMemo(fake_embed(calls), path, "m")(asked)
    assert placed.dtype == np.float32 and np.array_equal(placed, want)
    assert placed.flags.writeable and memo.fresh == {"new one", "new two"} and memo.used == set(asked)
    assert memo.placed(["x"], 4, np.array([1, 2])) is None  # rows and places that do not pair: not placed


def test_placed_without_a_stored_file(tmp_path):
    calls: list = []
    memo = VectorMemo(fake_embed(calls), tmp_path / "none.vectors.pickle", "m")
    placed = memo.placed(["a", "bb", "a"], 5, np.array([4, 0, 2]))
    want = np.zeros((5, 3), dtype=np.float32)
    want[[4, 0, 2]] = fake_embed([])(["a", "bb", "a"])
    assert np.array_equal(placed, want) and calls == [["a", "bb"]]


def test_placed_of_texts_all_new_embeds_them_once(tmp_path):
    calls: list = []
    memo = VectorMemo(fake_embed(calls), tmp_path / "none.vectors.pickle", "m")
    placed = memo.placed(["a", "bb"], 3, np.array([2, 0]))
    assert calls == [["a", "bb"]] and np.array_equal(placed[[2, 0]], fake_embed([])(["a", "bb"]))
    assert not placed[1].any() and memo.fresh == {"a", "bb"}
