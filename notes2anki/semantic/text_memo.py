"""Plain texts of field Markdown, kept between runs (issue 13: after an edit of one card of a 10,000-card
vault, reading every field's Markdown into plain text again took 3–8 s).

:func:`lookup` is the memo :func:`notes2anki.semantic.text.plain_text` goes through: within a process each
distinct (mode, Markdown) is read once. :func:`load` / :func:`save` keep the texts one duplicate check used in
a file beside its stored result (``<cache file>.dupes/<entry>.texts.pickle``, see
:mod:`~notes2anki.semantic.dupes_memo`), so the next run reads only new or edited fields. The file is tied
to :func:`version` (TEXT_VERSION, the sources of the parsers, of ``semantic/text.py`` and markdown-it-py's
version): any change there and it is ignored. A file that cannot be read (truncated, garbage) is ignored
too, and :func:`load` returns a warning saying so (:mod:`notes2anki.memo_file`); nothing here raises.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from notes2anki import memo_file

SUFFIX = ".texts.pickle"
MAX_ENTRIES = 500_000  # in one process; beyond this the memo starts again (bounded memory)

_memo: dict[tuple[str, str], str] = {}
cards: dict[tuple[str, ...], str] = {}  # a card's field Markdown -> its card text (semantic/text.card_text), this run
_touched: set[tuple[str, str]] = set()
_fresh = 0  # texts computed since the last load (0: the stored file is still complete)
_loaded = 0
# what a card's fields come to as a whole (see remember()), kept in a file of its own (PARTS_SUFFIX)
_parts: dict[tuple, Any] = {}
_parts_touched: set[tuple] = set()
_parts_fresh = 0
_parts_loaded = 0


@lru_cache(maxsize=1)
def version() -> str:
    """What the stored texts depend on: TEXT_VERSION, the parsers' code (as the parse cache hashes it), the
    source of ``semantic/text.py`` and markdown-it-py's version."""
    import markdown_it

    from notes2anki import parse_cache
    from notes2anki.semantic import text

    digest = hashlib.sha256(f"{text.TEXT_VERSION}:{parse_cache.code_version()}:{markdown_it.__version__}".encode())
    try:
        digest.update(Path(text.__file__).read_bytes())
    except OSError:
        digest.update(b"text.py")
    return digest.hexdigest()[:16]


def lookup(mode: str, markdown: str, compute: Callable[[str, str], str]) -> str:
    """The plain text of ``markdown`` in ``mode`` ("answer" / "mask", the cloze display): from the memo, or
    ``compute(markdown, mode)`` once."""
    global _fresh
    key = (mode, markdown)
    value = _memo.get(key)
    if value is None:
        if len(_memo) >= MAX_ENTRIES:
            _memo.clear()
            _touched.clear()
            cards.clear()
        value = _memo[key] = compute(markdown, mode)
        _fresh += 1
    _touched.add(key)
    return value


def remember(key: tuple, compute: Callable[[], Any]) -> Any:
    """The value kept under ``key``, or ``compute()`` once: what a whole card's fields come to (e.g. its
    texts and media, :func:`notes2anki.semantic.dupes.card_parts`; the key must name everything the value
    depends on beyond :func:`version`). Kept between runs beside the texts (:data:`PARTS_SUFFIX`), so a
    check after an edit reads each unchanged card's texts with one look-up."""
    global _parts_fresh
    value = _parts.get(key)
    if value is None:
        if len(_parts) >= MAX_ENTRIES:
            _parts.clear()
            _parts_touched.clear()
        value = _parts[key] = compute()
        _parts_fresh += 1
    _parts_touched.add(key)
    return value


PARTS_SUFFIX = ".cards.pickle"


def parts_path(path: Path) -> Path:
    """Beside the texts file ``path``: the values of :func:`remember` (``<entry>.cards.pickle``)."""
    name = path.name[:-len(SUFFIX)] if path.name.endswith(SUFFIX) else path.name
    return path.with_name(name + PARTS_SUFFIX)


def path_for(folder: Path, entry: str) -> Path:
    """The file that keeps the texts of stored result ``entry`` in ``folder``."""
    return folder / (entry + SUFFIX)


LANGUAGE_SUFFIX = ".language.pickle"


def language_path(path: Path) -> Path:
    """Beside the texts file ``path``: what :func:`notes2anki.semantic.language.covered` measured of each card
    text (its known-word rate and language votes; ``<entry>.language.pickle``), loaded and saved with it."""
    name = path.name[:-len(SUFFIX)] if path.name.endswith(SUFFIX) else path.name
    return path.with_name(name + LANGUAGE_SUFFIX)


def load(path: Path) -> str | None:
    """Add the texts stored in ``path`` to the memo (when they were stored by the same :func:`version`), and
    the language measurements beside it (:func:`language_path`), and start recording which texts this run
    uses. Returns a warning when the file is unusable (it is then
    replaced by the next :func:`save`), else None."""
    global _fresh, _loaded, _parts_fresh, _parts_loaded
    _touched.clear()
    _parts_touched.clear()
    cards.clear()  # (a card text read from it would not mark its fields' texts as used by this run)
    _fresh, _loaded, _parts_fresh, _parts_loaded = 0, 0, 0, 0
    from notes2anki.semantic import language

    language_warning = language.load_memo(language_path(path))
    _parts_loaded, parts_warning = memo_file.load_entries(parts_path(path), "text memo", version(), _parts)
    _loaded, warning = memo_file.load_entries(path, "text memo", version(), _memo)
    return warning or parts_warning or language_warning


few_new = memo_file.few_new  # (where chargram and vector memos took it from)


def save(path: Path) -> None:
    """Store the texts used since :func:`load` in ``path`` (nothing when none was new, or only a few:
    :func:`~notes2anki.memo_file.few_new`); failures ignored."""
    from notes2anki.semantic import language

    language.save_memo(language_path(path))
    parts_kept = _parts_loaded > 0 and (not _parts_fresh and len(_parts_touched) == _parts_loaded
                                        or few_new(_parts_fresh, len(_parts_touched), _parts_loaded))
    memo_file.save_entries(parts_path(path), version(), _parts, _parts_touched, _parts_fresh, _parts_loaded)
    if parts_kept:  # the cards' texts came from their own file: the field texts they did not look up are
        return      # not stale, and the few new ones are computed again by the next run
    memo_file.save_entries(path, version(), _memo, _touched, _fresh, _loaded if path.exists() else -1)
