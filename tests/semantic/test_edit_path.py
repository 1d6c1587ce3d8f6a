"""What a check after an edit no longer does (issue 13, ``build`` after editing one note), each with the
result it must keep: one ONNX Runtime session for the sentence vectors and the token states (same vectors
and states as two sessions), stop-word votes from an index kept on disk (same votes as each language's
list), the reported pairs' signals made on first use (same signals), the memo digest from one marshal (same
digest for the same cards, another for any change)."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from notes2anki.model import Card
from notes2anki.semantic import dupes_memo, language
from notes2anki.semantic.dupes import find_duplicates
from notes2anki.semantic.pair_features import explain

REPO = Path(__file__).resolve().parents[2]
TEXTS = ["What port does HTTPS use by default? | 443", "Define opportunity cost.", "What is opportunity cost?",
         "Welche Aufgabe hat die Mitochondrie? | Zellatmung, ATP", "a " * 400, "x", ""]


def _graph(embedder) -> Path:
    from notes2anki.semantic.onnx_backend import read_meta

    plan = embedder.plan
    return plan.folder / read_meta(plan.folder)["files"][plan.variant]


def test_one_session_gives_the_sentence_vectors_and_the_token_states_of_two(embedder):
    import onnxruntime as ort

    from notes2anki.semantic import encoder, token_align, token_graph, token_states
    from notes2anki.semantic.onnx_quantize import DISABLED_OPTIMIZERS

    embedder.embed(["load the session"])
    source = token_align.source_for(embedder.embed)
    plan, graph = embedder.plan, _graph(embedder)
    assert plan.backend == "onnx" and token_graph.existing(graph) is not None  # written once, kept
    loaded = encoder._ONNX[(plan.folder, plan.device or "cpu", plan.variant)]
    assert loaded.hidden and source.session is loaded.session  # no second session
    # the same sentence vectors as a session on the converted graph itself
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    plain = dataclasses.replace(loaded, session=ort.InferenceSession(
        str(graph), options, providers=["CPUExecutionProvider"], disabled_optimizers=DISABLED_OPTIMIZERS),
        output=None, hidden=None)
    assert np.array_equal(loaded.encode(TEXTS), plain.encode(TEXTS))
    # the same token states as a session of their own (as before)
    own = token_states.TokenEncoder.from_graph(token_graph.derive(graph), plan.model_dir,
                                               {"inputs": loaded.inputs, "lower_case": loaded.lower_case,
                                                "max_seq_length": 256})
    for (ids_a, states_a), (ids_b, states_b) in zip(source.states(TEXTS), own.states(TEXTS)):
        assert np.array_equal(ids_a, ids_b) and np.array_equal(states_a, states_b)


SESSIONS = textwrap.dedent("""
    import json, sys
    import onnxruntime as ort
    made = []
    class Counted(ort.InferenceSession):
        def __init__(self, *args, **kwargs):
            made.append(str(args[0])[-40:])
            super().__init__(*args, **kwargs)
    ort.InferenceSession = Counted
    from notes2anki.semantic import token_align
    from notes2anki.semantic.encoder import Embedder
    with Embedder(cache_path=":memory:") as e:
        vectors = e.embed(["What is opportunity cost?", "Define opportunity cost."])
        states = token_align.source_for(e.embed).states(["What is opportunity cost?"])
    print(json.dumps({"sessions": len(made), "onnx": "onnx" in sys.modules, "scipy": "scipy" in sys.modules,
                      "shape": list(vectors.shape), "pieces": int(states[0][0].shape[0])}))
