"""One vault key (paths.vault_key) for the build state, the lock and the caches, for any folder name."""
import hashlib
import os
from pathlib import Path

from notes2anki.decks.build import default_state_path
from notes2anki.fileio import vault_lock
from notes2anki.paths import vault_key


def test_a_utf8_vault_keeps_its_key(tmp_path):
    root = tmp_path / "Biologie é"
    root.mkdir()
    resolved = str(root.resolve())
    assert vault_key(root) == f"Biologie é-{hashlib.sha1(resolved.encode('utf-8')).hexdigest()[:12]}"


def test_a_vault_folder_whose_name_is_not_utf8_has_a_key_a_lock_and_a_state_file(tmp_path):
    """paths.vault_key raised UnicodeEncodeError here (fileio.vault_lock hashed the path again to get round
    it; decks.build.default_state_path did not, so `build` stopped with a traceback)."""
    root = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"caf\xe9")))
    root.mkdir()
    (root / "n.md").write_text("START\nBasic\nQ\nBack: A\nEND\n", encoding="utf-8")
    assert vault_key(root).startswith("caf\udce9-")
    with vault_lock(root) as lock:
        assert lock.name == vault_key(root) + ".lock"
    assert default_state_path(root).name == vault_key(root) + ".json"
