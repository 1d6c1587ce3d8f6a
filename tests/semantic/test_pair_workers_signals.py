"""Tester M3 (23:00): Ctrl-C during the duplicate check's worker phase printed a traceback per worker, and
after `kill -9` of the command its workers measured on (later BrokenPipe tracebacks)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = r"""
import sys, time, os
from pathlib import Path
import numpy as np
from notes2anki.semantic import pair_workers

pids = Path(sys.argv[1])

def measure(enc, pairs):
    with open(pids, "a") as fh:
        fh.write(f"{os.getpid()}\n")
    time.sleep(60)
    return np.zeros((len(pairs), 1))

try:
    pair_workers.measure_rows(None, [(i, i + 1) for i in range(8)], measure, workers=2, min_pairs=2)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
"""


def _start(tmp_path):
    pids = tmp_path / "pids"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(pids)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a shell starts it
    deadline = time.time() + 60
    while time.time() < deadline and (not pids.exists() or len(pids.read_text().split()) < 2):
        time.sleep(0.1)
    workers = [int(p) for p in pids.read_text().split()]
    assert len(workers) >= 2
    return proc, workers


def _gone(pid: int, wait: float = 10.0) -> bool:
    deadline = time.time() + wait
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split(")")[-1].split()[0] == "Z":
                    return True  # exited, not yet reaped
        except OSError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="fork workers and PR_SET_PDEATHSIG: Linux")
def test_ctrl_c_to_the_process_group_stops_the_workers_without_a_traceback(tmp_path):
    proc, workers = _start(tmp_path)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: every process of the group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and out.strip() == "interrupted"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert all(_gone(pid) for pid in workers)


@pytest.mark.skipif(sys.platform != "linux", reason="fork workers and PR_SET_PDEATHSIG: Linux")
def test_workers_end_with_their_parent_killed_with_sigkill(tmp_path):
    proc, workers = _start(tmp_path)
    proc.kill()
    assert all(_gone(pid) for pid in workers)  # within 10 s, not when their 60 s of work is done
    proc.communicate(timeout=60)


@pytest.mark.skipif(sys.platform != "linux", reason="fork workers and PR_SET_PDEATHSIG: Linux")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_or_sighup_to_the_process_group_stops_the_command_and_its_workers(tmp_path, signum):
    """Tester U23: with the command's handlers (notes2anki.interrupts), SIGTERM / SIGHUP stop the command as
    Ctrl-C does; its forked workers inherit the handler but end by the signal, without a traceback."""
    global SCRIPT
    plain = SCRIPT
    SCRIPT = "from notes2anki import interrupts\ninterrupts.install()\n" + plain
    try:
        proc, workers = _start(tmp_path)
    finally:
        SCRIPT = plain
    os.killpg(proc.pid, signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and out.strip() == "interrupted", err  # the script's own exit on KeyboardInterrupt
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert all(_gone(pid) for pid in workers)