""")


def test_a_later_process_loads_one_session_and_no_onnx_package(embedder):
    token_graph_written = _graph(embedder)
    from notes2anki.semantic import token_align, token_graph

    token_align.source_for(embedder.embed)  # (writes the derived graph when this process has not yet)
    assert token_graph.existing(token_graph_written) is not None
    env = dict(os.environ, PYTHONPATH=str(REPO), NOTES2ANKI_ONNX_DIR=str(embedder.plan.folder.parent),
               HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-c", SESSIONS], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got == {"sessions": 1, "onnx": False, "scipy": False, "shape": [2, 384], "pieces": 5}


def _votes_by_each_list(text: str) -> tuple:
    """:func:`language._votes`'s words part as it was: each word tested against each language's list."""
    langs = [lang for lang in language._languages() if lang not in ("ja", "zh", "ko", "th")]
    words = [w.lower() for w in language._LATIN_WORD.findall(text)]
    counts = {lang: sum(1 for w in words if w in language._iso(lang)) for lang in langs}
    best = max(counts.values()) if counts else 0
    return tuple(lang for lang, n in counts.items() if n == best) if best > 0 else ()


VOTED = ["What is the capital of Australia?", "Was ist die Hauptstadt von Australien und warum?",
         "Quelle est la capitale de l'Australie ? Définition: soit X une variable aléatoire",
         "¿Cuál es la capital de Australia? La ciudad de Canberra", "Jaká je role mitochondrie v buňce?",
         "Thủ đô của Úc là gì?", "東京は日本の首都です", "Столица Австралии — Канберра", "DNA RNA ATP", "", "de la le"]


def test_stop_word_votes_from_the_index_equal_each_list_and_it_is_kept_on_disk(tmp_path):
    for text in VOTED:
        assert language._votes(text)[0] == _votes_by_each_list(text), text
        for lang in ("de", "fr", "es", "cs", "xx"):
            assert language._stop_set(lang) == language._iso(lang)
    memo = tmp_path / "entry.language.pickle"
    language.load_memo(memo)
    saved_index, saved_path = language._index, language._index_path
    try:
        language._index = None
        language._stop_index()  # built and written beside the memo
        assert saved_path is not None and language._index_path.is_file()
        built, language._index = language._index, None
        assert language._stop_index() == built  # read back
    finally:
        language._index, language._index_path = saved_index, saved_path


COVERED = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from notes2anki.semantic import language
    memo = Path(sys.argv[1])
    language.load_memo(memo)
    texts = json.loads(sys.argv[2])
    got = language.covered(texts)
    language.save_memo(memo)
    print(json.dumps({"covered": got, "stopwordsiso": "stopwordsiso" in sys.modules}))
""")


def test_coverage_of_measured_texts_imports_no_stop_word_lists(tmp_path):
    texts = ["What is the capital of Australia and why?", "Was ist die Hauptstadt von Australien und warum?",
             "Quelle est la capitale de l'Australie et pourquoi ?", "Who wrote the play Hamlet in London?"] * 3
    memo = tmp_path / "entry.language.pickle"
    expected = language.covered(texts)
    env = dict(os.environ, PYTHONPATH=str(REPO))

    def run() -> dict:
        proc = subprocess.run([sys.executable, "-c", COVERED, str(memo), json.dumps(texts)], capture_output=True,
                              text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])

    first, second = run(), run()
    assert first["covered"] == second["covered"] == expected
    assert second["stopwordsiso"] is False  # every text measured before: neither the lists nor their index


def card(front: str, back: str, line: int) -> Card:
    return Card("Basic", {"Front": front, "Back": back}, file="n.md", line=line)


FRONTS = [("What port does HTTPS use by default?", "443"), ("Default TCP port for HTTPS", "Port 443"),
          ("What is the capital of Australia?", "Canberra"), ("Capital city of Australia?", "Canberra"),
          ("Who wrote Hamlet?", "Shakespeare"), ("Author of the play Hamlet?", "William Shakespeare"),
          ("Who wrote Hamlet?", "Shakespeare")]


def test_reported_pairs_make_their_signals_on_first_use_and_replay_the_same(tmp_path):
    cards = [card(f, b, 5 * n + 1) for n, (f, b) in enumerate(FRONTS)]
    path = tmp_path / "cache.sqlite"
    report = find_duplicates(cards, cache_path=path)
    near = [p for p in report.pairs if p.kind == "near"]
    assert near and any(p.kind == "exact" for p in report.pairs)
    assert all(p._signals is None for p in near)  # nothing made them during the check
    rows = [p.pending_row() for p in near]
    assert all(row is not None for row in rows)
    made = [p.signals for p in near]
    assert made == [explain(row) for row in rows] and all(m["card_cos"] > 0 for m in made)
    assert [p.signals for p in report.pairs if p.kind == "exact"] == [{}] * (len(report.pairs) - len(near))
    replayed = find_duplicates(cards, cache_path=path)
    assert replayed.replayed
    assert [(p.a.key, p.b.key, p.score, p.kind, p.method, p.signals) for p in replayed.pairs] == \
        [(p.a.key, p.b.key, p.score, p.kind, p.method, p.signals) for p in report.pairs]


def test_the_memo_digest_is_the_same_for_equal_cards_and_differs_for_any_change():
    def digest(cards) -> str:
        return dupes_memo.input_digest(cards, model="m", threshold=0.6, top_k=10, ignore=())

    base = [card(f, b, 5 * n + 1) for n, (f, b) in enumerate(FRONTS)]
    again = [card(f, b, 5 * n + 1) for n, (f, b) in enumerate(FRONTS)]
    assert digest(base) == digest(again)
    changed = [card(f, b, 5 * n + 1) for n, (f, b) in enumerate(FRONTS)]
    changed[2].fields["Back"] = "Canberra "
    moved = [card(f, b, 5 * n + 2) for n, (f, b) in enumerate(FRONTS)]
    with_id = [card(f, b, 5 * n + 1) for n, (f, b) in enumerate(FRONTS)]
    with_id[0].id = 1768062256217
    digests = {digest(base), digest(changed), digest(moved), digest(with_id), digest(base[:-1]),
               digest(list(reversed(base)))}
    assert len(digests) == 6

    class Named(str):  # a value marshal does not write: the JSON form, still told apart
        pass

    odd = [card(f, b, 5 * n + 1) for n, (f, b) in enumerate(FRONTS)]
    odd[0].fields["Front"] = Named(odd[0].fields["Front"])
    assert digest(odd) not in digests and digest(odd) == digest(
        [dataclasses.replace(c, fields={k: Named(v) if i == 0 and k == "Front" else v for k, v in c.fields.items()})
         for i, c in enumerate(odd)])


