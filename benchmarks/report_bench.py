"""Wall and CPU time of `notes2anki report` as a user runs it (a fresh Python process), on a synthetic vault.

    python benchmarks/report_bench.py [--cards 10000] [--runs 3]

Runs the report on the same vault: on empty caches ("cold": every card and note chunk is encoded, every
candidate pair judged), then ``--runs`` times on the filled caches ("warm": nothing is recomputed, no model
is loaded), then after editing one card of one note (that note is re-embedded, its candidate pairs judged,
the topics re-clustered). The vault is the seeded synthetic vault of ``related_topics_bench.py``. Caches,
state and outputs go to a temporary folder. Each row gives wall seconds, the process's CPU seconds (user +
system: what the run costs on a machine shared with other jobs) and its peak memory; the load average is
printed with each row, as the machine may be shared.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from related_topics_bench import synthetic_vault  # noqa: E402

CLI = "import sys; sys.argv[0] = 'notes2anki'; from notes2anki.entry import main; sys.exit(main())"  # as the console script runs it (notes2anki/entry.py)


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MiB, exit code) of ``notes2anki ARGS`` in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CLI, *args], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(proc.stderr.read().decode("utf-8", "replace")[-2000:] if proc.stderr else f"exit {code}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="warm runs")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        n = synthetic_vault(base / "vault", opts.cards)
        notes = sorted((base / "vault").rglob("*.md"))
        env = {**os.environ, "NOTES2ANKI_CACHE_DIR": str(base / "cache"), "NOTES2ANKI_STATE_DIR": str(base / "st"),
               "PYTHONPATH": str(ROOT)}
        page = base / "report.html"
        args = ["report", str(base / "vault"), "-o", str(page)]
        print(f"report on {n} cards in {len(notes)} notes; {os.cpu_count()} CPUs\n")
        print("| run | wall | CPU | peak RSS | load average |\n|---|---|---|---|---|")

        def row(label: str) -> None:
            wall, cpu, rss, _ = timed(args, env)
            print(f"| {label} | {wall:.1f} s | {cpu:.1f} s | {rss:.0f} MiB | {os.getloadavg()[0]:.1f} |", flush=True)

        row("cold caches")
        for k in range(opts.runs):
            row(f"warm {k + 1}")
        edited = notes[len(notes) // 2]
        edited.write_text(edited.read_text("utf-8").replace("START\nBasic\n", "START\nBasic\nEdited: ", 1), "utf-8")
        row("after editing one note")
        row("warm again")
        print(f"\npage: {page.stat().st_size / 1024 / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
