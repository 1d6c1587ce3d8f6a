"""Two `ids` runs and an editor saving the note, all at once, many times: every file stays intact.

Each round starts two `notes2anki ids` processes and an editor-like process that keeps rewriting a
note in place with one more line appended (as an editor saves). Afterwards every note parses without
errors, no ID line is duplicated, no ID sits inside a card field, and every card still has its
fields, tags and GUID (IDs written by `ids` are the cards' implicit IDs, so GUIDs never change).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from notes2anki.config import load_config
from notes2anki.decks.identity import assign_identities, vault_namespace
from notes2anki.parsers import load_vault

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 10

NOTES = {
    "a.md": ("# A\n\nSTART\nBasic\nWhat is a cell?\nBack: unit of life\nTags: biology\n\nEND\n\n"
             "STARTI [Basic] inline one Back: 1 ENDI STARTI [Basic] inline two Back: 2 ENDI\n\n"
             "START\nCloze\n{{c1::Mitochondria}} make ATP\nEND\n"),
    "b.md": "START\r\nBasic\r\nQ b\r\nBack: A b\r\nEND\r\nprose\r\nSTART\r\nBasic\r\nQ b2\r\nBack: x\r\nEND",
    "c.md": "".join(f"START\nBasic\nQuestion {i}\nBack: answer {i}\nEND\n\n" for i in range(20)),
}

EDITOR = r"""
import random, sys, time
path, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
n = 0
while time.monotonic() < deadline:
    with open(path, "rb") as fh:
        data = fh.read()
    with open(path, "wb") as fh:  # an in-place save, as many editors do
        fh.write(data + b"\nedited line %d\n" % n)
    n += 1
    time.sleep(random.uniform(0, 0.03))
"""


def snapshot(root: Path):
    vault = load_vault(root, load_config(root, []))
    cards = [c for c in vault.cards if not c.delete]
    return vault, {g: (c.note_type, c.fields, sorted(c.tags), c.deck)
                   for c, g in assign_identities(cards, [], vault_namespace(root))}


def test_two_ids_runs_and_an_editor_at_once_leave_every_note_intact(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cli = [sys.executable, "-c", "from notes2anki.cli import main; main()", "ids"]
    for round_no in range(ROUNDS):
        root = tmp_path / f"vault{round_no}"
        root.mkdir()
        for rel, text in NOTES.items():
            (root / rel).write_bytes(text.encode())
        _, expected = snapshot(root)
        edited = ["a.md", "b.md", "c.md"][round_no % 3]
        procs = [subprocess.Popen([sys.executable, "-c", EDITOR, str(root / edited), "2.0"], env=env),
                 subprocess.Popen(cli + [str(root)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE),
                 subprocess.Popen(cli + [str(root)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)]
        results = [p.communicate(timeout=120) for p in procs]
        for proc, (_, stderr) in zip(procs[1:], results[1:]):
            assert proc.returncode in (0, 1, 2), stderr
            assert b"Traceback" not in stderr, stderr.decode()

        vault, cards = snapshot(root)
        assert vault.errors == [], [str(d) for d in vault.errors]
        assert cards == expected  # same GUIDs, fields, tags, decks, note types
        for rel in NOTES:
            text = (root / rel).read_bytes().decode()
            ids = re.findall(r"<!--ID: (\d+)-->", text)
            assert len(ids) == len(set(ids)), f"round {round_no}: duplicated ID line in {rel}"
        for card in vault.cards:
            assert not any("ID:" in value for value in card.fields.values()), card.where
        edits = (root / edited).read_bytes().count(b"edited line")
        assert edits >= 1  # the editor's saves are there (the last one at least)
