"""Run the real `notes2anki` command in a subprocess: in a pseudo-terminal of a given width, or into a pipe;
and read rich tables back out of what it printed.

Used by the CLI tests that check what a student sees (nothing cropped, no escape codes with NO_COLOR).
"""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][A-Za-z0-9]|\x1b[=>]")
BOX_V = "│┃|"


def cli_env(**extra: str) -> dict[str, str]:
    """The test process's environment for a subprocess: no COLUMNS/LINES/NO_COLOR/FORCE_COLOR of the
    test run, UTF-8 output, the checkout on PYTHONPATH; ``extra`` added (a value None removes the key)."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TERM"}}
    env.update(PYTHONIOENCODING="utf-8", PYTHONPATH=str(REPO), TERM="xterm-256color")
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "notes2anki.cli", *map(str, args)]


def run_in_terminal(args, columns: int, env: dict[str, str], *, stderr_too: bool = False,
                    timeout: float = 120) -> tuple[int, str]:
    """(exit code, text) of the command run with stdout on a pseudo-terminal ``columns`` wide (stderr on the
    terminal too when ``stderr_too``, else discarded). The text is as the terminal received it, with
    ``\\r\\n`` turned back into ``\\n``."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen(command(*args), stdin=slave, stdout=slave,
                            stderr=slave if stderr_too else subprocess.DEVNULL, env=env, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the other side closed
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            raise TimeoutError(f"{args} did not finish in {timeout} s")
    finally:
        os.close(master)
    code = proc.wait(timeout=30)
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def run_piped(args, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """The command with stdout and stderr into pipes (no terminal anywhere)."""
    return subprocess.run(command(*args), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", env=env, timeout=timeout)


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def table_columns(text: str, title: str) -> list[str]:
    """The text of each column of the rich table printed under the line containing ``title``: every
    cell's lines joined, all whitespace removed (so a word folded over two lines reads whole again)."""
    lines = strip_ansi(text).split("\n")
    start = next(i for i, line in enumerate(lines) if title in line)
    columns: list[list[str]] = []
    for line in lines[start + 1:]:
        stripped = line.strip()
        if not stripped:
            break
        if stripped[0] not in BOX_V:  # top/bottom borders and row separators
            if stripped[0] in "└+" and columns:
                break
            continue
        parts = re.split(f"[{BOX_V}]", stripped)[1:-1]
        while len(columns) < len(parts):
            columns.append([])
        for k, part in enumerate(parts):
            columns[k].append(part)
    return ["".join("".join(col).split()) for col in columns]


def squash(text: str) -> str:
    """``text`` without whitespace, to compare with :func:`table_columns`."""
    return "".join(text.split())
