"""The cheaper ways of measuring a pair give what the plain code gave (issue 13, "fast at 10k").

Each shortcut is checked against the code it replaced (copied here as the reference), on the questions and
answers of the labelled pairs (tests/semantic/data) crossed with each other, so that lexical look-ups and
alignments meet both alike and unrelated texts:

* ``term_align._lexical`` remembers each word's answer per other text (``_hits``) and ``WordIndex`` each
  answer of ``has`` and each candidate list of ``near``;
* ``term_align._negating`` looks the prefixed forms of a word up as a set (``_affixed``), and
  ``pair_cues._own_only`` counts in Python (``term_align.lexical_hits``);
* ``contrast.substitutions`` skips difflib when the texts share too few words for a minimal pair, and
  ``contrast.insertions`` when neither word list is the other with words left out;
* the verdict cache stores a feature row (a numpy array) as its float64 bytes and reads back the same floats;
  rows stored as JSON text before are still read.
"""
from __future__ import annotations

import itertools
import random
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pytest

from notes2anki.semantic import contrast, term_align
from notes2anki.semantic.card_parts import card_side
from notes2anki.semantic.evaluate import load_pairs
from notes2anki.semantic.word_match import WordIndex, _same_word, tokens

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    out = []
    for path in sorted(DATA.glob("*.jsonl")):
        for pair in load_pairs(path):
            for card in (pair.a, pair.b):
                side = card_side(card)
                out += [t for t in (side.question, side.answer, side.text) if t.strip()]
    assert len(out) > 500
    return sorted(set(out))


@pytest.fixture(scope="module")
def text_pairs(texts) -> list[tuple[str, str]]:
    rng = random.Random(13)
    alike = [(a, b) for a, b in zip(texts, texts[1:])]  # sorted: neighbours often share their first words
    return alike + [tuple(rng.sample(texts, 2)) for _ in range(3000)]


def _reference_lexical(words, other, other_text) -> list[float]:
    """term_align._lexical as it was (every word looked up against the other text's index)."""
    plain = tuple(w for w, _ in tokens(other_text))
    initials = frozenset("".join(w[0] for w in plain[i:i + n]).lower() for n in (2, 3, 4)
                         for i in range(len(plain) - n + 1))
    return [1.0 if w in set(other) or (len(w) >= 2 and w.lower() in initials) or any(_same_word(w, v) for v in other)
            else 0.0 for w in words]


def test_remembered_lexical_matches_are_the_plain_ones(text_pairs):
    for a, b in text_pairs:
        for x, y in ((a, b), (b, a), (a, a)):
            wx, wy = term_align.content_words(x), term_align.content_words(y)
            expected = _reference_lexical(wx, wy, y)
            assert term_align._lexical(wx, wy, y).tolist() == expected, (x, y)
            assert term_align.lexical_hits(wx, wy, y) == [v == 1.0 for v in expected]


def _reference_negating(word: str, others: frozenset) -> bool:
    """term_align._negating as it was (each prefix tried in turn)."""
    prefixes = term_align.NEGATING_PREFIXES
    if word in prefixes and len(word) >= 3:
        return True
    if len(word) >= 4 and any(p + word in others for p in prefixes):
        return True
    return any(word.startswith(p) and len(word) - len(p) >= 4 and word[len(p):] in others for p in prefixes)


def test_negating_prefixes_found_as_before(texts):
    words = sorted({w for t in texts for w in term_align.content_words(t)})
    words += ["competitive", "noncompetitive", "saturated", "unsaturated", "non", "a", "symmetric", "asymmetric"]
    rng = random.Random(5)
    for _ in range(300):
        others = frozenset(rng.sample(words, 30) + ["competitive", "unsaturated", "symmetric"])
        for w in rng.sample(words, 60) + ["noncompetitive", "saturated", "asymmetric", "non", "anti"]:
            assert term_align._negating(w, others) == _reference_negating(w, others), (w, others)


