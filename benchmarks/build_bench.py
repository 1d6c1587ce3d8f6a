"""Build speed and memory on a synthetic vault.

    python benchmarks/build_bench.py [--cards 10000] [--per-file 20]

Prints: vault size, parse+render time, package time, rebuild time (unchanged vault), peak RSS, and
the .apkg size. Nothing here is asserted; the figures go in the README.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notes2anki.config import load_config  # noqa: E402
from notes2anki.decks.build import build_package  # noqa: E402
from notes2anki.parsers import load_vault  # noqa: E402

CARD = """\
START
{kind}
Question {i}: what is the value of $x_{{{i}}}^2$ in **note {f}**, see [[note {g}]]?
Back: It is `{i}` — a list:
- first point about item {i}
- second point with ==highlight==
Tags: bench topic/{t}
END

"""
CLOZE = """\
START
Cloze
Item {i}: the {{{{c1::answer {i}}}}} and the {{{{c2::other}}}} with $\\frac{{1}}{{{i}}}$.
END

"""


def make_vault(root: Path, cards: int, per_file: int) -> None:
    files = (cards + per_file - 1) // per_file
    i = 0
    for f in range(files):
        parts = [f"---\ntags: [bench, file{f % 7}]\n---\n# Note {f}\n\nSome prose about note {f}.\n\n"]
        for _ in range(min(per_file, cards - i)):
            template = CLOZE if i % 5 == 4 else CARD
            parts.append(template.format(kind="Basic", i=i, f=f, g=(f + 1) % files, t=i % 13))
            i += 1
        folder = root / f"topic{f % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note {f}.md").write_text("".join(parts), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        make_vault(root, args.cards, args.per_file)
        state = Path(tmp) / "state.json"
        out = Path(tmp) / "deck.apkg"
        t0 = time.perf_counter()
        config = load_config(root)
        vault = load_vault(root, config)
        t1 = time.perf_counter()
        report = build_package(vault, config, out, state_path=state)
        t2 = time.perf_counter()
        vault2 = load_vault(root, config)
        build_package(vault2, config, Path(tmp) / "again.apkg", state_path=state)
        t3 = time.perf_counter()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"vault: {len(vault.notes)} notes, {len(report.cards)} cards")
        print(f"parse + render: {t1 - t0:.2f} s ({len(report.cards) / (t1 - t0):.0f} cards/s)")
        print(f"package:        {t2 - t1:.2f} s")
        print(f"rebuild (unchanged vault, parse + package): {t3 - t2:.2f} s; "
              f"identical: {out.read_bytes() == (Path(tmp) / 'again.apkg').read_bytes()}")
        print(f"peak RSS: {rss:.0f} MiB; .apkg size: {out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
