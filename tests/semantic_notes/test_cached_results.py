"""Note vectors, topics and the report's topic map from the result cache: the same as computed afresh,
recomputed (never stale) after an edit, and a warm run embeds nothing (real model, labelled vault)."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from notes2anki.parsers import load_vault
from notes2anki.report.data import project
from notes2anki.semantic.lazy_embedder import LazyEmbedder
from notes2anki.semantic.note_cache import cached_note_vectors
from notes2anki.semantic.notes_text import note_vectors, template_headings
from notes2anki.semantic.related import RelatedIndex
from notes2anki.semantic.result_cache import ResultCache
from notes2anki.semantic.topic_cache import cached_topic_map, cached_vault_topics
from notes2anki.semantic.topics import find_topics, vault_topics
from notes2anki.semantic.topic_vectors import vault_vectors

TOPICS_VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "topics_vault"
EDITED = "biology/Mitosis.md"


@pytest.fixture
def vault_copy(tmp_path) -> Path:
    shutil.copytree(TOPICS_VAULT, tmp_path / "v")
    return tmp_path / "v"


def edit(root: Path) -> None:
    """Rewrite the mitosis note's cards as astronomy cards: its vector and its topic must change."""
    path = root / EDITED
    text = path.read_text("utf-8")
    start = text.index("START")
    cards = "".join(f"START\nBasic\nWhich telescope observed the {w} of the quasar?\nBack: The {w} telescope.\nEND\n\n"
                    for w in ("redshift", "nebula", "pulsar", "galaxy"))
    path.write_text(text[:start] + cards, encoding="utf-8")


def test_cached_note_vectors_equal_fresh_ones(topics_vault, embedder):
    notes = sorted(topics_vault.notes, key=lambda n: n.path)
    expected = note_vectors(notes, embedder.embed)
    with ResultCache(None) as results:
        cold = cached_note_vectors(notes, embedder, results)
        assert results.count("note-vector") == len(notes)
        warm = cached_note_vectors(notes, embedder, results)
    assert cold.dtype == warm.dtype == np.float32
    assert np.array_equal(cold, expected) and np.array_equal(warm, expected)


def test_template_headings_are_counted_as_notes_text_does(vault_copy, embedder):
    """The cached path counts template headings from stored heading keys: same set, same vectors."""
    for name in ("a", "b", "c", "d"):
        (vault_copy / f"{name}.md").write_text(f"## Summary\n\nNote {name} is about ribosomes and proteins.\n\n"
                                               f"## References\n\nA textbook.\n", encoding="utf-8")
    vault = load_vault(vault_copy)
    notes = sorted(vault.notes, key=lambda n: n.path)
    assert {"summary", "references"} <= template_headings(notes)
    with ResultCache(None) as results:
        cached_note_vectors(notes, embedder, results)
        assert np.array_equal(cached_note_vectors(notes, embedder, results), note_vectors(notes, embedder.embed))


def test_an_edited_note_is_recomputed_alone(vault_copy, embedder):
    with ResultCache(None) as results:
        before = cached_note_vectors(sorted(load_vault(vault_copy).notes, key=lambda n: n.path), embedder, results)
        edit(vault_copy)
        notes = sorted(load_vault(vault_copy).notes, key=lambda n: n.path)
        encoded = len(embedder.stats.encoded_texts)
        after = cached_note_vectors(notes, embedder, results)
        new_texts = embedder.stats.encoded_texts[encoded:]
        assert results.count("note-vector") == len(notes) + 1  # one new entry: the edited note's
    assert np.array_equal(after, note_vectors(notes, embedder.embed))
    row = [n.path for n in notes].index(EDITED)
    changed = [i for i in range(len(notes)) if not np.array_equal(before[i], after[i])]
    assert changed == [row]
    assert all("telescope" in t or "Mitosis" in t for t in new_texts)  # only the edited note's texts


