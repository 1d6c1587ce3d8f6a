"""Where the memory of a cold ``build`` goes, phase by phase (issue 13: ≤ 1.5 GB at 100,000 cards).

    python benchmarks/memory_phases.py [--cards 10000] [--keep DIR]

Builds the synthetic vault of :mod:`bench_10k` (``related_topics_bench.synthetic_vault``) and runs a cold
``build`` in this process with the main steps of the duplicate check wrapped: for each step it prints the
resident memory (RSS) when it starts and ends, the highest RSS sampled while it ran (every 50 ms, a
background thread), the step's wall and CPU seconds (this process and its finished workers) and the clock; at the end the peak RSS of this process (``VmHWM``) and of
its largest child (the pair-measuring workers, ``RUSAGE_CHILDREN``). Caches go to a temporary folder
(``--keep DIR``: to DIR, which is left in place).
"""
from __future__ import annotations

import argparse
import functools
import importlib
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from related_topics_bench import synthetic_vault  # noqa: E402

MIB = 1024 * 1024


def rss() -> int:
    """This process's resident set size (bytes)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Sampler(threading.Thread):
    """Samples :func:`rss` every ``period`` s; :meth:`since` gives the highest value since a mark."""

    def __init__(self, period: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.period, self.high, self.stop = period, 0, False

    def run(self) -> None:
        while not self.stop:
            self.high = max(self.high, rss())
            time.sleep(self.period)


SAMPLER = Sampler()
DEPTH = [0]
OUT = [sys.stdout]


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its waited-for children (the pair-measuring workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def wrap(module_name: str, attr: str, label: str | None = None, also: tuple[str, ...] = ()) -> None:
    """Replace ``module.attr`` (and the same name in the modules ``also``, which imported it) by a version
    that prints its memory and time."""
    module = importlib.import_module(module_name)
    owner, name = module, attr
    if "." in attr:
        cls, name = attr.split(".")
        owner = getattr(module, cls)
    original = getattr(owner, name)
    label = label or f"{module_name.rsplit('.', 1)[-1]}.{attr}"

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        before, start, cpu = rss(), time.perf_counter(), _cpu()
        outer_high = SAMPLER.high
        SAMPLER.high = before
        DEPTH[0] += 1
        try:
            return original(*args, **kwargs)
        finally:
            DEPTH[0] -= 1
            after = rss()
            high = max(SAMPLER.high, after)
            print(f"{'  ' * DEPTH[0]}{label}: {before / MIB:.0f} -> {after / MIB:.0f} MiB, high {high / MIB:.0f} MiB, "
                  f"{time.perf_counter() - start:.1f} s, {_cpu() - cpu:.1f} s CPU, load {os.getloadavg()[0]:.1f}, "
                  f"{time.strftime('%H:%M:%S')}", file=OUT[0], flush=True)
            SAMPLER.high = max(outer_high, high)

    setattr(owner, name, wrapper)
    for other in also:
        setattr(importlib.import_module(other), name, wrapper)


def install(out=None) -> None:
    """Start the sampler and wrap the steps of a cold build (see the module doc); lines go to ``out``
    (a text file; None: stdout)."""
    if out is not None:
        OUT[0] = out
    SAMPLER.start()
    d = "notes2anki.semantic.dupes"
    wrap("notes2anki.parsers", "load_vault", also=())
    wrap("notes2anki.semantic.dupes", "find_duplicates", also=("notes2anki.semantic.dupes",))
    wrap("notes2anki.semantic.pair_features", "encode", "pair_features.encode (embed all sides)", also=(d,))
    wrap("notes2anki.semantic.pair_cache", "mine_cached", also=(d,))
    wrap("notes2anki.semantic.incremental_mining", "mine")
    wrap("notes2anki.semantic.pair_cache", "candidate_pairs")
    wrap("notes2anki.semantic.mining", "ann_neighbours")
    wrap("notes2anki.semantic.char_mining", "mixed_neighbours")
    wrap("notes2anki.semantic.pair_features", "density", also=("notes2anki.semantic.pair_cache",))
    wrap("notes2anki.semantic.pair_cache", "measured_rows", also=(d,))
    wrap("notes2anki.semantic.pair_cache", "side_keys")
    wrap("notes2anki.semantic.scoring", "measure", also=("notes2anki.semantic.pair_cache",))
    wrap("notes2anki.semantic.scoring", "fill_context")
    wrap("notes2anki.semantic.pair_features", "fill_words", also=("notes2anki.semantic.scoring",))
    wrap("notes2anki.semantic.pair_features", "fill_chars", also=("notes2anki.semantic.pair_cache",))
    wrap("notes2anki.semantic.pair_workers", "measure_rows")
    wrap("notes2anki.semantic.lazy_verdicts", "split")
    wrap("notes2anki.semantic.dupes_memo", "remember")
    wrap("notes2anki.semantic.text_memo", "save")
    wrap("notes2anki.semantic.chargram_memo", "save")
    wrap("notes2anki.semantic.vector_memo", "VectorMemo.save")
    wrap("notes2anki.semantic.note_cache", "prepare")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory() if args.keep is None else None
    base = Path(tmp.name) if tmp else args.keep
    vault = base / "vault"
    if not vault.exists():
        synthetic_vault(vault, args.cards)
    os.environ.update(NOTES2ANKI_CACHE_DIR=str(base / "cache"), NOTES2ANKI_STATE_DIR=str(base / "state"),
                      HF_HUB_OFFLINE="1")
    os.environ.setdefault("NOTES2ANKI_ONNX_DIR", str(Path.home() / ".cache" / "notes2anki" / "onnx"))
    install()
    from notes2anki.cli import main as cli

    start = time.perf_counter()
    try:
        cli.main(["build", str(vault), "-o", str(base / "deck.apkg"), "-q"], prog_name="notes2anki",
                 standalone_mode=False)
    except SystemExit:
        pass
    SAMPLER.stop = True
    with open("/proc/self/status") as f:
        hwm = next(line for line in f if line.startswith("VmHWM")).split()[1]
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"total {time.perf_counter() - start:.1f} s; peak RSS of this process {int(hwm) / 1024:.0f} MiB, "
          f"largest child {children / 1024:.0f} MiB; load {os.getloadavg()[0]:.1f}")
    sizes = sorted(((p.stat().st_size, p.name) for p in (base / "cache").rglob("*") if p.is_file()), reverse=True)
    for size, name in sizes[:12]:
        print(f"  {size / MIB:8.1f} MiB  {name}")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
