"""Every row of issue 13's table on a synthetic vault, each command as a user runs it (a fresh process).

    python benchmarks/bench_10k.py                      # 10,000 cards (1,000 notes)
    python benchmarks/bench_10k.py --cards 100000       # the 100k goal rows (long)
    python benchmarks/bench_10k.py --device cuda        # encoder on the GPU, when there is one
    python benchmarks/bench_10k.py --skip-encoder       # leave out the encoder comparison
    python benchmarks/bench_10k.py --skip-semantic      # leave out related/topics

Rows: cold ``build`` (dupes on, empty caches; the one-time ONNX conversion is timed on its own row),
warm no-op ``build``, ``build`` after editing one note and the no-op build after it, ``dupes`` warm (table
and ``--json``), ``related NOTE`` first call and
warm, ``topics`` warm, and the encoder: ONNX Runtime (fp32 and int8) against plain
``SentenceTransformer.encode`` fp32 on the same 1,500 card texts, with the mean cosine to fp32. Each row
gives wall seconds, the peak RSS and the CPU seconds (user + system) of that process. Caches, state and outputs go to a temporary folder.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from related_topics_bench import synthetic_vault  # noqa: E402

CLI = "import sys; from notes2anki.cli import main; main.main(sys.argv[1:], prog_name='notes2anki')"


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS (MiB), exit code and CPU seconds (user + system) of ``notes2anki ARGS`` in a
    fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CLI, *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        print(f"  ! {' '.join(args[:1])} exited {proc.returncode}: {err[-500:]}")
    return wall, usage.ru_maxrss / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


def row(what: str, seconds: float, rss: float, code: int = 0, cpu: float | None = None, extra: str = "") -> None:
    load = os.getloadavg()[0]
    cpu_text = f"{cpu:.1f} s CPU, " if cpu is not None else ""
    print(f"| {what} | {seconds:.1f} s | {rss:.0f} MiB | {cpu_text}load {load:.1f}{'; ' + extra if extra else ''} |",
          flush=True)


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
    for backend in ("onnx", "onnx-int8"):
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
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), "
          f"load average {os.getloadavg()[0]:.1f}; python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
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
        row("cold `build` (dupes on, empty caches)", *run(build, env))
        row("warm no-op `build`", *run(build, env))
        edited = notes[len(notes) // 2]
        edited.write_text(edited.read_text("utf-8").replace("START\nBasic\n", "START\nBasic\nEdited: ", 1), "utf-8")
        row("`build` after editing one note", *run(build, env))
        row("warm no-op `build` after that", *run(build, env))
        row("`dupes`, warm", *run(["dupes", str(vault)], env))
        row("`dupes --json`, warm", *run(["dupes", str(vault), "--json"], env))
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
