"""Daily notes by the daily-notes plugin's file name format (tester r6: with "format": "DD-MM-YYYY",
12-05-2026.md was suggested by `related` and got suggestions; only YYYY-MM-DD… names were left out, and
"2026-01-05 Meeting" was taken for a daily note)."""
from __future__ import annotations

from pathlib import Path

import pytest

from notes2anki.semantic.daily_names import daily_matcher, format_pattern


@pytest.mark.parametrize("fmt, names, not_names", [
    ("YYYY-MM-DD", ["2026-01-05"], ["Meeting 2026-01-05", "2026-01-05 Meeting", "2026-1-5", "20260105"]),
    ("DD-MM-YYYY", ["12-05-2026", "01-12-1999"], ["2026-05-12", "12-05-26", "12-05-2026 notes"]),
    ("YYYY-[W]ww", ["2026-W05"], ["2026-05", "2026-W5", "2026-Week05"]),
    ("gggg-[W]w", ["2026-W5", "2026-W52"], ["2026-w05x"]),
    ("dddd, MMMM Do YYYY", ["Tuesday, May 12th 2026", "Dienstag, Mai 12. 2026", "mardi, mai 12 2026"],
     ["Tuesday May 12th 2026", "Tuesday, May 12th", "TCP"]),
    ("ddd D MMM YY", ["Tue 5 May 26", "Tue. 15 Sept. 26"], ["Tue 5 May 2026", "5 May 26"]),
    ("YYYY [Q]Q", ["2026 Q2"], ["2026 Q5", "2026 QQ"]),
    ("[Journal] YYYY.MM.DD", ["Journal 2026.05.12"], ["Journal 2026-05-12", "J 2026.05.12"]),
])
def test_a_moment_format_matches_whole_names_written_in_it(fmt, names, not_names):
    pattern, numeric = format_pattern(fmt)
    assert numeric
    assert all(pattern.fullmatch(n) for n in names), [n for n in names if not pattern.fullmatch(n)]
    assert not any(pattern.fullmatch(n) for n in not_names), [n for n in not_names if pattern.fullmatch(n)]


def _vault(root: Path, settings: str | None) -> Path:
    if settings is not None:
        (root / ".obsidian").mkdir(parents=True)
        (root / ".obsidian" / "daily-notes.json").write_text(settings, encoding="utf-8")
    return root


def test_the_configured_format_replaces_the_default(tmp_path):
    root = _vault(tmp_path, '{"format": "DD-MM-YYYY"}')
    daily = daily_matcher(root, dates=False)
    assert daily("12-05-2026.md") and daily("Log/13-05-2026.md")
    assert not daily("2026-05-14.md") and not daily("TCP.md")
    # a date in another common format is still a day's note (tester 2: 2025年04月26日 without settings)
    assert daily_matcher(root)("2026-05-14.md") and not daily_matcher(root)("TCP.md")


@pytest.mark.parametrize("settings", [None, "{}", '{"format": ""}', '{"format": 5}', "not json",
                                      '{"format": "' + "Y" * 300 + '"}'])
def test_no_usable_format_is_the_default_yyyy_mm_dd_in_whole(tmp_path, settings):
    daily = daily_matcher(_vault(tmp_path, settings))
    assert daily("2026-01-05.md") and daily("Daily/2026-01-05.md")
    assert not daily("Meeting 2026-01-05.md") and not daily("2026-01-05 Meeting.md") and not daily("Notes.md")


def test_a_format_with_folders_matches_that_many_parts_of_the_path(tmp_path):
    daily = daily_matcher(_vault(tmp_path, '{"format": "YYYY/MM/YYYY-MM-DD", "folder": "Journal"}'), dates=False)
    assert daily("Journal/2026/05/2026-05-12.md") and daily("2026/05/2026-05-12.md")
    assert not daily("Journal/2026-05-12.md") and not daily("Journal/x/2026-05-12.md")


def test_a_format_of_names_only_counts_inside_the_daily_folder_only(tmp_path):
    daily = daily_matcher(_vault(tmp_path, '{"format": "dddd", "folder": "Journal"}'))
    assert daily("Journal/Monday.md") and not daily("Mitochondria.md") and not daily("Monday.md")
    assert not daily_matcher(_vault(tmp_path / "w", '{"format": "dddd"}'))("Mitochondria.md")


def test_related_leaves_out_the_daily_notes_of_the_configured_format(tmp_path):
    from notes2anki.parsers import load_vault
    from notes2anki.semantic.related import excluded_notes

    root = _vault(tmp_path, '{"format": "DD-MM-YYYY"}')
    for name in ("12-05-2026", "13-05-2026", "2026-05-14", "TCP"):
        (root / f"{name}.md").write_text(f"TCP handshake SYN ACK segments, notes of {name}.\n", encoding="utf-8")
    assert set(excluded_notes(load_vault(root))) == {"12-05-2026.md", "13-05-2026.md", "2026-05-14.md"}
