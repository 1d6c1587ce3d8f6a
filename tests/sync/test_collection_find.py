"""Finding the collection (Anki's profiles, [sync] in .notes2anki.toml), the optional `anki` package,
and notes imported from packages built before vault namespaces."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from anki.collection import Collection
from click.testing import CliRunner

from notes2anki.cli import main

from notes2anki.config import load_config
from notes2anki.decks.identity import guid_of, implicit_id
from notes2anki.parsers import load_vault

from .plugin_users import run_sync

CARD = "START\nBasic\nWhat is 2+2?\nBack: 4\nEND\n"
REPO = Path(__file__).resolve().parents[2]


def _profile(base: Path, name: str) -> Path:
    path = base / name / "collection.anki2"
    path.parent.mkdir(parents=True)
    Collection(str(path)).close()
    return path


def test_profiles_under_anki_base(make_vault, tmp_path, monkeypatch):
    root = make_vault({"a.md": CARD})
    base = tmp_path / "Anki2"
    monkeypatch.setenv("ANKI_BASE", str(base))
    only = _profile(base, "User 1")
    result = CliRunner().invoke(main, ["sync", str(root)])
    assert result.exit_code == 0, result.output
    assert str(only) in result.output
    _profile(base, "Work")
    ambiguous = CliRunner().invoke(main, ["sync", str(root)])
    assert ambiguous.exit_code == 2 and "several Anki profiles" in ambiguous.output and "User 1, Work" in ambiguous.output
    chosen = CliRunner().invoke(main, ["sync", str(root), "--profile", "Work", "--json"])
    assert chosen.exit_code == 0 and json.loads(chosen.stdout)["collection"] == str(base / "Work" / "collection.anki2")
    (root / ".notes2anki.toml").write_text('[sync]\nprofile = "Work"\n', "utf-8")
    configured = CliRunner().invoke(main, ["sync", str(root), "--json"])
    assert configured.exit_code == 0 and json.loads(configured.stdout)["new"] == []  # synced to Work before
    missing = CliRunner().invoke(main, ["sync", str(root), "--profile", "Nobody"])
    assert missing.exit_code == 2 and 'no Anki profile "Nobody"' in missing.output


def test_config_names_the_collection_file(make_vault, tmp_path):
    col_path = _profile(tmp_path, "elsewhere")
    root = make_vault({"a.md": CARD, ".notes2anki.toml": f'[sync]\ncollection = "{col_path}"\n'})
    result = CliRunner().invoke(main, ["sync", str(root), "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["new"]) == 1


def test_build_works_without_anki_and_sync_says_what_to_install(make_vault, tmp_path):
    root = make_vault({"a.md": CARD})
    code = ("import sys; sys.modules['anki'] = None\n"  # as if the optional package were not installed
            "from notes2anki.cli import main\nmain()\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    built = subprocess.run([sys.executable, "-c", code, "build", str(root), "-o", str(tmp_path / "d.apkg"),
                            "--no-dupes"], env=env, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "d.apkg").is_file()
    col = _profile(tmp_path, "p")
    synced = subprocess.run([sys.executable, "-c", code, "sync", str(root), "--collection", str(col)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert synced.returncode == 2 and "pip install 'notes2anki[sync]'" in synced.stderr
    assert "Traceback" not in synced.stderr


def test_notes_from_packages_built_before_namespaces_are_adopted(make_vault, tmp_path):
    """A card without an ID imported by an older notes2anki (GUID from path + front only) is found by
    that GUID: sync updates it instead of adding a second note."""
    root = make_vault({"a.md": CARD.replace("Back: 4", "Back: four")})
    col_path = _profile(tmp_path, "p")
    card = load_vault(root, load_config(root)).cards[0]
    col = Collection(str(col_path))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "What is 2+2?", "4"
    note.guid = guid_of(implicit_id(card, 0, ""))
    col.add_note(note, 1)
    col.close()
    result = run_sync(root, col_path, "--json")
    plan = json.loads(result.stdout)
    assert plan["new"] == [] and [u["nid"] for u in plan["updated"]] == [note.id]