def test_a_damaged_derived_graph_is_ignored_and_written_again(embedder):
    from notes2anki.semantic import encoder, onnx_backend, token_graph, token_states

    graph, plan = _graph(embedder), embedder.plan
    meta = onnx_backend.read_meta(plan.folder)
    token_graph.ensure(graph)
    token_graph.path_for(graph).write_bytes(b"not an onnx graph")
    loaded = onnx_backend.OnnxEncoder.from_file(graph, plan.model_dir, meta, plan.variant)
    assert loaded.hidden is None and token_graph.existing(graph) is None  # the plain graph; the file removed
    vectors = loaded.encode(TEXTS)
    slot = (plan.folder, plan.device or "cpu", plan.variant)
    before, encoder._ONNX[slot] = encoder._ONNX.get(slot), loaded
    token_states._SESSIONS.pop((str(plan.folder), plan.variant), None)
    try:
        source = token_states.for_embedder(embedder)  # derives it again, loads it, and shares it from now on
        assert token_graph.existing(graph) is not None and encoder._ONNX[slot].hidden
        assert source.session is encoder._ONNX[slot].session
        assert np.array_equal(encoder._ONNX[slot].encode(TEXTS), vectors)
    finally:
        if before is not None:
            encoder._ONNX[slot] = before
        token_states._SESSIONS.pop((str(plan.folder), plan.variant), None)  # (it shared the session of this test)


def test_the_derived_graph_keeps_its_weights_beside_it_and_an_older_stamp_s_files_go(embedder):
    """The derived graph's weights are a file ONNX Runtime maps (token_graph.py); a version-1 graph of
    another stamp (one file, weights inside) is removed when the current one is written; a graph whose
    weights file is missing is not taken as written."""
    from notes2anki.semantic import token_graph

    graph = _graph(embedder)
    token_graph.ensure(graph)
    path = token_graph.path_for(graph)
    weights = token_graph.weights_for(path)
    assert path.is_file() and weights.is_file()
    assert weights.stat().st_size > 20 * path.stat().st_size  # the graph file holds the ops, the weights the rest
    older = graph.with_name(f"{graph.stem}.tokens-0123456789ab.onnx")
    older.write_bytes(b"a version-1 derived graph")
    weights.unlink()
    assert token_graph.existing(graph) is None
    assert token_graph.ensure(graph) == path and weights.is_file() and not older.exists()
    assert not [p for p in graph.parent.parent.iterdir() if p.name.startswith(".convert-")]  # no temp folder left


def test_weights_changed_in_place_or_not_a_file_are_written_again_not_loaded(embedder):
    """Bytes of the derived graph's weights overwritten in place (same size) gave other vectors without a
    word, and a folder in their place stopped the command (tester 12-03 round 16): the weights' size and time
    as written are checked (token_graph.check_for) and the files written again; a failed write falls back to
    the whole graph in memory."""
    import os

    from notes2anki.semantic import token_graph

    graph = _graph(embedder)
    path = token_graph.ensure(graph)
    weights = token_graph.weights_for(path)
    assert token_graph.existing(graph) == path and token_graph.check_for(path).is_file()
    good = weights.read_bytes()
    with open(weights, "r+b") as f:  # random bytes over part of it, the size unchanged
        f.seek(len(good) // 2)
        f.write(os.urandom(4096))
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 1_000))
    assert token_graph.existing(graph) is None
    assert token_graph.ensure(graph) == path and weights.read_bytes() == good  # written again
    assert (weights.stat().st_mode & 0o777) == (path.stat().st_mode & 0o777)
    weights.unlink()
    weights.mkdir()  # a folder in its place: cannot be replaced, so the graph comes whole, in memory
    try:
        made = token_graph.ensure(graph)
        assert isinstance(made, bytes)
        import onnx

        model = onnx.load_from_string(made)
        assert not any(t.data_location == onnx.TensorProto.EXTERNAL for t in model.graph.initializer)
    finally:
        weights.rmdir()
        token_graph.forget(graph)
    assert token_graph.ensure(graph) == path and weights.read_bytes() == good
