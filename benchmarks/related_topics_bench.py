"""Timings and quality figures for `notes2anki related` and `notes2anki topics`.

    python benchmarks/related_topics_bench.py [--cards 5000] [--no-synthetic]

* quality on the labelled vault tests/fixtures/topics_vault: related-note hit rate@5 and topic agreement
  (adjusted Rand index) with tests/fixtures/topics_vault_labels.json;
* wall time of each command as a user runs it (a fresh Python process: imports, vault parsing, model load
  when needed), on empty caches ("cold"), again on the filled ones ("warm", with its CPU time), and after
  editing one other note ("1 edit"), for the fixture vault and for a synthetic vault of about ``--cards``
  cards (seeded, so runs are comparable);
* the clustering step alone on synthetic vectors, below and above the exact-clustering limit.

Caches go to temporary folders; nothing of the user's is touched. Figures are printed, nothing else.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURE = ROOT / "tests" / "fixtures" / "topics_vault"
LABELS = ROOT / "tests" / "fixtures" / "topics_vault_labels.json"

RUN = ("import sys; sys.argv[0] = 'notes2anki'; sys.argv[1:] = {args!r}; "
       "from notes2anki.entry import main; sys.exit(main())")  # as the console script runs it (notes2anki/entry.py)

VOCAB = {
    "astronomy": "star planet orbit galaxy nebula telescope comet asteroid supernova redshift pulsar quasar "
                 "eclipse parallax luminosity exoplanet constellation meteor",
    "cardiology": "heart artery ventricle atrium valve pulse arrhythmia aorta cardiac systole diastole "
                  "pacemaker infarction cholesterol angina myocardium murmur stent",
    "databases": "table index query transaction join schema sql column row tuple normalisation replica "
                 "shard lock isolation commit rollback btree",
    "gardening": "soil compost seedling pruning mulch perennial fertiliser weed greenhouse bulb harvest "
                 "irrigation trellis hedge topsoil sapling blossom",
    "law": "contract tort plaintiff defendant statute verdict appeal jury precedent liability "
           "negligence damages injunction litigation testimony subpoena clause",
    "linguistics": "phoneme morpheme syntax semantics vowel consonant dialect grammar inflection lexicon "
                   "pragmatics phonology suffix prefix etymology accent syllable",
    "finance": "stock equity dividend interest inflation portfolio yield liquidity derivative broker "
               "leverage bank credit mortgage asset valuation coupon",
    "geology": "rock magma basalt granite sediment erosion tectonic plate fault earthquake volcano "
               "mineral fossil crust mantle glacier quartz",
    "painting": "canvas pigment brush fresco portrait landscape perspective oil watercolour palette "
                "impressionism baroque renaissance easel varnish tempera sketch",
    "programming": "function variable loop compiler recursion pointer array closure iterator exception "
                   "thread class interface module linker debugger bytecode",
    "chemistry": "molecule atom bond electron reaction acid base catalyst oxidation enzyme ion isotope "
                 "solvent polymer covalent titration valence",
    "football": "goal striker midfielder penalty offside referee tackle league cup stadium dribble "
                "goalkeeper corner header transfer formation winger",
}
QUESTIONS = ["What is the role of {a} in {b}?", "How does {a} affect {b}?", "Why is {a} linked to {b}?",
             "Which {a} is typical of {b}?", "When does {a} lead to {b}?", "Define {a} in terms of {b}."]
ANSWERS = ["{A} and {b}.", "{A}, {b}, {c}.", "By {a} with {b}.", "{A}: {b} and {c}.", "{A} ({b}), {c}."]
PROSE = ["{A} and {b} are central here, together with {c}.", "A note on {a}: it interacts with {b} and {c}.",
         "{A} is often confused with {b}; the difference lies in {c}.", "Without {a} there is no {b} or {c}."]


def synthetic_vault(root: Path, cards: int, seed: int = 7) -> int:
    """Write a vault of about ``cards`` cards (10 per note, 2 prose sections each); returns the card count."""
    rng = random.Random(seed)
    topics = {t: w.split() for t, w in VOCAB.items()}
    names = sorted(topics)
    written = 0
    note = 0
    while written < cards:
        topic = names[note % len(names)]
        words = topics[topic]

        def fill(template: str) -> str:
            a, b, c = rng.sample(words, 3)
            return template.format(a=a, b=b, c=c, A=a.capitalize())

        lines = ["---", f"tags: [{topic}]", "---", f"# {topic.title()} {note}", "", "## Summary", "",
                 " ".join(fill(rng.choice(PROSE)) for _ in range(3)), "", "## Details", "",
                 " ".join(fill(rng.choice(PROSE)) for _ in range(4)), "", "## Questions", ""]
        for _ in range(min(10, cards - written)):
            lines += ["START", "Basic", fill(rng.choice(QUESTIONS)), f"Back: {fill(rng.choice(ANSWERS))}", "END", ""]
            written += 1
        if note % 7 == 0 and note:  # some links, as in a real vault
            lines.append(f"See [[{names[(note - 7) % len(names)].title()} {note - 7}]].")
        path = root / topic / f"{topic.title()} {note}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        note += 1
    return written


def timed_cli(module: str, args: list[str], cache: Path) -> tuple[float, str, float]:
    """(wall s, stdout, CPU s) of ``notes2anki MODULE ARGS`` in a fresh process with ``cache`` as cache dir."""
    env = dict(os.environ, NOTES2ANKI_CACHE_DIR=str(cache))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", RUN.format(args=[module, *args])], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - _children_cpu[0]
    _children_cpu[0] += cpu
    if proc.returncode != 0:
        raise SystemExit(f"notes2anki {module} {' '.join(args)} failed ({proc.returncode}):\n{stderr}")
    return elapsed, stdout, cpu


_children_cpu = [0.0]


def quality(cache: Path) -> dict:
    from sklearn.metrics import adjusted_rand_score

    from notes2anki.parsers import load_vault
    from notes2anki.semantic.encoder import Embedder
    from notes2anki.semantic.related import RelatedIndex
    from notes2anki.semantic.topics import vault_topics

    labels = json.loads(LABELS.read_text("utf-8"))
    vault = load_vault(FIXTURE)
    with Embedder(cache_path=cache / "embeddings.sqlite") as embedder:
        index = RelatedIndex.build(vault, embedder)
        result = vault_topics(vault, embedder)
    hits = unlinked = total = 0
    for a, b in labels["related_pairs"]:
        for q, p in ((a, b), (b, a)):
            total += 1
            hits += p in [s.note for s in index.for_note(q, 5)]
            unlinked += p in [s.note for s in index.for_note(q, 5, unlinked_only=True)]
    found = {(c.file, c.line): t.id for t in result.topics for c in t.cards}
    found.update({(c.file, c.line): -1 - i for i, c in enumerate(result.unassigned)})
    keys = [(c["file"], c["line"]) for c in labels["cards"]]
    ari = adjusted_rand_score([c["topic"] for c in labels["cards"]], [found[k] for k in keys])
    return {"hit_rate_at_5": hits / total, "unlinked_hit_rate_at_5": unlinked / total, "pairs": total,
            "ari": ari, "topics": len(result.topics), "labelled_topics": len(set(labels["topics"].values())),
            "unassigned": len(result.unassigned), "cards": len(keys)}


def command_timings(vault: Path, note: str, label: str) -> list[tuple[str, float, float, float, float, str]]:
    """Per command: (name, cold s, warm s, warm CPU s, after editing another note s, remarks). Cold: empty
    caches; warm: the same command again; edited: one other note's first card changed, then the command."""
    rows = []
    work = tempfile.TemporaryDirectory()  # a copy: the vault itself is never edited
    vault = Path(shutil.copytree(vault, Path(work.name) / vault.name))
    other = sorted(p for p in vault.rglob("*.md") if p.stem != note)[-1]
    original = other.read_text("utf-8")
    for name, module, args in (("related NOTE", "related", [str(vault), note, "--json"]),
                               ("related --all", "related", [str(vault), "--all", "--json"]),
                               ("topics", "topics", [str(vault), "--json"])):
        with tempfile.TemporaryDirectory() as cache:
            cold, first, _ = timed_cli(module, args, Path(cache))
            warm, second, cpu = timed_cli(module, args, Path(cache))
            other.write_text(original.replace("\nSTART\n", "\nSTART\nBasic\nEdited card about nothing\n"
                                              "Back: x\nEND\n\nSTART\n", 1), "utf-8")
            try:
                edited, _, _ = timed_cli(module, args, Path(cache))
            finally:
                other.write_text(original, "utf-8")
        note_ = "" if first == second else "  OUTPUT DIFFERS between the runs"
        if module == "topics":
            data = json.loads(second)
            note_ += f"  ({len(data['topics'])} topics, {len(data['unassigned'])} cards unassigned)"
        rows.append((f"{label}: {name}", cold, warm, cpu, edited, note_))
    work.cleanup()
    return rows


