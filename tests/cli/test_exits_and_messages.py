"""Exit codes and messages every command shares: Ctrl-C (130, with what was found so far), an internal error
(2, a message, no traceback), the summary of many diagnostics by kind, --all-messages, --messages-file, and
the `ids --dry-run` diff that applies with `git apply` (issues 10, 11, 14)."""
from __future__ import annotations

import shutil
import signal
import subprocess
import threading
import time

import click
import pytest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.cli.common import EXIT_FATAL, EXIT_INTERRUPTED, collected
from notes2anki.cli.guard import guarded
from notes2anki.messages import kind_of
from notes2anki.model import Diagnostic

from .terminal import cli_env, command


def test_ctrl_c_during_the_duplicate_check_shows_the_messages_and_exits_130(make_vault, tmp_path):
    """SIGINT while `build` loads the model for its duplicate check: the deck is written, the warnings
    collected so far are shown, the exit code is 130 (not 1, "the vault has errors")."""
    root = make_vault({"img.md": "START\nBasic\nWhat does the figure show?\nBack: ![[gone.png]]\nEND\n",
                       "b.md": "START\nBasic\nWhat is ATP?\nBack: the cell's energy currency\nEND\n"})
    env = cli_env(NOTES2ANKI_CACHE_DIR=str(tmp_path / "cold-cache"), NOTES2ANKI_STATE_DIR=str(tmp_path / "st"))
    proc = subprocess.Popen(command("build", root, "-o", tmp_path / "d.apkg"), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    seen: list[str] = []
    packaged = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            seen.append(line)
            if "notes2anki build →" in line:  # the deck's summary: written (the count line waits for the check)
                packaged.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert packaged.wait(120), "".join(seen)
    time.sleep(0.5)  # now in the duplicate check (the model takes seconds to load in a fresh process)
    assert proc.poll() is None, "the duplicate check ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    stderr = proc.stderr.read()
    assert proc.wait(60) == EXIT_INTERRUPTED, stderr
    reader.join(10)
    assert "Traceback" not in stderr
    assert "img.md:1: warning: embedded file 'gone.png'" in stderr
    assert "Interrupted" in stderr
    assert (tmp_path / "d.apkg").is_file()  # written before the interruption


@click.command()
@click.option("--boom", type=click.Choice(["crash", "interrupt"]))
def _probe(boom):
    """A command that fails the way a bug would, after collecting a warning."""
    collected().append(Diagnostic("a.md", 3, "warning", "something to fix"))
    if boom == "crash":
        {}["missing"]  # noqa: B018 - an unexpected KeyError, as a bug would raise
    raise KeyboardInterrupt


_guarded_probe = click.command("probe")(click.option("--boom")(guarded(_probe.callback)))


@pytest.mark.parametrize("boom, code", [("crash", EXIT_FATAL), ("interrupt", EXIT_INTERRUPTED)])
def test_the_guard_turns_exceptions_into_messages_and_exit_codes(boom, code):
    handler = signal.getsignal(signal.SIGINT)
    try:
        result = CliRunner().invoke(_guarded_probe, ["--boom", boom])
    finally:  # the guard ignores a second Ctrl-C until the process ends: in-process, give pytest its own back
        signal.signal(signal.SIGINT, handler)
    assert result.exit_code == code
    assert "Traceback" not in result.output
    assert "a.md:3: warning: something to fix" in result.stderr  # what was collected is shown
    if boom == "crash":
        assert "internal error: KeyError: 'missing'" in result.stderr
        assert "Please report it" in result.stderr
    else:
        assert "Interrupted" in result.stderr


def test_every_command_is_guarded():
    for name, cmd in cli_main.commands.items():
        assert getattr(cmd.callback, "__wrapped__", None) is not None, name


MANY = {f"notes/n{k:02d}.md": f"START\nBasik\nQuestion {k}\nEND\n" for k in range(30)}
MANY["notes/yaml.md"] = "---\ntags: [a\n---\nSTART\nBasic\nQ\nBack: A\n<!--ID: 1768062256999-->\nEND\n"


def test_many_messages_are_summarised_by_kind(make_vault, cli_build, tmp_path):
    root = make_vault(MANY)
    result, _ = cli_build(root)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) < 10, result.stderr
    assert "31 messages (30 errors, 1 warning), by kind:" in result.stderr
    kind = next(line for line in lines if "30× error" in line)
    assert "unknown note type" in kind and "notes/n00.md:2, notes/n01.md:2, notes/n02.md:2, …" in kind
    assert any("1× warning" in line and "YAML" in line and "notes/yaml.md" in line for line in lines)
    assert "--all-messages" in result.stderr

    result, _ = cli_build(root, "--all-messages")
    assert sum(": error: unknown note type" in line for line in result.stderr.splitlines()) == 30

    messages = tmp_path / "messages.txt"
    result, _ = cli_build(root, "--messages-file", str(messages))
    written = messages.read_text("utf-8").splitlines()
    assert len(written) == 31 and written[0].startswith("notes/n00.md:2: error: unknown note type")
    assert f"all of them are in {messages}" in result.stderr


