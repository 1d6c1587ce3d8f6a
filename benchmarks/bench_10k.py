"""Every row of issue 13's table on a synthetic vault, each command as a user runs it (a fresh process).

    python benchmarks/bench_10k.py                      # 10,000 cards (1,000 notes)
    python benchmarks/bench_10k.py --100k               # the 100k goal rows (long): cold, warm no-op build +
                                                        # warm dupes, peak memory, candidate-search recall
    python benchmarks/bench_10k.py --phases FILE        # the cold build's memory per step into FILE
    python benchmarks/bench_10k.py --recall             # also the HNSW candidate search's pair recall
    python benchmarks/bench_10k.py --keep DIR           # work in DIR (an empty folder) and keep it
    python benchmarks/bench_10k.py --device cuda        # encoder on the GPU, when there is one
    python benchmarks/bench_10k.py --skip-encoder       # leave out the encoder comparison
    python benchmarks/bench_10k.py --skip-semantic      # leave out related/topics

Rows: cold ``build`` (dupes on, empty caches; the one-time ONNX conversion is timed on its own row),
warm no-op ``build``, ``build`` after editing one note and the no-op build after it, ``dupes`` warm (table
and ``--json``), ``related NOTE`` first call and
warm, ``topics`` warm, and the encoder: ONNX Runtime (fp32, the default, and int8) against plain
``SentenceTransformer.encode`` fp32 on the same 1,500 card texts, with the mean cosine to fp32. Each row
gives wall seconds, the peak RSS (the largest single process: the command or one of its forked
pair-measuring workers, from ``wait4``), the CPU seconds (user + system, workers included), the sampled peak
of the sum of PSS over the process and its workers ("tree PSS": shared copy-on-write pages counted once;
every 0.5 s) and the 1/5/15-minute load averages. Caches, state and outputs go to a temporary folder.
``--100k``: 100,000 cards (10,000 notes); the rows of issue 13's 100k goal only (cold build, warm no-op
build, warm ``dupes`` and their sum) and the pair recall of the candidate search against the exact search
(``ann_recall.py``: HNSW lists as the duplicate check builds them, exact blocked search of sampled rows, on
the vault's own card-text and question vectors).
The vault comes from ``related_topics_bench.synthetic_vault`` (seeded; 10 cards and 2 prose sections per
note, 12 topics). Timings depend on the machine and its load: name both when quoting them.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from related_topics_bench import synthetic_vault  # noqa: E402

CLI = "import sys; sys.argv[0] = 'notes2anki'; from notes2anki.entry import main; sys.exit(main())"  # as the console script runs it (notes2anki/entry.py)


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def _pss(pid: int) -> int:
    """Proportional set size of ``pid`` in KiB (shared pages split among the processes sharing them: forked
    workers' copy-on-write pages are counted once in a sum), 0 when gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError):
        return 0


class TreeMemory(threading.Thread):
    """The highest sum of PSS over a process and its descendants, sampled every ``period`` s."""

    def __init__(self, pid: int, period: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.period, self.peak, self.done = pid, period, 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, sum(_pss(p) for p in _tree(self.pid)))
            self.done.wait(self.period)


LAST_TREE = [0.0]  # MiB: the sampled peak of the last run()


def run(args: list[str], env: dict[str, str], prefix: str = "") -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS (MiB: the largest single process, from ``wait4``: the command or one of its
    workers), exit code and CPU seconds (user + system, the command and its workers) of ``notes2anki ARGS``
    in a fresh process; :data:`LAST_TREE` gets the sampled peak of the sum of PSS over the process and its
    workers. ``prefix``: Python run before the command in that process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", prefix + CLI, *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeMemory(proc.pid)
    sampler.start()
    err_parts: list[bytes] = []
    reader = threading.Thread(target=lambda: err_parts.append(proc.stderr.read()), daemon=True)
    reader.start()  # (a full stderr pipe must not stall the command)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    reader.join(5)
    LAST_TREE[0] = sampler.peak / 1024
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = b"".join(err_parts).decode("utf-8", "replace")
    if proc.returncode not in (0, 1):
        print(f"  ! {' '.join(args[:1])} exited {proc.returncode}: {err[-500:]}")
    return wall, usage.ru_maxrss / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


def row(what: str, seconds: float, rss: float, code: int = 0, cpu: float | None = None, extra: str = "") -> None:
    """One table row: wall, peak RSS, CPU, the sampled peak PSS of the process tree, the load averages."""
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    cpu_text = f"{cpu:.1f} s CPU, " if cpu is not None else ""
    tree = f"tree PSS {LAST_TREE[0]:.0f} MiB, " if LAST_TREE[0] else ""
    print(f"| {what} | {seconds:.1f} s | {rss:.0f} MiB | {cpu_text}{tree}load {load}{'; ' + extra if extra else ''} |",
          flush=True)
    LAST_TREE[0] = 0.0


def encoder_rows(texts: list[str], device: str | None) -> None:
    """ONNX fp32 / int8 against SentenceTransformer.encode fp32 on ``texts`` (same process, warm)."""
    import numpy as np

    from notes2anki.semantic import encoder as enc

    spec = enc.resolve_model(None)
    reference_model = enc.load_model(spec, device or "cpu")
    reference_model.encode(texts[:16])
    start = time.perf_counter()
    reference = reference_model.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True)
    torch_s = time.perf_counter() - start
    print(f"| SentenceTransformer.encode fp32, {len(texts)} texts | {torch_s:.1f} s | | 1.00x, load "
          f"{os.getloadavg()[0]:.1f} |")
    for backend in ("onnx-fp32", "onnx-int8"):  # int8: per-row int8, batched (see int8_rows)
        plan = enc.plan_for(spec, backend, device)
        if plan.backend != "onnx" or (backend == "onnx-int8" and plan.variant != "int8"):
            print(f"| {backend} | not available | | {plan.note} |")
            continue
        enc.encode_with(plan, spec, texts[:16])  # load the session
        start = time.perf_counter()
        vectors = enc.encode_with(plan, spec, texts)
        seconds = time.perf_counter() - start
        cosine = (vectors * reference).sum(axis=1)
        print(f"| ONNX Runtime {plan.variant} ({plan.device}), {len(texts)} texts | {seconds:.1f} s | | "
              f"{torch_s / seconds:.2f}x, mean cosine {cosine.mean():.4f} (min {cosine.min():.4f}), load "
              f"{os.getloadavg()[0]:.1f} |", flush=True)
    del np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--device", choices=["cpu", "cuda"], default=None)
    parser.add_argument("--skip-encoder", action="store_true")
    parser.add_argument("--skip-semantic", action="store_true", help="leave out the related and topics rows")
    parser.add_argument("--100k", dest="hundred_k", action="store_true",
                        help="issue 13's 100,000-card rows: --cards 100000, no edit/related/topics/encoder rows, "
                             "the sum of warm no-op build + warm dupes, and the candidate search's recall")
    parser.add_argument("--skip-edit", action="store_true", help="leave out the rows after editing one note")
    parser.add_argument("--recall", action="store_true", help="also the candidate search's pair recall (HNSW "
                        "against exact search on the vault's own vectors; benchmarks/ann_recall.py)")
    parser.add_argument("--recall-rows", type=int, default=2000, help="rows searched exactly for --recall")
    parser.add_argument("--phases", type=Path, default=None,
                        help="write the cold build's memory and time per step to this file (memory_phases.py)")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder (kept) instead of a temporary one")
    args = parser.parse_args()
    if args.hundred_k:
        args.cards = 100_000 if args.cards == 10_000 else args.cards
        args.skip_encoder = args.skip_semantic = args.skip_edit = args.recall = True
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), "
          f"load average {os.getloadavg()[0]:.1f}; python {platform.python_version()}")
    # the package compiled once, as an installed one is: under PYTHONDONTWRITEBYTECODE every command compiled
    # its ~80 modules from source again (about 0.25 s CPU of each row)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "notes2anki")], capture_output=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp) if args.keep is None else args.keep
        tmp_path.mkdir(parents=True, exist_ok=True)
        vault = tmp_path / "vault"
        cards = synthetic_vault(vault, args.cards)
        notes = sorted(vault.rglob("*.md"))
        env = dict(os.environ, NOTES2ANKI_CACHE_DIR=str(tmp_path / "cache"), NOTES2ANKI_STATE_DIR=str(tmp_path / "state"),
                   NOTES2ANKI_ONNX_DIR=str(tmp_path / "onnx"), HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
        if args.device:
            env["NOTES2ANKI_DEVICE"] = args.device
        print(f"vault: {cards} cards in {len(notes)} notes\n")
        print("| what | wall | peak RSS | notes |\n|---|---|---|---|")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from notes2anki.semantic.encoder import plan_for, resolve_model;"
                        "print(plan_for(resolve_model(None), 'onnx').backend)"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        row("one-time ONNX conversion (not in the rows below)", time.perf_counter() - start, 0)
        out = str(tmp_path / "deck.apkg")
        build = ["build", str(vault), "-o", out, "-q"]
        prefix = ""
        if args.phases:  # the cold build's steps, timed and sampled in that process (benchmarks/memory_phases.py)
            prefix = (f"import sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import memory_phases; "
                      f"memory_phases.install(open({str(args.phases)!r}, 'w')); ")
        row("cold `build` (dupes on, empty caches)", *run(build, env, prefix))
        warm_build = run(build, env)
        row("warm no-op `build`", *warm_build)
        if not args.skip_edit:
            edited = notes[len(notes) // 2]
            edited.write_text(edited.read_text("utf-8").replace("START\nBasic\n", "START\nBasic\nEdited: ", 1), "utf-8")
            row("`build` after editing one note", *run(build, env))
            row("warm no-op `build` after that", *run(build, env))
        warm_dupes = run(["dupes", str(vault)], env)
        row("`dupes`, warm", *warm_dupes)
        row("`dupes --json`, warm", *run(["dupes", str(vault), "--json"], env))
        if args.skip_edit:
            print(f"| warm no-op `build` + warm `dupes` | {warm_build[0] + warm_dupes[0]:.1f} s | "
                  f"{max(warm_build[1], warm_dupes[1]):.0f} MiB | {warm_build[3] + warm_dupes[3]:.1f} s CPU |", flush=True)
        if args.recall:
            start = time.perf_counter()
            found = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ann_recall.py"), str(vault),
                                    "--rows", str(args.recall_rows)], env=env, cwd=ROOT, capture_output=True, text=True)
            lines = (found.stdout + found.stderr).strip().splitlines()
            for line in lines[:-1]:
                print(f"  {line}")
            print(f"| candidate search: pair recall, HNSW vs exact ({args.recall_rows} sampled rows per space) | "
                  f"{time.perf_counter() - start:.1f} s | | {lines[-1] if lines else found.returncode}; load "
                  f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} |", flush=True)
        if not args.skip_semantic:
            target = notes[3].relative_to(vault).with_suffix("").as_posix()
            first = run(["related", str(vault), target], env)
            warm = run(["related", str(vault), target], env)
            print(f"| `related NOTE`, warm / first call | {warm[0]:.1f} s / {first[0]:.1f} s | "
                  f"{max(first[1], warm[1]):.0f} MiB | {warm[3]:.1f} / {first[3]:.1f} s CPU, "
                  f"load {os.getloadavg()[0]:.1f} |", flush=True)
            run(["topics", str(vault)], env)
            row("`topics`, warm", *run(["topics", str(vault)], env))
        if not args.skip_encoder:
            from notes2anki.config import load_config
            from notes2anki.parsers import load_vault
            from notes2anki.semantic.text import card_text

            os.environ.update(NOTES2ANKI_ONNX_DIR=env["NOTES2ANKI_ONNX_DIR"], HF_HUB_OFFLINE="1",
                              NOTES2ANKI_CACHE_DIR=env["NOTES2ANKI_CACHE_DIR"])
            texts = list(dict.fromkeys(card_text(c) for c in load_vault(vault, load_config(vault)).cards))[:1500]
            encoder_rows(texts, args.device)
    print("\nEvery row is one run on a machine whose load is printed above; rerun on a quiet machine to quote.")


if __name__ == "__main__":
    main()
