"""The report's topic-map projection: one point per card, scaled to [0, 1], the same on every run."""
from __future__ import annotations

import numpy as np

from notes2anki.report import project


def test_projection_is_deterministic_scaled_and_keeps_groups_apart():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(3, 384))
    x = np.concatenate([c + 0.05 * rng.normal(size=(20, 384)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    xy = project(x.astype(np.float32))
    assert xy.shape == (60, 2) and xy.min() >= 0 and xy.max() <= 1
    assert np.array_equal(xy, project(x.astype(np.float32)))  # same input, same map
    groups = [xy[k * 20:(k + 1) * 20] for k in range(3)]
    spread = max(np.linalg.norm(g - g.mean(axis=0), axis=1).max() for g in groups)
    gaps = min(np.linalg.norm(groups[i].mean(axis=0) - groups[j].mean(axis=0))
               for i in range(3) for j in range(i + 1, 3))
    assert gaps > 2 * spread  # clusters of the embedding stay apart on the map


def test_projection_edge_cases():
    assert project(np.zeros((0, 384))).shape == (0, 2)
    assert project(np.ones((1, 384))).tolist() == [[0.5, 0.5]]
    assert project(np.ones((5, 384))).tolist() == [[0.5, 0.5]] * 5  # identical cards: one spot
    two = project(np.eye(2, 384))
    assert two.shape == (2, 2) and two[0, 0] != two[1, 0]


# -- the command: empty vaults, and cached results equal to fresh ones ------------------------------------------
import re  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from notes2anki.cli import main as cli_main  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _report(vault: Path, out: Path, *extra: str, env: dict | None = None):
    return CliRunner().invoke(cli_main, ["report", str(vault), "-o", str(out), *extra], env=env)


def _page(path: Path) -> str:
    """The page without its per-run script nonce."""
    return re.sub(r"nonce-[A-Za-z0-9_\-]+|nonce=\"[A-Za-z0-9_\-]+\"", "nonce", path.read_text("utf-8"))


def test_a_folder_without_a_note_is_exit_2_unless_allowed(tmp_path):
    empty = tmp_path / "empty"
    (empty / "img").mkdir(parents=True)
    (empty / "img" / "x.png").write_bytes(b"\x89PNG")
    out = tmp_path / "r.html"
    result = _report(empty, out)
    assert result.exit_code == 2
    assert f"No note (.md file) to report on in {empty}; nothing written (--allow-empty writes an empty report)." \
        in " ".join(result.stderr.split())
    assert not out.exists()
    result = _report(empty, out, "--allow-empty")
    assert result.exit_code == 0, result.output
    assert "Report on 0 cards in 0 notes" in " ".join(result.stdout.split()) and out.exists()


def test_notes_ignored_by_the_configuration_are_an_empty_vault(make_vault, tmp_path):
    root = make_vault({"Templates/t.md": "START\nBasic\nQ\nBack: A\nEND\n", ".notes2anki.toml": 'ignore = ["Templates"]\n'})
    result = _report(root, tmp_path / "r.html", "--no-semantic")
    assert result.exit_code == 2
    assert "(after the ignore patterns of .notes2anki.toml)" in " ".join(result.stderr.split())


def test_notes_without_cards_still_get_related_notes(make_vault, tmp_path):
    root = make_vault({
        "Mitochondria.md": "Mitochondria make ATP by oxidative phosphorylation in the inner membrane.\n",
        "Cell respiration.md": "Glycolysis, the Krebs cycle and oxidative phosphorylation in mitochondria make ATP.\n",
        "Baroque music.md": "Bach and Handel wrote fugues and concertos for harpsichord and organ.\n"})
    out = tmp_path / "r.html"
    result = _report(root, out)
    assert result.exit_code == 0, result.output
    related = out.read_text("utf-8").split('<section id="related">', 1)[1].split("</section>", 1)[0]
    assert "Report on 0 cards in 3 notes" in " ".join(result.stdout.split())
    assert "Cell respiration" in related and "Mitochondria" in related and "Baroque" not in related


def test_a_warm_report_is_the_cold_one_and_an_edit_is_not_stale(tmp_path):
    vault = tmp_path / "vault"
    shutil.copytree(REPO / "examples" / "vault", vault)
    env = {"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache")}
    cold, warm = tmp_path / "cold.html", tmp_path / "warm.html"
    assert _report(vault, cold, env=env).exit_code in (0, 1)
    assert (tmp_path / "cache" / "results.sqlite").exists()
    assert _report(vault, warm, env=env).exit_code in (0, 1)
    assert _page(cold) == _page(warm)
    note = sorted(vault.rglob("*.md"))[0]
    note.write_text(note.read_text("utf-8") + "\nSTART\nBasic\nWhich planet has the Great Red Spot?\n"
                    "Back: Jupiter\nEND\n", encoding="utf-8")
    edited, fresh = tmp_path / "edited.html", tmp_path / "fresh.html"
    assert _report(vault, edited, env=env).exit_code in (0, 1)
    assert "Great Red Spot" in edited.read_text("utf-8") and _page(edited) != _page(warm)
    assert _report(vault, fresh, env={"NOTES2ANKI_CACHE_DIR": str(tmp_path / "other-cache")}).exit_code in (0, 1)
    assert _page(edited) == _page(fresh)  # the cached and updated page is what an empty cache gives


def test_duplicate_pairs_are_remembered_per_vault_state_and_settings(tmp_path):
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault
    from notes2anki.report.dupes_memo import duplicate_pairs
    from notes2anki.semantic.dupes import find_duplicates
    from notes2anki.semantic.lazy_embedder import LazyEmbedder
    from notes2anki.semantic.result_cache import ResultCache

    root = REPO / "examples" / "vault"
    cards = [c for c in load_vault(root, load_config(root, [])).cards if not c.delete]
    cache = tmp_path / "embeddings.sqlite"
    with ResultCache(None) as results:
        with LazyEmbedder(cache_path=cache) as embedder:
            expected = find_duplicates(cards, embedder=embedder.real)
            cold, _ = duplicate_pairs(cards, embedder, results)
        with LazyEmbedder(cache_path=cache) as embedder:
            warm, _ = duplicate_pairs(cards, embedder, results)
            assert not embedder.opened  # nothing was embedded or judged
            lower, _ = duplicate_pairs(cards, embedder, results, threshold=0.3)  # another setting: checked again
            assert embedder.opened and results.count("report-dupes") == 2
    as_rows = lambda pairs: [(p.a.key, p.b.key, p.score, p.kind, p.method) for p in pairs]  # noqa: E731
    assert expected.pairs and as_rows(cold) == as_rows(warm) == as_rows(expected.pairs)
    assert len(lower) >= len(warm)


def test_the_reports_related_notes_are_those_of_related_all(make_vault, tmp_path):
    """Tester B r9: the page listed pairs at 0.31-0.48 (BenAgro) under "as `related --all`", whose floor is 0.5.
    Cell respiration / Photosynthesis scores about 0.42 here: on neither."""
    import json

    from notes2anki.report.data import RELATED_K, assemble

    vault = make_vault({
        "Mitochondria.md": "Mitochondria make ATP by oxidative phosphorylation in the inner membrane.\n",
        "Cell respiration.md": "Glycolysis, the Krebs cycle and oxidative phosphorylation in mitochondria make ATP.\n",
        "Photosynthesis.md": "Chloroplasts capture light; photosynthesis makes glucose and ATP in the thylakoid membrane.\n",
        "Baroque music.md": "Bach and Handel wrote fugues and concertos for harpsichord and organ.\n"})
    env = {"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache")}
    listed = CliRunner().invoke(cli_main, ["related", str(vault), "--all", "--json", "-k", str(RELATED_K)], env=env)
    assert listed.exit_code == 0, listed.output
    expected = sorted((r["note"], s["note"], round(s["score"], 3))
                      for r in json.loads(listed.stdout)["notes"] for s in r["suggestions"])
    data = assemble(vault, cache_path=tmp_path / "cache")
    shown = sorted((note, other, round(score, 3)) for note, _, found in data.related for other, _, score in found)
    assert shown == expected
    assert ("Cell respiration.md", "Mitochondria.md") in {(a, b) for a, b, _ in shown}
    assert not {"Photosynthesis.md", "Baroque music.md"} & {b for a, b, _ in shown if a == "Cell respiration.md"}
