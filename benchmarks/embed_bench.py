"""Figures for the semantic layer: encoding speed (cold cache), a warm-cache run, and pair mining memory.

    python benchmarks/embed_bench.py                 # 2,000 cards to encode, 20,000 vectors to mine
    python benchmarks/embed_bench.py --cards 500 --mine 50000
    python benchmarks/embed_bench.py --compare 1500 --reps 3 # bench_10k's encoder row, repeated, CPU seconds

Prints:
- model load time and cards/s of a cold `find_duplicates` run (every card text encoded);
- the same run again on a warm cache, in this process and in a fresh process (import time included, and
  whether torch was imported: it must not be);
- time and peak traced memory of mining candidate pairs among N synthetic unit vectors, next to what a full
  N x N float32 similarity matrix would take.
- with ``--compare N``: the encoder row of ``bench_10k.py`` (the first N distinct card texts of its synthetic
  10,000-card vault; plain ``SentenceTransformer.encode`` fp32, batch 64, against ONNX Runtime fp32 and int8 as the
  Embedder runs them, both in batches: int8 is the per-row graph, whose vectors do not depend on the batch),
  ``--reps`` times back to back, each with wall and CPU seconds (user + system of this process) and the load
  average, so a figure taken on a busy machine can be read (CPU seconds suffer less). ``--threads 1`` runs
  PyTorch and ONNX Runtime on one thread each (CPU seconds per core); ``--real DIR ...`` adds the mean / min
  cosine of int8 to fp32 on the card texts of those vaults (e.g. ``../shared/realvaults/* ../shared/eval``).
Nothing is written outside a temporary directory.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from notes2anki.model import Card  # noqa: E402

SUBJECTS = ["TCP", "UDP", "mitosis", "meiosis", "the Krebs cycle", "a B-tree", "quicksort", "the TLB",
            "gradient descent", "dropout", "the Danube", "the Treaty of Versailles", "opportunity cost",
            "habeas corpus", "an isotope", "the mitral valve", "Avogadro's number", "a deadlock"]
ASKS = ["What is {s}?", "Define {s}.", "Why does {s} matter in {t}?", "How does {s} relate to {t}?",
        "Give an example of {s} in {t}.", "What problem does {s} solve in {t}?"]
TOPICS = ["networking", "biology", "databases", "operating systems", "economics", "law", "chemistry",
          "machine learning", "history", "geography"]


def synthetic_cards(n: int, seed: int = 0) -> list[Card]:
    rng = random.Random(seed)
    cards = []
    for i in range(n):
        subject, topic = rng.choice(SUBJECTS), rng.choice(TOPICS)
        front = rng.choice(ASKS).format(s=subject, t=topic) + f" (case {i})"
        back = f"In {topic}, {subject} is covered in lecture {rng.randint(1, 30)}, section {i % 97}."
        cards.append(Card("Basic", {"Front": front, "Back": back}, file=f"notes/n{i // 20}.md", line=1 + 6 * (i % 20)))
    return cards


WARM = """
import json, sys, time
t = time.perf_counter()
sys.path.insert(0, sys.argv[3])
from benchmarks.embed_bench import synthetic_cards
from notes2anki.semantic.dupes import find_duplicates
r = find_duplicates(synthetic_cards(int(sys.argv[1])), cache_path=sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t, "encoded": r.encoded, "torch": "torch" in sys.modules}))
"""


def bench_encoding(n: int, tmp: Path) -> None:
    from notes2anki.semantic import encoder
    from notes2anki.semantic.dupes import find_duplicates

    cards = synthetic_cards(n)
    cache = tmp / "embeddings.sqlite"
    t = time.perf_counter()
    encoder.load_model(encoder.resolve_model(None))
    load = time.perf_counter() - t
    device = next(iter(encoder._MODELS))[1]
    print(f"model load: {load:.1f} s (device {device})")

    t = time.perf_counter()
    cold = find_duplicates(cards, cache_path=cache)
    cold_s = time.perf_counter() - t
    print(f"cold run, {n} cards: {cold_s:.1f} s, {cold.encoded} texts encoded "
          f"({n / cold_s:.0f} cards/s, {cold.encoded / cold_s:.0f} texts/s); "
          f"{len(cold.pairs)} pairs, {len(cold.rejected)} candidates rejected")

    t = time.perf_counter()
    warm = find_duplicates(cards, cache_path=cache)
    print(f"warm run, same process: {time.perf_counter() - t:.2f} s, {warm.encoded} texts encoded")

    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WARM, str(n), str(cache), str(REPO)], capture_output=True,
                          text=True, cwd=tmp)
    wall = time.perf_counter() - t
    if proc.returncode:
        print(proc.stderr)
        return
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"warm run, fresh process: {wall:.2f} s wall ({got['seconds']:.2f} s after start), "
          f"{got['encoded']} texts encoded, torch imported: {got['torch']}")


def bench_mining(n: int, dim: int = 384) -> None:
    from notes2anki.semantic.mining import mine_pairs

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(n // 8, dim)).astype(np.float32)
    vectors = centres[rng.integers(0, len(centres), n)] + 0.35 * rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    tracemalloc.start()
    t = time.perf_counter()
    pairs = mine_pairs(vectors, min_score=0.55)
    seconds = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    full = n * n * 4
    print(f"pair mining, {n} vectors x {dim}: {seconds:.1f} s, {len(pairs)} candidate pairs, "
          f"peak traced memory {peak / 2**20:.0f} MiB (input {vectors.nbytes / 2**20:.0f} MiB; "
          f"a full N x N float32 matrix would be {full / 2**20:.0f} MiB)")


def bench_texts(n: int, tmp: Path) -> list[str]:
    """The first ``n`` distinct card texts of bench_10k's synthetic vault (the texts of its encoder row)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from related_topics_bench import synthetic_vault

    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault
    from notes2anki.semantic.text import card_text

    vault = tmp / "vault"
    synthetic_vault(vault, 10_000)
    return list(dict.fromkeys(card_text(c) for c in load_vault(vault, load_config(vault)).cards))[:n]


