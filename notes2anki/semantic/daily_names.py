"""Which notes are daily notes by their name: the file name format of Obsidian's daily-notes plugin.

The plugin names a day's note by the moment.js ``format`` of ``.obsidian/daily-notes.json`` ("DD-MM-YYYY",
"YYYY-[W]ww", "dddd, MMMM Do YYYY"; unset or empty: "YYYY-MM-DD") and puts it in its ``folder``. A format
may hold "/" ("YYYY/MM/YYYY-MM-DD": a folder per year and month); it is then matched against as many of the
path's last parts. :func:`format_pattern` turns a format into an anchored regex of bounded repetitions;
:func:`daily_matcher` tells by it whether a note (by vault path) is a daily note. The whole name must
match: "Meeting 2026-01-05" and "2026-01-05 Meeting" are not daily notes.

A format of names only ("dddd": "Monday") would take every one-word note for a daily note, so such a
format is matched only inside the configured folder (and not at all without one).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

DEFAULT_FORMAT = "YYYY-MM-DD"  # the plugin's own default
SETTINGS = ".obsidian/daily-notes.json"
MAX_FORMAT = 200  # characters; a longer "format" is not the plugin's and is ignored

_LETTERS = r"[^\W\d_]{1,20}"  # a month or day name in any language, abbreviated or not
_NUMERIC = {  # moment.js tokens -> regex
    "YYYY": r"\d{4}", "gggg": r"\d{4}", "GGGG": r"\d{4}", "YY": r"\d{2}", "MM": r"\d{2}", "M": r"\d{1,2}",
    "Mo": r"\d{1,2}[^\W\d_]{0,4}\.?", "DD": r"\d{2}", "D": r"\d{1,2}", "Do": r"\d{1,2}[^\W\d_]{0,4}\.?",
    "ww": r"\d{2}", "w": r"\d{1,2}", "wo": r"\d{1,2}[^\W\d_]{0,4}\.?", "WW": r"\d{2}", "W": r"\d{1,2}",
    "Wo": r"\d{1,2}[^\W\d_]{0,4}\.?", "Q": r"[1-4]", "d": r"[0-6]",
}
_NAMES = {"MMMM": _LETTERS, "MMM": _LETTERS + r"\.?", "dddd": _LETTERS, "ddd": _LETTERS + r"\.?",
          "dd": _LETTERS}
_TOKEN = re.compile(r"\[[^\]]*\]|YYYY|gggg|GGGG|YY|MMMM|MMM|MM|Mo|M|Do|DD|D|dddd|ddd|dd|d|ww|wo|w|WW|Wo|W|Q|.",
                    re.S)


def format_pattern(fmt: str) -> tuple[re.Pattern[str], bool]:
    """``(regex, numeric)`` for the moment.js ``fmt``: the regex matches a whole name written in it (to be
    used with ``fullmatch``); ``numeric`` whether it holds a number (a year, month, day, week or quarter),
    not names only. Text in [brackets] and every other character are literal."""
    parts, numeric = [], False
    for token in _TOKEN.findall(fmt):
        if token in _NUMERIC:
            parts.append(_NUMERIC[token])
            numeric = True
        elif token in _NAMES:
            parts.append(_NAMES[token])
        elif token.startswith("[") and token.endswith("]") and len(token) >= 2:
            parts.append(re.escape(token[1:-1]))
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts), re.I), numeric


def settings_format(root: Path) -> str | None:
    """The ``format`` the vault's ``.obsidian/daily-notes.json`` sets, or None (no file, not set, empty, not
    text or too long: the plugin's default applies)."""
    from ..fileio import read_bounded
    from ..template_folders import MAX_SETTINGS_BYTES

    try:
        data = json.loads(read_bounded(Path(root) / SETTINGS, MAX_SETTINGS_BYTES, root=Path(root)))
    except (OSError, ValueError, RecursionError):
        data = None
    fmt = data.get("format") if isinstance(data, dict) else None
    return fmt.strip() if isinstance(fmt, str) and fmt.strip() and len(fmt) <= MAX_FORMAT else None


def configured(root: Path) -> tuple[str, list[str]]:
    """The daily-notes ``format`` (:data:`DEFAULT_FORMAT` when unset, empty, not text or too long) and the
    folder names (see :func:`notes2anki.template_folders.settings_folder`) of the vault at ``root``."""
    from ..template_folders import settings_folder

    return settings_format(root) or DEFAULT_FORMAT, settings_folder(root, SETTINGS, "folder")


def daily_matcher(root: Path) -> Callable[[str], bool]:
    """Whether a note (vault-relative path) is named as a daily note of the vault at ``root``: its name (with
    as many parent folders as the format has "/") matches the configured format in whole; a format of
    names only counts inside the configured folder only."""
    fmt, folders = configured(root)
    pattern, numeric = format_pattern(fmt)
    depth = len(re.sub(r"\[[^\]]*\]", "", fmt).split("/"))

    def matches(path: str) -> bool:
        if not numeric and not any(path.startswith(f"{folder}/") for folder in folders):
            return False
        stem = path[:-3] if path.lower().endswith(".md") else path
        return pattern.fullmatch("/".join(stem.split("/")[-depth:])) is not None

    return matches
