"""Warm runs (issue 13): a `build` or `dupes` of an unchanged vault replays the last result — it encodes
nothing, judges no pair, imports neither torch nor ONNX Runtime nor scikit-learn, and leaves the package
untouched; an edit runs again and gives what a cold run gives."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from notes2anki.model import Card
from notes2anki.semantic.dupes import find_duplicates
from notes2anki.semantic.encoder import Embedder

REPO = Path(__file__).resolve().parent.parent

NOTE = """TARGET DECK: Net

START
Basic
What port does HTTPS use by default?
Back: 443
END

START
Basic
Default TCP port for HTTPS
Back: Port 443
END

START
Basic
How many round trips does a full TLS 1.3 handshake need?
Back: One (1-RTT)
END

START
Basic
What is the capital of Australia?
Back: Canberra
END

START
Basic
Capital city of Australia?
Back: Canberra
END

START
Basic
Who wrote Hamlet?
Back: Shakespeare
END

START
Basic
Author of the play Hamlet?
Back: William Shakespeare
END
"""

# Runs the CLI in this process with counters on the expensive steps; prints them as JSON on the last line.
RUN = textwrap.dedent("""
    import json, sys
    import notes2anki.semantic.encoder as encoder
    import notes2anki.semantic.scoring as scoring
    import notes2anki.decks.package as package
    counts = {"encoded": 0, "measured": 0, "packages": 0, "texts": []}
    real_encode, real_measure, real_write = encoder.encode_with, scoring.measure, package.write_apkg
    def encode_with(plan, spec, texts, **kw):
        counts["encoded"] += len(texts)
        counts["texts"] += list(texts)
        return real_encode(plan, spec, texts, **kw)
    def measure(enc, pairs):
        counts["measured"] += len(pairs)
        return real_measure(enc, pairs)
    def write_apkg(content, output):
        counts["packages"] += 1
        return real_write(content, output)
    encoder.encode_with, scoring.measure, package.write_apkg = encode_with, measure, write_apkg
    import notes2anki.decks.build as build
    build.write_apkg = write_apkg
    from notes2anki.cli import main
    try:
        main.main(sys.argv[1:], prog_name="notes2anki")
    except SystemExit as exc:
        counts["exit"] = exc.code
    counts["heavy"] = sorted(m for m in ("torch", "sentence_transformers", "onnxruntime", "sklearn", "faiss")
                             if m in sys.modules)
    print("\\n" + json.dumps(counts))
""")


def cli(args: list[str], tmp: Path, run: str = RUN) -> tuple[dict, str]:
    """Run the CLI in a fresh process through ``run`` (a script whose last stdout line is a JSON of what it
    measured, e.g. the modules imported); returns (that JSON, the output above it)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), NOTES2ANKI_CACHE_DIR=str(tmp / "cache"),
               NOTES2ANKI_STATE_DIR=str(tmp / "state"), NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-c", run, *args], capture_output=True, text=True, env=env,
                          timeout=600, cwd=tmp)
    lines = proc.stdout.strip().splitlines()
    assert lines, proc.stderr
    return json.loads(lines[-1]), "\n".join(lines[:-1])


def _duplicates_shown(out: str) -> list[str]:
    """The duplicate table and the messages `build` printed, without its summary line (which counts new /
    unchanged cards and so differs between a cold and a warm run)."""
    return [line for line in out.split("Likely duplicates")[1].splitlines() if " packaged (" not in line]


def test_warm_noop_build_encodes_judges_imports_and_writes_nothing_and_an_edit_builds_again(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "net.md").write_text(NOTE, "utf-8")
    deck = tmp_path / "out" / "net.apkg"
    build = ["build", str(vault), "-o", str(deck)]

    cold, cold_out = cli(build, tmp_path)
    assert cold["encoded"] > 0 and cold["measured"] > 0 and cold["packages"] == 1 and cold["exit"] == 0
    assert "Likely duplicates" in cold_out and "7 cards packaged (7 new" in cold_out
    before = deck.stat()

    warm, warm_out = cli(build, tmp_path)
    assert warm == {"encoded": 0, "measured": 0, "packages": 0, "exit": 0, "heavy": [], "texts": []}
    assert "7 cards packaged (0 new, 0 changed, 7 unchanged)" in warm_out
    assert _duplicates_shown(warm_out) == _duplicates_shown(cold_out)
    after = deck.stat()
    assert (after.st_mtime_ns, after.st_ino, after.st_size) == (before.st_mtime_ns, before.st_ino, before.st_size)

    (vault / "net.md").write_text(NOTE.replace("Back: Shakespeare", "Back: Shakespeare (1601)"), "utf-8")
    edited, edited_out = cli(build, tmp_path)
    assert edited["packages"] == 1 and "(0 new, 1 changed, 6 unchanged)" in edited_out
    # only texts of the edited card (its card text, answer, ...; its question is cached); its pairs measured
    # again (which pairs of unchanged cards come from the cache: tests/semantic/test_dupes_verdict_cache.py)
    assert edited["texts"] and all(text in "Who wrote Hamlet? | Shakespeare (1601)" for text in edited["texts"])
    assert "Who wrote Hamlet?" not in edited["texts"] and 0 < edited["measured"] <= cold["measured"]

    dupes, dupes_out = cli(["dupes", str(vault)], tmp_path)
    assert dupes["encoded"] == dupes["measured"] == 0 and dupes["heavy"] == []
    assert "3 duplicate pairs (0 exact) in 3 blocks among 7 cards" in dupes_out


def basic(front: str, back: str, line: int) -> Card:
    return Card("Basic", {"Front": front, "Back": back}, file="n.md", line=line)