def test_word_index_memos_answer_as_trying_every_word(texts):
    words = sorted({w for t in texts[:400] for w, _ in tokens(t)})
    rng = random.Random(7)
    for _ in range(60):
        group = tuple(rng.sample(words, min(len(words), rng.randint(1, 40))))
        index = WordIndex(group)
        for w in rng.sample(words, 200) * 2:  # each word twice: the second answer is the remembered one
            assert index.has(w) == any(_same_word(w, v) for v in group), (w, group)
            size = len(w)
            expected = tuple(v for v in group if v[:1].lower() == w[:1].lower()) + (
                tuple(v for n in (size - 1, size, size + 1) for v in group if len(v) == n and len(v) >= 5)
                if size >= 5 else ())
            assert index.near(w) == expected


def _reference_substitutions(a: str, b: str, *, tight: float = 0.8, drop_asides: bool = False):
    """contrast.substitutions as it was (difflib on every pair)."""
    if drop_asides:
        a, b = contrast._PARENTHETICAL.sub(" ", a), contrast._PARENTHETICAL.sub(" ", b)
    a, b = contrast._ARROW.sub(" to ", a), contrast._ARROW.sub(" to ", b)
    ta, tb = tokens(a), tokens(b)
    if not {w for w, c in ta if c} or not {w for w, c in tb if c}:
        return []
    swaps = contrast._reversed_direction(ta, tb)
    words_a, words_b = [w for w, _ in ta], [w for w, _ in tb]
    opcodes = SequenceMatcher(a=words_a, b=words_b, autojunk=False).get_opcodes()
    equal = sum(i2 - i1 for op, i1, i2, _, _ in opcodes if op == "equal")
    replaced = sum((i2 - i1) + (j2 - j1) for op, i1, i2, j1, j2 in opcodes if op == "replace")
    rest = len(words_a) + len(words_b) - replaced
    if not equal or 2 * equal / rest < tight or 2 * equal / (len(words_a) + len(words_b)) < 0.5:
        return swaps
    for op, i1, i2, j1, j2 in opcodes:
        if op != "replace" or "".join(words_a[i1:i2]) == "".join(words_b[j1:j2]):
            continue
        span_a = [w for w, c in ta[i1:i2] if c]
        span_b = [w for w, c in tb[j1:j2] if c]
        left = [w for w in span_a if not any(_same_word(w, v) for v in span_b)]
        right = [w for w in span_b if not any(_same_word(w, v) for v in span_a)]
        if left and right and not contrast._acronym_of(span_a, span_b):
            swaps.append((" ".join(left), " ".join(right)))
    return swaps


def _reference_insertions(a: str, b: str):
    """contrast.insertions as it was (difflib on every pair)."""
    a, b = contrast._PARENTHETICAL.sub(" ", a), contrast._PARENTHETICAL.sub(" ", b)
    ta, tb = tokens(a), tokens(b)
    words_a, words_b = [w for w, _ in ta], [w for w, _ in tb]
    if not words_a or not words_b or words_a == words_b:
        return []
    opcodes = SequenceMatcher(a=words_a, b=words_b, autojunk=False).get_opcodes()
    if {op for op, *_ in opcodes} - {"equal"} not in ({"insert"}, {"delete"}):
        return []
    shared = sum(i2 - i1 for op, i1, i2, _, _ in opcodes if op == "equal")
    if sum(1 for _, c in (ta if len(ta) < len(tb) else tb) if c) < 2 or len(words_a) + len(words_b) - 2 * shared > shared:
        return []
    return [w for op, i1, i2, j1, j2 in opcodes if op != "equal"
            for w, c in (ta[i1:i2] if op == "delete" else tb[j1:j2]) if c]


