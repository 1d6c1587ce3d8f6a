"""`build` stores the notes' vectors for `related` only when that costs about what the cards cost."""
from __future__ import annotations

from notes2anki.config import Config
from notes2anki.parsers import load_vault
from notes2anki.semantic.encoder import Embedder
from notes2anki.semantic.note_cache import PREPARE_PROSE_RATIO, prepare
from notes2anki.semantic.result_cache import ResultCache

CARD = "START\nBasic\nWhat does {n} measure?\nBack: the {n} of a market\nEND\n"


def _stored(tmp_path, files: dict[str, str]) -> int:
    root = tmp_path / "vault"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    vault = load_vault(root, Config())
    with Embedder(cache_path=tmp_path / "cache" / "embeddings.sqlite") as embedder:
        assert prepare(vault, embedder) == []
        with ResultCache.beside(embedder) as results:
            return results.count()


def test_notes_of_cards_with_a_little_prose_are_stored(tmp_path):
    files = {f"n{i}.md": f"# Elasticity {i}\n\nA short remark on demand.\n\n" + CARD.format(n=f"elasticity {i}")
             for i in range(3)}
    assert _stored(tmp_path, files) > 0


def test_long_notes_with_few_cards_are_left_to_the_first_related(tmp_path):
    """Tester S25: SAM (75 cards in 3.4 MB of Chinese notes): a cold build spent 179 s CPU and 1.3 GB
    embedding the prose for `related`, which the user had not asked for (dupes alone: 1.2 s)."""
    prose = "\n\n".join(f"Paragraph {i} about supply, demand and prices in one market." for i in range(400))
    files = {"long.md": f"# Markets\n\n{prose}\n\n" + CARD.format(n="price")}
    assert len(files["long.md"]) > PREPARE_PROSE_RATIO * 60
    assert _stored(tmp_path, files) == 0
