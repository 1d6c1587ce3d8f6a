"""The console command ends without the interpreter's teardown (notes2anki/entry.py): atexit handlers still
run, the exit status is the command's, output is flushed, and a caller that is not the console script keeps
the ordinary exit."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# As the console script's wrapper runs it: ``main`` imported into __main__. An object whose finaliser writes
# to stderr shows whether the interpreter's teardown ran; an atexit handler registered while the command
# runs (when it imports notes2anki.cli, as the commands' own handlers are) shows that they still run.
CONSOLE = """
import atexit, os, sys
sys.argv[0] = "notes2anki"
from notes2anki.entry import main

class Teardown:
    def __del__(self, write=os.write):  # (bound now: the module's globals may be gone by then)
        write(2, b"TEARDOWN RAN\\n")

def mark():
    with open(os.environ["MARK"], "w") as f:  # (closed: the fast exit writes no buffer left open)
        f.write("atexit ran")

class Finder:
    def find_spec(self, name, path=None, target=None):
        if name == "notes2anki.cli":
            atexit.register(mark)
        return None

kept = Teardown()
sys.meta_path.insert(0, Finder())
sys.exit(main())
"""

# A program that imports the module and calls it: not the console script.
CALLER = CONSOLE.replace("from notes2anki.entry import main", "import notes2anki.entry as entry") \
    .replace("sys.exit(main())", "sys.exit(entry.main())")


def _run(script: str, args: list[str], tmp_path: Path, name: str) -> tuple[subprocess.CompletedProcess, Path]:
    marker = tmp_path / f"atexit-{name}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache"),
           "NOTES2ANKI_STATE_DIR": str(tmp_path / "state"), "MARK": str(marker)}
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=env, timeout=300, cwd=tmp_path)
    return proc, marker


def _vault(tmp_path: Path) -> Path:
    vault = tmp_path / "v"
    vault.mkdir()
    (vault / "a.md").write_text("START\nBasic\nWhat is 2+2?\nBack: 4\nEND\n", "utf-8")
    return vault


def test_the_console_command_skips_the_teardown_runs_atexit_and_keeps_its_status(tmp_path):
    vault = _vault(tmp_path)
    cases = [(["check", str(vault)], 0), (["check", str(tmp_path / "missing")], 2),  # click's usage error
             (["no-such-command"], 2), (["--help"], 0)]
    for n, (args, status) in enumerate(cases):
        proc, marker = _run(CONSOLE, args, tmp_path, str(n))
        assert proc.returncode == status, (args, proc.stderr)
        assert marker.read_text() == "atexit ran", args
        assert "TEARDOWN RAN" not in proc.stderr, args
        assert "Traceback" not in proc.stderr, args
    proc, _ = _run(CONSOLE, ["--help"], tmp_path, "help")  # the output is all there (flushed before the end)
    assert proc.stdout.startswith("Usage: notes2anki") and "build" in proc.stdout and "topics" in proc.stdout


def test_a_build_through_the_console_command_writes_a_package_anki_imports(tmp_path):
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    vault = _vault(tmp_path)
    out = tmp_path / "deck.apkg"
    proc, marker = _run(CONSOLE, ["build", str(vault), "-o", str(out), "--no-dupes"], tmp_path, "build")
    assert proc.returncode == 0, proc.stderr
    assert "TEARDOWN RAN" not in proc.stderr and marker.read_text() == "atexit ran"
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(out), options=ImportAnkiPackageOptions()))
        notes = [col.get_note(nid) for nid in col.find_notes("")]
        assert [(n["Front"], n["Back"]) for n in notes] == [("What is 2+2?", "4")]
    finally:
        col.close()


def test_a_program_calling_main_keeps_the_ordinary_exit(tmp_path):
    """Not the console script (``main`` not run from ``__main__``): no fast exit, the teardown runs."""
    proc, marker = _run(CALLER, ["check", str(_vault(tmp_path))], tmp_path, "caller")
    assert proc.returncode == 0, proc.stderr
    assert marker.read_text() == "atexit ran"
    assert "TEARDOWN RAN" in proc.stderr


HUGE = """
import os, sys
from notes2anki.entry import no_huge_pages
no_huge_pages()
import numpy
try:
    from numpy._core.multiarray import _get_madvise_hugepage
except ImportError:
    from numpy.core.multiarray import _get_madvise_hugepage
print(os.environ["NUMPY_MADVISE_HUGEPAGE"], _get_madvise_hugepage())
"""


def test_the_command_asks_numpy_not_to_mark_arrays_for_huge_pages_unless_the_user_said_otherwise(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    env["PYTHONPATH"] = str(ROOT)
    plain = subprocess.run([sys.executable, "-c", HUGE], capture_output=True, text=True, env=env, timeout=120)
    assert plain.stdout.split() == ["0", "False"], plain.stderr
    mine = subprocess.run([sys.executable, "-c", HUGE], capture_output=True, text=True, timeout=120,
                          env={**env, "NUMPY_MADVISE_HUGEPAGE": "1"})
    assert mine.stdout.split()[0] == "1", mine.stderr  # the user's own value is kept
