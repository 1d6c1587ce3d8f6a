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