def test_topics_from_the_cache_equal_fresh_topics(topics_vault, embedder, fixture_topics):
    with ResultCache(None) as results:
        cold = cached_vault_topics(topics_vault, embedder, results)
        assert results.count("topics") == 1
        warm = cached_vault_topics(topics_vault, embedder, results)
        assert results.count("topics") == 1
        other = cached_vault_topics(topics_vault, embedder, results, k=3)  # settings are part of the key
        assert results.count("topics") == 2 and len(other.topics) == 3
    assert cold.as_json() == warm.as_json() == fixture_topics.as_json()
    for got, want in zip(warm.topics, fixture_topics.topics):  # and what the table shows
        assert (got.label, got.slug, got.tag) == (want.label, want.slug, want.tag)
        assert [c.key for c in got.examples] == [c.key for c in want.examples]
    assert (warm.method, warm.uncovered, warm.min_size) == (fixture_topics.method, fixture_topics.uncovered,
                                                           fixture_topics.min_size)


def test_topics_after_an_edit_are_recomputed_not_stale(vault_copy, embedder):
    with ResultCache(None) as results:
        before = cached_vault_topics(load_vault(vault_copy), embedder, results).as_json()
        edit(vault_copy)
        edited = load_vault(vault_copy)
        after = cached_vault_topics(edited, embedder, results).as_json()
        assert results.count("topics") == 2
    assert after == vault_topics(edited, embedder).as_json()
    assert after != before
    where = {c["line"] for t in after["topics"] for c in t["cards"] if c["file"] == EDITED}
    assert where  # the edited cards are placed


def test_a_warm_run_opens_no_embedding_cache(topics_vault, embedder, cache_dir):
    """With note vectors and topics in the result cache, a LazyEmbedder is never made real."""
    cache_path = cache_dir / "embeddings.sqlite"
    with ResultCache(cache_dir / "results.sqlite") as results:
        cached_vault_topics(topics_vault, embedder, results)
        RelatedIndex.build(topics_vault, embedder, results=results)
        lazy = LazyEmbedder(cache_path=cache_path)
        assert lazy.cache.path == cache_path
        cached_vault_topics(topics_vault, lazy, results)
        index = RelatedIndex.build(topics_vault, lazy, results=results)
        index.for_note("biology/Mitosis.md")
        assert not lazy.opened


def test_topic_map_from_the_cache_equals_a_fresh_one(topics_vault, embedder):
    vv = vault_vectors(topics_vault, embedder)
    keep = [i for i, c in enumerate(vv.cards) if not c.delete]
    expected = find_topics([vv.cards[i] for i in keep], vv.x[keep], texts=[vv.texts[i] for i in keep])
    with ResultCache(None) as results:
        cards, cold, xy_cold = cached_topic_map(topics_vault, embedder, results, project=project, project_code="1")
        cards_warm, warm, xy_warm = cached_topic_map(topics_vault, embedder, results, project=project, project_code="1")
        assert results.count("topic-map") == 1
        cached_topic_map(topics_vault, embedder, results, project=project, project_code="2")  # other code: recomputed
        assert results.count("topic-map") == 2
    assert [c.key for c in cards] == [c.key for c in cards_warm] == [vv.cards[i].key for i in keep]
    assert cold.as_json()["topics"] == warm.as_json()["topics"] == expected.as_json()["topics"]
    assert np.array_equal(xy_cold, project(vv.x[keep])) and np.array_equal(xy_warm, xy_cold)


def test_file_order_changes_neither_the_topics_nor_their_cache_key(topics_vault, embedder, fixture_topics):
    import random

    from notes2anki.model import Vault
    from notes2anki.semantic.topic_cache import topics_key

    notes = list(topics_vault.notes)
    random.Random(5).shuffle(notes)
    shuffled = Vault(topics_vault.root, notes, topics_vault.diagnostics, list(reversed(topics_vault.files)))
    assert [n.path for n in shuffled.notes] != [n.path for n in topics_vault.notes]
    settings = {"k": None, "threshold": None, "min_size": None, "examples": 3}
    assert topics_key(shuffled, embedder, settings=settings) == topics_key(topics_vault, embedder, settings=settings)
    assert vault_topics(shuffled, embedder).as_json() == fixture_topics.as_json()
    with ResultCache(None) as results:
        assert cached_vault_topics(shuffled, embedder, results).as_json() == fixture_topics.as_json()
        assert cached_vault_topics(topics_vault, embedder, results).as_json() == fixture_topics.as_json()
        assert results.count("topics") == 1
