"""`related` on a vault mostly in a language the bundled model does not read: character n-gram vectors, no
model loaded, the output says so; an English vault keeps the embeddings."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from notes2anki.cli.related import related_command
from notes2anki.parsers import load_vault
from notes2anki.semantic.related import RelatedIndex
from notes2anki.semantic.result_cache import ResultCache

FRENCH = {
    "Cuisine/Pain au levain.md": "# Pain au levain\n\nLe levain est un mélange de farine et d'eau où vivent des "
    "levures sauvages et des bactéries lactiques. On nourrit le levain chaque jour avec de la farine et de "
    "l'eau tiède, puis on pétrit la pâte à pain avec le levain, le sel et la farine avant la cuisson au four.\n",
    "Cuisine/Levure de boulanger.md": "# Levure de boulanger\n\nLa levure de boulanger fait lever la pâte à pain : "
    "les levures mangent les sucres de la farine et produisent du gaz. On pétrit la pâte, on la laisse lever "
    "dans une pièce tiède, puis la cuisson au four donne la croûte du pain.\n",
    "Cuisine/Pâte à crêpes.md": "# Pâte à crêpes\n\nLa pâte à crêpes se fait avec de la farine, des œufs, du lait "
    "et une pincée de sel. On laisse reposer la pâte une heure, puis on fait cuire les crêpes dans une poêle "
    "chaude avec un peu de beurre.\n",
    "Cuisine/Questions de cuisine.md": "# Questions\n\nSTART\nBasic\nQu'est-ce qui fait lever la pâte à pain ?\n"
    "Back: Les levures du levain ou de la levure de boulanger mangent les sucres de la farine.\nEND\n",
    "Astronomie/Planètes du système solaire.md": "# Planètes\n\nLe système solaire compte huit planètes qui "
    "tournent autour du Soleil sur des orbites elliptiques. Les planètes telluriques sont rocheuses ; les "
    "planètes géantes comme Jupiter et Saturne sont gazeuses et ont de nombreuses lunes.\n",
    "Astronomie/Orbites.md": "# Orbites\n\nUne orbite est la trajectoire d'un astre autour d'un autre sous "
    "l'effet de la gravitation. Les lois de Kepler décrivent les orbites elliptiques des planètes autour du "
    "Soleil et la période de révolution de chaque planète.\n",
    "Astronomie/Lunes de Jupiter.md": "# Lunes de Jupiter\n\nJupiter, la plus grande planète du système solaire, "
    "a des dizaines de lunes. Les quatre lunes galiléennes tournent sur des orbites presque circulaires autour "
    "de la planète géante gazeuse.\n",
}


def write(root, notes):
    for path, text in notes.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


class NoModel:
    """An embedder that must not be used (no ``spec``: counted as the bundled model)."""

    warnings: list = []

    def embed(self, texts):
        raise AssertionError("the model was asked to embed")


class Counting:
    """A stand-in model for the English path: bag of letters, counts its calls."""

    warnings: list = []

    def __init__(self):
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), 26), dtype=np.float32)
        for i, t in enumerate(texts):
            for ch in t.lower():
                if "a" <= ch <= "z":
                    out[i, ord(ch) - 97] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


def test_a_french_vault_gets_chargram_vectors_without_the_model(tmp_path):
    vault = load_vault(write(tmp_path, FRENCH))
    index = RelatedIndex.build(vault, NoModel(), results=ResultCache(None))
    assert index.method == "chargrams"
    assert (index.readership.unread, index.readership.measured) == (7, 7)
    assert {s.note for s in index.for_note("Cuisine/Pain au levain.md", 1)} == {"Cuisine/Levure de boulanger.md"}
    assert {s.note for s in index.for_note("Astronomie/Orbites.md", 2)} <= set(p for p in FRENCH if p.startswith("Astro"))
    card = next(c for n in vault.notes for c in n.cards)  # a card's text is mapped into the notes' space
    assert card.file == "Cuisine/Questions de cuisine.md"
    assert [s.note for s in index.for_card(card, 7, min_score=-1)][0].startswith("Cuisine/")


def test_chargram_related_notes_do_not_depend_on_the_file_order(tmp_path):
    vault = load_vault(write(tmp_path, FRENCH))
    first = RelatedIndex.build(vault, NoModel(), results=ResultCache(None))
    vault.notes.reverse()
    again = RelatedIndex.build(vault, NoModel(), results=ResultCache(None))
    assert np.array_equal(first.vectors, again.vectors)
    assert first.suggestions_all(3, min_score=-1) == again.suggestions_all(3, min_score=-1)


def test_an_english_vault_keeps_the_model(tmp_path):
    english = {"a.md": "# Bread\n\nBread is made from flour, water, salt and yeast; the dough rises and is baked.\n",
               "b.md": "# Planets\n\nThe planets of the solar system move around the Sun on elliptic orbits.\n",
               "c.md": "# Yeast\n\nYeast eats the sugars in the flour and makes the dough rise before baking.\n"}
    model = Counting()
    index = RelatedIndex.build(load_vault(write(tmp_path, english)), model, results=ResultCache(None))
    assert index.method == "embeddings" and model.calls == 1
    assert index.readership.unread == 0


def test_the_command_says_so_and_loads_no_model(tmp_path, monkeypatch):
    from notes2anki.semantic import lazy_embedder

    class Refused:
        def __init__(self, *args, **kwargs):
            raise AssertionError("the model was loaded")

    monkeypatch.setattr(lazy_embedder, "Embedder", Refused)
    root = write(tmp_path / "v", FRENCH)
    result = CliRunner().invoke(related_command, [str(root), "Pain au levain"])
    assert result.exit_code == 0, result.output
    assert "Levure de boulanger" in result.output
    assert "does not read 7 of 7 notes" in result.output and "character n-grams" in result.output
    assert "[semantic] model" in result.output
    plain = CliRunner().invoke(related_command, [str(root), "--all", "--json", "--min-score", "0"])
    assert plain.exit_code == 0, plain.output
    data = json.loads(plain.stdout)
    assert [row["note"] for row in data["notes"]] == sorted(FRENCH)


def test_a_warm_build_reads_the_chargram_vectors_from_the_result_cache(tmp_path, monkeypatch):
    from notes2anki.semantic import related_chargrams

    vault = load_vault(write(tmp_path / "v", FRENCH))
    with ResultCache(tmp_path / "results.sqlite") as results:
        cold = RelatedIndex.build(vault, NoModel(), results=results)
    monkeypatch.setattr(related_chargrams, "chargram_note_vectors",
                        lambda notes: (_ for _ in ()).throw(AssertionError("fitted again")))
    with ResultCache(tmp_path / "results.sqlite") as results:
        warm = RelatedIndex.build(vault, NoModel(), results=results)
    assert warm.method == "chargrams" and np.array_equal(cold.vectors, warm.vectors)


def test_build_stores_the_chargram_vectors_for_related_without_the_model(tmp_path, monkeypatch):
    """`build` prepares the notes for `related` (note_cache.prepare): on such a vault it stores what `related`
    will read, the character n-gram vectors, instead of embedding the notes with a model that is not used."""
    from types import SimpleNamespace

    from notes2anki.semantic import related_chargrams
    from notes2anki.semantic.note_cache import prepare

    card = "START\nBasic\nQu'est-ce que {q} ?\nBack: {q} est une notion du cours de {c}.\nEND\n"
    notes = {f"{c}/{q}.md": f"# {q}\n\n" + card.format(q=q, c=c)
             for c, qs in {"cuisine": ("le levain", "la levure", "la pâte"),
                           "astronomie": ("une orbite", "une planète", "une lune")}.items() for q in qs}
    vault = load_vault(write(tmp_path / "v", notes))
    model = NoModel()
    model.cache = SimpleNamespace(path=tmp_path / "cache" / "embeddings.sqlite")
    (tmp_path / "cache").mkdir()
    assert prepare(vault, model) == []
    monkeypatch.setattr(related_chargrams, "chargram_note_vectors",
                        lambda notes: (_ for _ in ()).throw(AssertionError("fitted again")))
    index = RelatedIndex.build(vault, model)
    assert index.method == "chargrams" and index.vectors.shape[0] == 6


def test_after_an_edit_only_the_edited_notes_are_measured_again(tmp_path, monkeypatch):
    """Issue 13: the 10,000-card bench vault's build after an edit measured its 1,000 notes' language again
    (0.4 s): the readership's key covers every note. Each text's measurement is kept on its own now; the
    decision is the same."""
    from notes2anki.semantic import language
    from notes2anki.semantic.related_chargrams import readership

    root = write(tmp_path, FRENCH)
    results = ResultCache(tmp_path / "results.sqlite")
    first = readership(load_vault(root).notes, results)
    measured: list[str] = []
    real = language.known_word_rate
    monkeypatch.setattr(language, "known_word_rate", lambda text: measured.append(text) or real(text))
    monkeypatch.setattr(language, "_memo", {})  # a new process
    edited = sorted(root.rglob("*.md"))[0]
    edited.write_text(edited.read_text("utf-8") + "\nUne phrase de plus sur le sujet.\n", "utf-8")
    again = readership(load_vault(root).notes, results)
    assert (again.unread, again.measured) == (first.unread, first.measured)
    assert len(measured) == 1  # the edited note only
