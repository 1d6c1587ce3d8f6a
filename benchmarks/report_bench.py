"""Wall time of `notes2anki report` as a user runs it (a fresh Python process), on a synthetic vault.

    python benchmarks/report_bench.py [--cards 10000]

Runs the report twice on the same vault: on an empty embedding cache ("cold": every card and note chunk is
encoded) and on the filled cache ("warm": no model is loaded). The vault is the seeded synthetic vault of
``related_topics_bench.py``. Caches and outputs go to a temporary folder. Figures are printed.
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

RUN = "from notes2anki.cli import main; main.main({args!r}, prog_name='notes2anki')"


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUN.format(args=args)], env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-2000:])
    return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        n = synthetic_vault(base / "vault", opts.cards)
        env = {**os.environ, "NOTES2ANKI_CACHE_DIR": str(base / "cache"), "NOTES2ANKI_STATE_DIR": str(base / "st"),
               "PYTHONPATH": str(ROOT)}
        page = base / "report.html"
        for label in ("cold", "warm"):
            seconds, code = timed(["report", str(base / "vault"), "-o", str(page)], env)
            print(f"report, {n} cards, {label} cache: {seconds:.1f} s (exit {code}); page "
                  f"{page.stat().st_size / 1024 / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
