"""Exact text beats file and front (tester C, 2026-12-02: r1), on real Anki collections."""
from __future__ import annotations

from .plugin_users import empty_collection
from .test_sync_vault_identity import _notes, _review


def _card(front: str, back: str) -> str:
    return f"START\nBasic\n{front}\nBack: {back}\nEND\n\n"


def test_swapped_file_names_keep_each_note_on_its_text(tmp_path, sync_cli):
    """r1: a.md and b.md swap names, cards without IDs, one back edited: each ``Translate: the dog`` card keeps
    the note whose text it holds (its review history), not the note of its path."""
    vault = tmp_path / "V"
    vault.mkdir()
    (vault / "a.md").write_text(_card("Translate: the dog", "el perro") + _card("Translate: the cat", "el gato")
                                + _card("Q a1", "A a1"), "utf-8")
    (vault / "b.md").write_text(_card("Translate: the dog", "der Hund") + _card("Translate: the cat", "die Katze")
                                + _card("Q b1", "A b1"), "utf-8")
    col = empty_collection(tmp_path)
    assert sync_cli(vault, col, "--yes").exit_code == 0
    _review(col)
    before = {fields[1]: nid for nid, (fields, _) in _notes(col).items()}
    a, b = (vault / "a.md").read_text("utf-8"), (vault / "b.md").read_text("utf-8")
    (vault / "a.md").write_text(b.replace("der Hund", "der Hund!"), "utf-8")
    (vault / "b.md").write_text(a, "utf-8")
    result = sync_cli(vault, col, "--yes")
    assert result.exit_code == 0, result.output
    assert "0 new" in result.output and "1 updated" in result.output and "0 deleted" in result.output
    after = {nid: fields[1] for nid, (fields, _) in _notes(col).items()}
    for back in ("el perro", "el gato", "die Katze", "A a1", "A b1"):
        assert after[before[back]] == back
    assert after[before["der Hund"]] == "der Hund!"
    again = sync_cli(vault, col, "--dry-run")
    assert "6 unchanged" in again.output, again.output