def real_texts(folders: list[Path]) -> list[str]:
    """The distinct card texts (as ``dupes`` embeds them) of the vaults under ``folders`` (a folder holding
    vaults, a vault, or ``../shared/eval``, whose vault is ``dupes_vault``)."""
    from notes2anki.config import load_config
    from notes2anki.parsers import load_vault
    from notes2anki.semantic.text import card_text

    texts: list[str] = []
    for folder in folders:
        vault = folder / "dupes_vault" if (folder / "dupes_vault").is_dir() else folder
        cards = load_vault(vault, load_config(vault, [])).cards
        texts += [t for t in (card_text(c) for c in cards if not c.delete) if t]
    return list(dict.fromkeys(texts))


def bench_compare(n: int, reps: int, tmp: Path, threads: int = 0, real: list[Path] | None = None) -> None:
    """PyTorch fp32 against ONNX fp32 and int8 on the same texts, ``reps`` rounds back to back; ``threads``:
    threads of each (0: as the project runs them); ``real``: vaults whose card texts measure int8's cosine."""
    import os

    from notes2anki.semantic import encoder as enc
    from notes2anki.semantic import onnx_backend

    texts = bench_texts(n, tmp)
    spec = enc.resolve_model(None)
    model = enc.load_model(spec, "cpu")
    if threads:
        import torch

        torch.set_num_threads(threads)
        onnx_backend._threads = lambda: threads  # batches run at once (one thread each)
        print(f"{threads} thread(s) each", flush=True)
    model.encode(texts[:16])
    plans = [enc.plan_for(spec, backend, "cpu") for backend in ("onnx-fp32", "onnx-int8")]
    for plan in plans:
        enc.encode_with(plan, spec, texts[:16])  # convert (once) and load the session

    def timed(run):
        wall, cpu = time.perf_counter(), time.process_time()
        out = run()
        return out, time.perf_counter() - wall, time.process_time() - cpu

    for rep in range(reps):
        reference, t_wall, t_cpu = timed(lambda: model.encode(texts, batch_size=64, convert_to_numpy=True,
                                                              normalize_embeddings=True))
        print(f"round {rep + 1}: SentenceTransformer.encode fp32, {n} texts: {t_wall:.2f} s wall, {t_cpu:.2f} s CPU, "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        for plan in plans:
            vectors, wall, cpu = timed(lambda: enc.encode_with(plan, spec, texts))
            cosine = (vectors * reference).sum(axis=1)
            print(f"round {rep + 1}: ONNX Runtime {plan.variant}: {wall:.2f} s wall, {cpu:.2f} s CPU: "
                  f"{t_wall / wall:.2f}x wall, {t_cpu / cpu:.2f}x CPU; mean cosine {cosine.mean():.4f} "
                  f"(min {cosine.min():.4f}), load {os.getloadavg()[0]:.1f}", flush=True)
    if real:
        cards = real_texts(real)
        fp32, int8 = (enc.encode_with(plan, spec, cards) for plan in plans)
        cosine = (fp32 * int8).sum(axis=1)
        print(f"{len(cards)} real card texts: int8 to ONNX fp32 mean cosine {cosine.mean():.4f} (min "
              f"{cosine.min():.4f}, 1st percentile {np.percentile(cosine, 1):.4f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=2000, help="cards to encode (0: skip)")
    parser.add_argument("--mine", type=int, default=20000, help="vectors to mine pairs among (0: skip)")
    parser.add_argument("--compare", type=int, default=0, metavar="N",
                        help="only the encoder comparison on N texts (bench_10k's encoder row uses 1500)")
    parser.add_argument("--reps", type=int, default=3, help="rounds of --compare")
    parser.add_argument("--threads", type=int, default=0, help="--compare: threads of each encoder (0: as run)")
    parser.add_argument("--real", type=Path, nargs="*", default=[], help="--compare: vaults for int8's cosine")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.compare:
            real = [v for folder in args.real for v in ([folder] if (folder / "dupes_vault").is_dir()
                    or not any(p.is_dir() and not p.name.startswith(".") for p in folder.iterdir())
                    else sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")))]
            bench_compare(args.compare, args.reps, Path(tmp), args.threads, real)
            return
        if args.cards:
            bench_encoding(args.cards, Path(tmp))
        if args.mine:
            bench_mining(args.mine)


if __name__ == "__main__":
    main()
