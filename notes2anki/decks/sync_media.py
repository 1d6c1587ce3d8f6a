"""`sync`'s media: which files Anki's media folder lacks, and the names of those it already holds.

Anki keeps one media folder per collection; a file of the vault it already has (same bytes, under the name
notes2anki gives it, in another case, or renamed by Anki for a clash) is used as it is there, and the fields
name it so (:func:`rename_media`).
"""
from __future__ import annotations

import hashlib
import html
from pathlib import Path


def plan_media(folder: Path, plan, root: Path) -> dict[str, str]:
    """Which media files Anki lacks from its media ``folder``: into ``plan.media`` (``plan``: the
    :class:`~notes2anki.decks.sync_plan.SyncPlan`, whose ``names`` get the name each file has in Anki). A file
    Anki already has with the same bytes, under its name in any case or under the name Anki gives a clashing
    file (``stem-<sha1>.ext``), is used as it is there: returns those, ``name in the HTML -> name in Anki``."""
    reused: dict[str, str] = {}
    try:
        existing = {p.name.casefold(): p.name for p in folder.iterdir()}
    except OSError:
        existing = {}
    for path, name in sorted(plan.names.items()):
        source = root / path
        try:
            data_sha = _sha(source)
        except OSError:
            continue  # the parser already reported it
        stem, dot, ext = name.rpartition(".")
        hashed = f"{stem}-{_sha(source, 'sha1')}.{ext}" if dot else f"{name}-{_sha(source, 'sha1')}"
        for candidate in (name, existing.get(name.casefold()), hashed, existing.get(hashed.casefold())):
            try:
                if candidate and _sha(folder / candidate) == data_sha:
                    if candidate != name:
                        reused[name] = candidate
                    plan.names[path] = candidate
                    break
            except OSError:
                continue
        else:
            plan.media[name] = source
    return reused


def _sha(path: Path, algorithm: str = "sha256") -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def rename_media(fields: dict[str, str], renamed: dict[str, str]) -> dict[str, str]:
    """The fields with media names changed (``old -> new``: Anki gave a file another name because it
    already had one of that name with other bytes), in ``<img src="...">`` and ``[sound:...]`` as the
    renderer writes them (parsers/embeds.py)."""
    out = {}
    for name, value in fields.items():
        for old, new in renamed.items():
            value = value.replace(f'src="{html.escape(old)}"', f'src="{html.escape(new)}"')
            value = value.replace(f"[sound:{html.escape(old, quote=False)}]",
                                  f"[sound:{html.escape(new, quote=False)}]")
        out[name] = value
    return out
