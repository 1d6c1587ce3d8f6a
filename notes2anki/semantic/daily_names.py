"""Which notes are daily notes by their name: the file name format of Obsidian's daily-notes plugin.

The plugin names a day's note by the moment.js ``format`` of ``.obsidian/daily-notes.json`` ("DD-MM-YYYY",
"YYYY-[W]ww", "dddd, MMMM Do YYYY"; unset or empty: "YYYY-MM-DD") and puts it in its ``folder``. A format
may hold "/" ("YYYY/MM/YYYY-MM-DD": a folder per year and month); it is then matched against as many of the
path's last parts. :func:`format_pattern` turns a format into an anchored regex of bounded repetitions;
:func:`daily_matcher` tells by it whether a note (by vault path) is a daily note. The whole name must
match: "Meeting 2026-01-05" and "2026-01-05 Meeting" are not daily notes.

A format of names only ("dddd": "Monday") would take every one-word note for a daily note, so such a
format is matched only inside the configured folder (and not at all without one).

Vaults without ``daily-notes.json`` (or with a format their older notes no longer follow) name days in
other scripts' and countries' ways too: :func:`is_date_name` takes a name that is a date and nothing else
in a common format — ``2025-04-26`` (also ``_``, ``.``, ``/`` or a space between the parts),
``2025年04月26日`` (Chinese, Japanese), ``2025년 4월 26일`` (Korean), ``26.04.2025`` (also ``-``, ``/``) — a
pattern with the month and day checked, not a list of names; :func:`daily_matcher` takes those as daily
notes as well.
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
_MONTH, _DAY = r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12]\d|3[01])"  # M, D: 1–12, 1–31, a leading 0 allowed
_NUMERIC = {  # moment.js tokens -> regex; a month is 1–12 and a day 1–31, as for is_date_name
    "YYYY": r"\d{4}", "gggg": r"\d{4}", "GGGG": r"\d{4}", "YY": r"\d{2}", "MM": r"(?:0[1-9]|1[0-2])",
    "M": _MONTH, "Mo": _MONTH + r"[^\W\d_]{0,4}\.?", "DD": r"(?:0[1-9]|[12]\d|3[01])", "D": _DAY,
    "Do": _DAY + r"[^\W\d_]{0,4}\.?",
    "ww": r"\d{2}", "w": r"\d{1,2}", "wo": r"\d{1,2}[^\W\d_]{0,4}\.?", "WW": r"\d{2}", "W": r"\d{1,2}",
    "Wo": r"\d{1,2}[^\W\d_]{0,4}\.?", "Q": r"[1-4]", "d": r"[0-6]",
}
_NAMES = {"MMMM": _LETTERS, "MMM": _LETTERS + r"\.?", "dddd": _LETTERS, "ddd": _LETTERS + r"\.?",
          "dd": _LETTERS}
_TOKEN = re.compile(r"\[[^\]]*\]|YYYY|gggg|GGGG|YY|MMMM|MMM|MM|Mo|M|Do|DD|D|dddd|ddd|dd|d|ww|wo|w|WW|Wo|W|Q|.",
                    re.S)


def format_pattern(fmt: str) -> tuple[re.Pattern[str], bool]:
    """``(regex, numeric)`` for the moment.js ``fmt``: the regex matches a whole name written in it (to be
    used with ``fullmatch``; a month must be 1–12 and a day 1–31: "1234-56-78" is no YYYY-MM-DD name);
    ``numeric`` whether it holds a number (a year, month, day, week or quarter),
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


_DATES = re.compile(
    r"(?P<y1>\d{4})(?P<s1>[-_./ ])(?P<m1>\d{1,2})(?P=s1)(?P<d1>\d{1,2})"
    r"|(?P<y2>\d{4})\s?年\s?(?P<m2>\d{1,2})\s?月\s?(?P<d2>\d{1,2})\s?日"
    r"|(?P<y3>\d{4})\s?년\s?(?P<m3>\d{1,2})\s?월\s?(?P<d3>\d{1,2})\s?일"
    r"|(?P<d4>\d{1,2})(?P<s4>[-./])(?P<m4>\d{1,2})(?P=s4)(?P<y4>\d{4})")


def is_date_name(name: str) -> bool:
    """Whether a note's name (without ``.md``) is a date in a common format and nothing else (see the
    module docstring): ``2025-04-26``, ``2025年04月26日``, ``26.04.2025``; the month must be 1–12 and the day
    1–31 (``2025-13-01`` and a version ``1.2.2025`` read as day 1, month 2 are told apart only by that)."""
    found = _DATES.fullmatch(name.strip())
    if found is None:
        return False
    groups = {k[0]: int(v) for k, v in found.groupdict().items() if v is not None and k[0] in "ymd"}
    return 1 <= groups["m"] <= 12 and 1 <= groups["d"] <= 31


def daily_matcher(root: Path, dates: bool = True) -> Callable[[str], bool]:
    """Whether a note (vault-relative path) is named as a daily note of the vault at ``root``: its name (with
    as many parent folders as the format has "/") matches the configured format in whole, or the name is
    a date in a common format (:func:`is_date_name`; ``dates=False``: the format alone); a format of names
    only counts inside the configured folder only."""
    fmt, folders = configured(root)
    pattern, numeric = format_pattern(fmt)
    depth = len(re.sub(r"\[[^\]]*\]", "", fmt).split("/"))

    def matches(path: str) -> bool:
        stem = path[:-3] if path.lower().endswith(".md") else path
        if dates and is_date_name(stem.rsplit("/", 1)[-1]):
            return True
        if not numeric and not any(path.startswith(f"{folder}/") for folder in folders):
            return False
        return pattern.fullmatch("/".join(stem.split("/")[-depth:])) is not None

    return matches