FRONTS = [("What port does HTTPS use by default?", "443"), ("Default TCP port for HTTPS", "Port 443"),
          ("How many round trips does a full TLS 1.3 handshake need?", "One (1-RTT)"),
          ("How many round trips does a full TLS 1.2 handshake need?", "Two (2-RTT)"),
          ("What is the capital of Australia?", "Canberra"), ("Capital city of Australia?", "Canberra"),
          ("Who wrote Hamlet?", "Shakespeare"), ("Author of the play Hamlet?", "William Shakespeare")]


def cards(edit: dict[int, tuple[str, str]] | None = None) -> list[Card]:
    items = [(edit or {}).get(n, fb) for n, fb in enumerate(FRONTS)]
    return [basic(f, b, 5 * n + 1) for n, (f, b) in enumerate(items)]


def outcome(report) -> tuple:
    return ([(p.a.where, p.b.where, p.score, p.kind, p.method, p.signals) for p in report.pairs],
            [([c.where for c in g.cards], g.score, g.exact) for g in report.groups],
            [(r.a.where, r.b.where, r.score, r.reason, r.signals) for r in report.rejected],
            report.cards_checked, report.uncovered, report.warnings)


def test_replayed_report_equals_a_cold_check_and_an_edit_is_not_replayed(tmp_path):
    path = tmp_path / "cache.sqlite"
    edit = {4: ("Which city is the capital of Australia?", "Canberra")}
    with Embedder(cache_path=path) as embedder:
        first = find_duplicates(cards(), embedder=embedder)
        again = find_duplicates(cards(), embedder=embedder)
        assert not first.replayed and again.replayed
        assert outcome(again) == outcome(first)
        assert find_duplicates(cards(), embedder=embedder, threshold=0.99).replayed is False  # other settings
        edited = find_duplicates(cards(edit), embedder=embedder)
        cold = find_duplicates(cards(edit), embedder=embedder, use_cache=False)
        assert not edited.replayed and outcome(edited) == outcome(cold)
        assert find_duplicates(cards(edit), embedder=embedder).replayed
        moved = [basic(f, b, 5 * n + 2) for n, (f, b) in enumerate(FRONTS)]  # same texts, other lines
        assert not find_duplicates(moved, embedder=embedder).replayed  # (one entry per set of files: replaced)
        assert not find_duplicates(cards(), embedder=embedder).replayed
    # the rejected candidates are read from their own file on first use; gone: found again
    for name in os.listdir(tmp_path / "cache.sqlite.dupes"):
        if name.endswith(".rejected.pickle"):
            os.unlink(tmp_path / "cache.sqlite.dupes" / name)
    with Embedder(cache_path=path) as embedder:
        replay = find_duplicates(cards(), embedder=embedder)
        assert replay.replayed and outcome(replay) == outcome(first)


def test_a_package_changed_behind_the_builds_back_is_written_again(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "net.md").write_text(NOTE, "utf-8")
    deck = tmp_path / "net.apkg"
    build = ["build", str(vault), "-o", str(deck), "--no-dupes"]
    assert cli(build, tmp_path)[0]["packages"] == 1
    assert cli(build, tmp_path)[0]["packages"] == 0
    deck.unlink()
    assert cli(build, tmp_path)[0]["packages"] == 1 and deck.exists()
    for state in (tmp_path / "state").glob("*.json"):
        state.write_text(state.read_text("utf-8"), "utf-8")  # another build rewrote the state
    assert cli(build, tmp_path)[0]["packages"] == 1


def test_a_cache_health_warning_is_said_once_not_replayed(tmp_path):
    # Tester (h12): "embedding cache … is not a SQLite database … rebuilding it" came back on every later
    # run with the same cards, after the cache had been rebuilt: warnings about the run's own cache are
    # not part of the stored result.
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"garbage, not a database\n" * 4)
    with Embedder(cache_path=path) as embedder:
        first = find_duplicates(cards(), embedder=embedder)
    assert any("not a SQLite database" in w for w in first.warnings)
    with Embedder(cache_path=path) as embedder:
        again = find_duplicates(cards(), embedder=embedder)
    assert again.replayed and outcome(again)[:-1] == outcome(first)[:-1]  # same result, but for the warning
    assert not any("SQLite" in w for w in again.warnings), again.warnings


PROSE = """# Networking notes

HTTPS is HTTP over TLS; browsers use it for almost every site today.

## Ports

Well-known ports are below 1024, and servers listen on them by convention.
"""


def test_build_stores_the_note_vectors_so_the_first_related_only_reads_them(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "net.md").write_text(PROSE + NOTE, "utf-8")
    (vault / "other.md").write_text("# Other\n\nHamlet is a tragedy by Shakespeare, set in Denmark.\n", "utf-8")
    build = ["build", str(vault), "-o", str(tmp_path / "out" / "net.apkg")]
    assert cli(build, tmp_path)[0]["encoded"] > 0
    first, first_out = cli(["related", str(vault), "net", "--json"], tmp_path)
    assert first["encoded"] == 0 and first["heavy"] == [] and first["exit"] == 0
    assert json.loads(first_out)["related"][0]["note"] == "other.md"

    (vault / "other.md").write_text("# Other\n\nMacbeth is a tragedy by Shakespeare, set in Scotland.\n", "utf-8")
    edited = cli(build, tmp_path)[0]
    assert edited["texts"] == ["other: Macbeth is a tragedy by Shakespeare, set in Scotland."]  # the new prose only
    again, again_out = cli(["related", str(vault), "net", "--json"], tmp_path)
    assert again["encoded"] == 0 and again["heavy"] == []
    (tmp_path / "fresh").mkdir()  # the same answer from empty caches
    assert json.loads(again_out) == json.loads(cli(["related", str(vault), "net", "--json"], tmp_path / "fresh")[1])