def clustering_timings(sizes: list[int]) -> list[tuple[int, float, int, int]]:
    import numpy as np

    from notes2anki.model import Card
    from notes2anki.semantic.topics import find_topics

    out = []
    rng = np.random.default_rng(0)
    for n in sizes:
        centres = rng.standard_normal((40, 384))
        x = centres[rng.integers(0, 40, n)] + 1.2 * rng.standard_normal((n, 384))
        x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
        cards = [Card("Basic", {"Front": f"card {i}", "Back": ""}, f"n{i // 10}.md", i % 10 + 1) for i in range(n)]
        start = time.perf_counter()
        result = find_topics(cards, x, threshold=0.9)
        out.append((n, time.perf_counter() - start, len(result.topics), len(result.unassigned)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=5000, help="cards in the synthetic vault")
    parser.add_argument("--no-synthetic", action="store_true", help="only the fixture vault")
    opts = parser.parse_args()

    import platform

    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as cache:
        q = quality(Path(cache))
    print("\nQuality on tests/fixtures/topics_vault")
    print(f"  related-note hit rate@5      {q['hit_rate_at_5']:.3f}  ({round(q['hit_rate_at_5'] * q['pairs'])}"
          f"/{q['pairs']} pair directions)")
    print(f"  unlinked-suggestion hit@5    {q['unlinked_hit_rate_at_5']:.3f}")
    print(f"  topics ARI                   {q['ari']:.3f}  ({q['topics']} topics found, "
          f"{q['labelled_topics']} labelled; {q['unassigned']}/{q['cards']} cards unassigned)")

    rows = command_timings(FIXTURE, "Mitosis", "fixture (34 notes, 116 cards)")
    if not opts.no_synthetic:
        with tempfile.TemporaryDirectory() as tmp:
            n = synthetic_vault(Path(tmp) / "synthetic", opts.cards)
            notes = sum(1 for _ in (Path(tmp) / "synthetic").rglob("*.md"))
            rows += command_timings(Path(tmp) / "synthetic", "Astronomy 0", f"synthetic ({notes} notes, {n} cards)")
    print(f"\nload average {os.getloadavg()[0]:.1f}")
    print(f"{'Command in a fresh process (s)':<50} {'cold':>7} {'warm':>7} {'warm CPU':>9} {'1 edit':>7}")
    for name, cold, warm, cpu, edited, remark in rows:
        print(f"  {name:<48} {cold:>7.2f} {warm:>7.2f} {cpu:>9.2f} {edited:>7.2f}{remark}")

    print("\nClustering step alone (synthetic vectors)")
    for n, secs, topics, loose in clustering_timings([5000, 12000] if not opts.no_synthetic else [1000]):
        print(f"  {n:>6} cards  {secs:6.2f} s  {topics} topics, {loose} unassigned"
              f"{'  (sampled: above the exact limit)' if n > 6000 else ''}")


if __name__ == "__main__":
    main()
