"""Shared fixtures: isolated user dirs, tmp vaults, builds, and imports into a real Anki collection.

Every .apkg a test checks is imported with the official ``anki`` package into a fresh collection, so
assertions are about what a user would see after File > Import (no mocks of Anki).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.config import load_config
from notes2anki.decks.build import build_package
from notes2anki.parsers import load_vault

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_VAULT = REPO / "examples" / "vault"
# Material shared between projects (spec, real vaults, eval set, plugin suites) lies beside the checkout,
# never inside it; the suite must pass without it, skipping what needs it.
SHARED = REPO.parent / "shared"


def pytest_configure(config):
    """Stop signals with their default action in this process, so the commands the tests start inherit it:
    a suite started as a background job of a shell without job control (``.ci/run &``, ``nohup``) has SIGINT
    (and, under nohup, SIGHUP) ignored, and the commands, which leave an ignored signal ignored (interrupts.py),
    then ran on through the tests' Ctrl-C and SIGHUP (13 signal tests failed so, and passed in the foreground)."""
    import signal

    for name in ("SIGINT", "SIGHUP", "SIGTERM"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is signal.SIG_IGN:
            signal.signal(signum, signal.SIG_DFL if name != "SIGINT" else signal.default_int_handler)


def find_shared(*parts: str) -> Path | None:
    """``<repo>/../shared/<parts...>`` if it exists, else None (for decisions made at collection time)."""
    path = SHARED.joinpath(*parts)
    return path if path.exists() else None


def shared_path(*parts: str, why: str = "") -> Path:
    """``<repo>/../shared/<parts...>``; skips the calling test, with the reason, when it is absent.

    ``why`` says what the test needs it for (it goes into the skip reason).
    """
    path = find_shared(*parts)
    if path is None:
        pytest.skip(f"../shared/{'/'.join(parts)} not present ({SHARED.joinpath(*parts)})"
                    + (f": {why}" if why else ""))
    return path


@pytest.fixture(scope="session")
def shared():
    """``shared("realvaults", why="...")`` → Path, or the test is skipped with the reason (see shared_path)."""
    return shared_path


def import_apkg(apkg: Path, col_path: Path):
    """Open (or create) the collection at ``col_path`` and import ``apkg`` as a user would.

    Returns ``(collection, log)``; the caller closes the collection. ``log.new`` / ``log.updated`` /
    ``log.duplicate`` list what the import did.
    """
    Path(col_path).parent.mkdir(parents=True, exist_ok=True)
    col = Collection(str(col_path))
    try:
        log = import_into(col, apkg)
    except BaseException:
        col.close()
        raise
    return col, log


def import_into(col: Collection, apkg: Path):
    """Import ``apkg`` into an open collection; the import log."""
    request = ImportAnkiPackageRequest(
        package_path=str(apkg),
        options=ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False,
                                         merge_notetypes=False))
    return col.import_anki_package(request).log


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under ``root`` (hidden ones too) → sha256 of its bytes."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(root).rglob("*")) if p.is_file()}


def collection_holding(tmp_path: Path, nid: int) -> Path:
    """An Anki collection (``tmp_path/prof/collection.anki2``, made once) holding a Basic note with id ``nid``
    (as the plugin made it: the note an ID line names): what ``ids --collection`` reads for a vault with ID
    lines and no record of a sync on this machine."""
    path = tmp_path / "prof" / "collection.anki2"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    col = Collection(str(path))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "Q", "a"
    col.add_note(note, 1)
    col.db.execute("update cards set nid = ? where nid = ?", nid, note.id)
    col.db.execute("update notes set id = ? where id = ?", nid, note.id)
    col.close()
    return path


def review_all(col: Collection) -> None:
    """Answer every card of ``col`` once with Good (one review log row each), as a user reviewing."""
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        card.start_timer()
        col.sched.answerCard(card, 3)


def review_note(col: Collection, nid: int, times: int) -> None:
    """Answer the first card of the note ``nid`` ``times`` times with Good (``times`` review log rows)."""
    for _ in range(times):
        card = col.get_card(col.card_ids_of_note(nid)[0])
        card.start_timer()
        col.sched.answerCard(card, 3)


def review_back(col_path: Path, back: str, times: int) -> int:
    """Answer the first card of the note whose Back is ``back`` in the collection at ``col_path`` ``times``
    times (:func:`review_note`); its note id."""
    col = Collection(str(col_path))
    try:
        nid = next(n for n in col.find_notes("") if col.get_note(n)["Back"] == back)
        review_note(col, nid, times)
        return nid
    finally:
        col.close()