def test_the_summary_describes_each_place_by_its_own_message(make_vault, cli_build):
    """Two near misses that say different things (tester r12: both were shown with the fence's text) are
    listed apart, each with its own places; the same wording at two places stays one line."""
    files = dict(MANY)
    files["fence.md"] = "```\ncode\nSTART\nBasic\nhidden\nBack: x\nEND\n"
    files["fence2.md"] = "```\ncode\nSTART\nBasic\nalso hidden\nBack: y\nEND\n"
    files["strayend.md"] = "END\nsome text\n"
    result, _ = cli_build(make_vault(files))
    lines = result.stderr.splitlines()
    fence = [line for line in lines if "code fence" in line]
    stray = [line for line in lines if "closes no card" in line]
    assert len(fence) == 1 and len(stray) == 1, result.stderr
    assert "2× warning: near-miss: this code fence" in fence[0]
    assert "fence.md:1, fence2.md:1" in fence[0] and "strayend.md" not in fence[0]
    assert "1× warning: 'END' here closes no card" in stray[0] and stray[0].endswith("strayend.md:1")


def test_kind_of_groups_messages_that_differ_only_in_names_and_numbers():
    a = Diagnostic("a.md", 1, "error", "unknown note type 'Basik'; card skipped (line 12)")
    b = Diagnostic("b.md", 9, "error", "unknown note type 'Vocab'; card skipped (line 3)")
    assert kind_of(a) == kind_of(b) == "unknown note type '…'; card skipped (line N)"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_ids_dry_run_diff_applies_with_git_apply(make_vault, tmp_path):
    long_front = "A very long front " + "with many words " * 20 + "that a terminal would wrap"
    root = make_vault({
        "a.md": f"START\nBasic\n{long_front}\nBack:\tan answer after a tab\nEND\n",
        "crlf.md": "START\r\nBasic\r\nWindows line endings\r\nBack: yes\r\nEND\r\n",
        "sub dir/no newline.md": "START\nBasic\nNo newline at the end\nBack: right\nEND",
    })
    result = subprocess.run(command("ids", root, "--dry-run"), capture_output=True, env=cli_env(),
                            stdin=subprocess.DEVNULL, timeout=120)
    assert result.returncode == 0, result.stderr
    patch = tmp_path / "ids.patch"
    patch.write_bytes(result.stdout)
    assert b"Would add 3 IDs in 3 files" in result.stderr
    check = subprocess.run(["git", "apply", "--check", "-v", str(patch)], cwd=root, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr + result.stdout.decode()
    twin = tmp_path / "twin" / root.name  # same folder name: implicit IDs are namespaced by the vault
    shutil.copytree(root, twin)
    applied = subprocess.run(["git", "apply", str(patch)], cwd=root, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    # the patched vault is byte for byte what `ids` itself writes
    subprocess.run(command("ids", twin), env=cli_env(), capture_output=True, check=True, timeout=120)
    for path in sorted(twin.rglob("*.md")):
        assert (root / path.relative_to(twin)).read_bytes() == path.read_bytes(), path.name
        assert b"<!--ID: " in path.read_bytes()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_ids_dry_run_of_a_note_of_2000_alike_cards_ends_and_its_diff_applies(make_vault, tmp_path):
    """Tester 12-03 round 16: one note of 1,000–2,000 cards with one front (`END`, blank lines and the
    front repeated) kept `ids --dry-run` in difflib for minutes; the diff of lines inserted is now found in one
    pass (decks/patch.py inserted_lines). Not timed: it must end within the subprocess timeout."""
    root = make_vault({"L.md": "".join(f"START\nBasic\nTranslate:\nBack: el gato {k % 7}\nEND\n\n"
                                         for k in range(2000))})
    result = subprocess.run(command("ids", root, "--dry-run"), capture_output=True, env=cli_env(),
                            stdin=subprocess.DEVNULL, timeout=240)
    assert result.returncode == 0, result.stderr
    assert b"Would add 2000 IDs in 1 file" in result.stderr
    assert result.stdout.count(b"\n+<!--ID: ") == 2000 and b"\n-" not in result.stdout
    patch = tmp_path / "ids.patch"
    patch.write_bytes(result.stdout)
    applied = subprocess.run(["git", "apply", str(patch)], cwd=root, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert (root / "L.md").read_text("utf-8").count("<!--ID: ") == 2000


@pytest.mark.parametrize("args, says", [(["ids", "{root}", "--dry-run"], None),
                                        (["build", "{root}", "-o", "{out}", "--no-dupes"], "twice.md:7: warning: same first field")])
def test_a_reader_that_stops_early_ends_the_command_quietly(make_vault, tmp_path, args, says):
    """`notes2anki ... | head -1`: no BrokenPipeError traceback, exit 0 (the reader has what it wanted), and
    the warnings gathered so far still reach stderr (tester 12-03: `topics | head -1` dropped its warning)."""
    long = "a deck name long enough that the table outgrows the pipe's buffer " * 2
    notes = {f"n{k:04d}.md": f"TARGET DECK: {k} {long}\n\nSTART\nBasic\nQuestion {k}\nBack: A\nEND\n"
             for k in range(1000)}
    twice = "START\nBasic\nThe same front\nBack: A\nEND\n"
    root = make_vault({**notes, "twice.md": twice + "\n" + twice})
    argv = [a.format(root=root, out=tmp_path / "d.apkg") for a in args]
    env = cli_env(NOTES2ANKI_CACHE_DIR=str(tmp_path / "c"), NOTES2ANKI_STATE_DIR=str(tmp_path / "s"))
    proc = subprocess.Popen(command(*argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    assert proc.stdout.readline()
    proc.stdout.close()  # like `head -1`
    stderr = proc.stderr.read().decode()
    assert proc.wait(120) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    if says:
        assert says in " ".join(stderr.split()), stderr


def test_a_command_runs_with_the_raised_collector_thresholds_and_puts_them_back():
    import gc

    from notes2anki.cli.guard import GC_THRESHOLDS

    seen = []

    @click.command("gc-probe")
    def probe():
        seen.append(gc.get_threshold())

    before = gc.get_threshold()
    result = CliRunner().invoke(click.command("gc-probe")(guarded(probe.callback)), [])
    assert result.exit_code == 0 and seen == [GC_THRESHOLDS] and gc.get_threshold() == before
    CliRunner().invoke(_guarded_probe, ["--boom", "crash"])  # also after an internal error
    assert gc.get_threshold() == before