def test_difflib_shortcuts_give_the_plain_answers(text_pairs):
    made = ["What is the Krebs cycle?", "What is the citric acid cycle?", "Mitosis produces?", "Meiosis produces?",
            "Past Continuous verb forms", "Past Perfect Continuous verb forms", "Celsius to Fahrenheit?",
            "Fahrenheit -> Celsius?", "the the the cat", "the cat the", "What is TCP (transport)?", "What is UDP?"]
    cases = list(text_pairs) + list(itertools.permutations(made, 2))
    found = 0
    for a, b in cases:
        for drop in (False, True):
            assert contrast.substitutions(a, b, drop_asides=drop) == _reference_substitutions(a, b, drop_asides=drop)
        inserted = contrast.insertions(a, b)
        assert inserted == _reference_insertions(a, b), (a, b)
        found += bool(inserted)
    assert found  # the slow path was taken too


def test_shared_count_bounds_the_words_difflib_aligns(text_pairs):
    for a, b in text_pairs[:1500]:
        ta, tb = tokens(a), tokens(b)
        wa, wb = [w for w, _ in ta], [w for w, _ in tb]
        blocks = SequenceMatcher(a=wa, b=wb, autojunk=False).get_matching_blocks()
        assert sum(size for *_, size in blocks) <= contrast._shared_count(ta, tb)


def test_feature_rows_round_trip_the_verdict_cache_as_bytes(tmp_path):
    from notes2anki.semantic.cache import EmbeddingCache, PairVerdictCache

    rng = np.random.default_rng(3)
    rows = rng.standard_normal((50, 48)) * 10.0 ** rng.integers(-30, 30, (50, 48))
    rows[0, :3] = (np.nan, np.inf, -0.0)
    with EmbeddingCache(tmp_path / "c.sqlite") as cache:
        memo = PairVerdictCache(cache, "rows")
        memo.put(((f"a{n}", f"b{n}"), rows[n]) for n in range(len(rows)))
        memo.put({("x", "y"): [0.1, 2.5, 1e-300], ("y", "z"): {"old": True}})  # JSON, as before
        cache._conn.execute("INSERT OR REPLACE INTO verdicts (kind, a, b, value, used) VALUES "
                            "('rows', 'p', 'q', x'0102', 0)")  # damaged bytes: judged again
        found = memo.get([(f"b{n}", f"a{n}") for n in range(len(rows))] + [("x", "y"), ("z", "y"), ("p", "q")])
    back = np.array([found[(f"b{n}", f"a{n}")] for n in range(len(rows))])
    assert back.tobytes() == rows.tobytes()
    assert found[("x", "y")] == [0.1, 2.5, 1e-300] and found[("z", "y")] == {"old": True}
    assert ("p", "q") not in found


def _reference_explained(question, answer, other_question, other_answer, vectors) -> float:
    """pair_cues._explained as it was (ndarray.max and ndarray.mean)."""
    from notes2anki.semantic.pair_cues import _core_words

    core = _core_words(question, answer)
    if not core:
        return 1.0
    best = None
    mine = term_align._matrix(vectors, core) if vectors is not None else None
    for text in (other_question, other_answer):
        other = term_align.content_words(text)
        if not other:
            continue
        found = term_align._lexical(core, other, text)
        theirs = term_align._matrix(vectors, other) if mine is not None else None
        if theirs is not None:
            found = np.maximum(np.clip(mine @ theirs.T, 0.0, 1.0).max(axis=1), found)
        best = found if best is None else np.maximum(best, found)
    return float(best.mean()) if best is not None else 0.0


def test_explained_answers_are_the_plain_values(texts):
    from notes2anki.semantic.pair_cues import _explained

    rng = np.random.default_rng(11)
    words = sorted({w for t in texts for w in term_align.content_words(t)})
    found = rng.standard_normal((len(words), 16)) + 2.0
    vectors = term_align.WordVectors(zip(words, found / np.linalg.norm(found, axis=1, keepdims=True)))
    pick = random.Random(2)
    for _ in range(1500):
        q, a, oq, oa = pick.sample(texts, 4)
        for v in (vectors, None):
            assert repr(_explained(q, a, oq, oa, v)) == repr(_reference_explained(q, a, oq, oa, v))