def notes_by_field(col: Collection, field: str | int = -1) -> dict[str, tuple[int, int]]:
    """Each note's ``field`` (a name, or an index: the last by default) → (note id, its cards' review log rows)."""
    out = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        text = note[field] if isinstance(field, str) else note.fields[field]
        out[text] = (nid, col.db.scalar(f"select count() from revlog where cid in (select id from cards where nid = {nid})"))
    return out


@pytest.fixture(scope="session")
def helpers():
    """The plain helpers above, for module-scoped fixtures: ``helpers.import_apkg(apkg, col_path)``,
    ``helpers.import_into(col, apkg)``, ``helpers.tree_digest(root)``, ``helpers.Imported``,
    ``helpers.shared_path(*parts, why=...)``, ``helpers.collection_holding(tmp_path, nid)``,
    ``helpers.review_all(col)``, ``helpers.notes_by_field(col, field)``."""
    return SimpleNamespace(import_apkg=import_apkg, import_into=import_into, tree_digest=tree_digest,
                           Imported=Imported, EXAMPLE_VAULT=EXAMPLE_VAULT, shared_path=shared_path,
                           find_shared=find_shared, collection_holding=collection_holding,
                           review_all=review_all, notes_by_field=notes_by_field)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Build state and caches go to tmp dirs: tests never touch the user's own."""
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("NOTES2ANKI_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def collection(tmp_path):
    """A fresh, empty Anki collection (closed after the test)."""
    (tmp_path / "fresh").mkdir()
    col = Collection(str(tmp_path / "fresh" / "collection.anki2"))
    yield col
    col.close()


@dataclass
class Imported:
    col: Collection
    log: object

    def notes(self):
        return [self.col.get_note(nid) for nid in self.col.find_notes("")]

    def note(self, first_field_contains: str):
        """The one note whose first field contains the text."""
        found = [n for n in self.notes() if first_field_contains in n.fields[0]]
        assert len(found) == 1, f"{len(found)} notes with {first_field_contains!r} in the first field"
        return found[0]

    def deck_names(self) -> set[str]:
        return {d.name for d in self.col.decks.all_names_and_ids()}

    def media_bytes(self, name: str) -> bytes:
        return (Path(self.col.media.dir()) / name).read_bytes()


@pytest.fixture
def anki_import(tmp_path):
    """``anki_import(apkg)`` → Imported(col, log): the package imported into a fresh collection.

    ``anki_import(apkg, col)`` imports into an open collection instead (e.g. a second import).
    """
    opened: list[Collection] = []

    def _import(apkg: Path, col: Collection | None = None) -> Imported:
        if col is not None:
            return Imported(col, import_into(col, apkg))
        col, log = import_apkg(apkg, tmp_path / f"anki{len(opened)}" / "collection.anki2")
        opened.append(col)
        return Imported(col, log)

    yield _import
    for col in opened:
        col.close()


@pytest.fixture
def make_vault(tmp_path):
    """``make_vault({"rel/path.md": str | bytes, ...}, name="vault")`` → the vault folder."""

    def _make(files: dict[str, str | bytes], name: str = "vault") -> Path:
        root = tmp_path / name
        root.mkdir(exist_ok=True)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return root

    return _make


@dataclass
class Built:
    vault: object  # notes2anki.model.Vault
    report: object  # notes2anki.decks.build.BuildReport
    apkg: Path


@pytest.fixture
def build(tmp_path):
    """``build(vault_root, **config_overrides)`` → Built(vault, report, apkg) via the library."""
    counter = iter(range(1_000_000))

    def _build(root: Path, **overrides) -> Built:
        diags: list = []
        config = load_config(root, diags, **overrides)
        vault = load_vault(root, config)
        vault.diagnostics[:0] = diags
        apkg = tmp_path / "out" / f"deck{next(counter)}.apkg"
        report = build_package(vault, config, apkg)
        return Built(vault, report, apkg)

    return _build


@pytest.fixture
def cli_build(tmp_path):
    """``cli_build(vault_root, *extra_args)`` → (click Result, apkg path): `notes2anki build --no-dupes`."""
    counter = iter(range(1_000_000))

    def _run(root: Path, *args: str):
        apkg = tmp_path / "cli-out" / f"deck{next(counter)}.apkg"
        result = CliRunner().invoke(cli_main, ["build", str(root), "-o", str(apkg), "--no-dupes", *args])
        return result, apkg

    return _run


@pytest.fixture
def png_bytes():
    """Distinct small PNG-looking payloads: ``png_bytes(n)``."""

    def _png(n: int) -> bytes:
        return b"\x89PNG\r\n\x1a\n" + hashlib.sha256(str(n).encode()).digest()

    return _png
