"""`related` on real vaults (tester 2): templates in a folder `check` calls "named like a template folder"
and daily notes named `2025年04月26日` were suggested (vaults without templates.json / daily-notes.json);
the Score column was out of order after the hub correction while the header said "ranked by score"; "None of
them … 5 more not linked" counted the shown notes again; a note outside the Scan Directory was "no note …
did you mean"; the n-gram notice counted the notes with text against all notes without saying so."""
from __future__ import annotations

import json

from click.testing import CliRunner

from notes2anki.cli.related import _show_all, _show_one, chargram_notice, related_command
from notes2anki.config import load_config
from notes2anki.parsers import load_vault
from notes2anki.semantic.daily_names import is_date_name
from notes2anki.semantic.related import Suggestion
from notes2anki.semantic.related_exclusion import excluded_notes, left_out_summary

BIO = {
    "Mitochondria.md": "Mitochondria make ATP by oxidative phosphorylation in the inner membrane.\n",
    "Cell respiration.md": "Glycolysis, the Krebs cycle and oxidative phosphorylation in mitochondria make ATP.\n",
    "06-Templates/template-monthly.md": "# {{date}}\nMitochondria ATP Krebs cycle review of the month.\n",
    "06-Templates/Card.md": "START\nBasic\nWhat is {{title}}?\nBack: ATP\nEND\n",
    "05-Journal/Daily/2025年04月26日.md": "Reviewed mitochondria and ATP. [[template-monthly]]\n",
    "26.04.2025.md": "Studied the Krebs cycle and ATP.\n",
}


def _run(root, tmp_path, *args, columns="200"):
    env = {"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": columns}
    result = CliRunner().invoke(related_command, [str(root), *args], env=env)
    return result


def test_dates_in_other_formats_are_daily_note_names():
    for name in ("2025年04月26日", "2025年4月6日", "2025년 4월 26일", "2025-04-26", "2025_04_26", "2025.04.26",
                 "26.04.2025", "6-4-2025"):
        assert is_date_name(name), name
    for name in ("2025-13-01", "32.01.2025", "2025-04-26 Meeting", "Version 1.2.2025x", "2025", "12.2025"):
        assert not is_date_name(name), name


def test_a_folder_named_like_templates_is_left_out_as_check_names_it(make_vault):
    root = make_vault(BIO)
    config = load_config(root)
    vault = load_vault(root, config)
    why = excluded_notes(vault, config=config)
    assert set(why) == {"06-Templates/template-monthly.md", "06-Templates/Card.md",
                        "05-Journal/Daily/2025年04月26日.md", "26.04.2025.md"}
    assert why["06-Templates/Card.md"].startswith("it is in 06-Templates, named like a template folder (as check says")
    assert why["26.04.2025.md"] == ("its name is a date, as a daily note's (add \"!/26.04.2025.md\" to [related] "
                                    "exclude to include it)")
    assert left_out_summary(why) == ("4 notes left out (never suggested, no suggestions): 2 in template folders "
                                     "(06-Templates), 2 named as daily notes")
    # check's rule again: once .notes2anki.toml sets template_folders, that list is the whole answer
    (root / ".notes2anki.toml").write_text("template_folders = []\n", encoding="utf-8")
    config = load_config(root)
    assert "06-Templates/Card.md" not in excluded_notes(load_vault(root, config), config=config)


def test_related_all_says_what_it_left_out(make_vault, tmp_path):
    root = make_vault(BIO)
    result = _run(root, tmp_path, "--all", "--min-score", "-1")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "Templates" not in said.split("left out")[0] and "2025年" not in said.split("left out")[0]
    assert "4 notes left out (never suggested, no suggestions): 2 in template folders (06-Templates), 2 named as " \
           "daily notes." in said


def test_a_note_outside_the_scan_directory_is_said_to_be_so(make_vault, tmp_path):
    root = make_vault({"Cards/Verbos.md": "Los verbos.\n", "wiki/grammar/Adverbios.md": "Los adverbios.\n",
                       ".notes2anki.toml": 'scan_directory = "Cards"\n'})
    result = _run(root, tmp_path, "wiki/grammar/Adverbios")
    assert result.exit_code == 2
    assert ('wiki/grammar/Adverbios.md exists but is outside Cards, the only folder read (scan_directory of '
            '.notes2anki.toml); to include it, set scan_directory = "" (the whole vault) in .notes2anki.toml') \
        in " ".join(result.output.split())
    assert "did you mean" in _run(root, tmp_path, "Adverbio").output  # no such file: as before


def _found(*pairs):
    return [Suggestion(f"N{i}.md", cos, False, rank=rank) for i, (cos, rank) in enumerate(pairs)]


def test_the_table_shows_what_it_ranks_by_and_counts_the_weak_ones_once(capsys, monkeypatch):
    import notes2anki.cli.related as cli

    from rich.console import Console

    monkeypatch.setattr(cli, "out", Console(width=200, force_terminal=False))
    found = _found((0.45, 0.40), (0.48, 0.38), (0.41, 0.30))
    _show_one("Q.md", found, False, {}, 0.25, link_floor=0.5)
    said = " ".join(capsys.readouterr().out.split())
    assert "Ranked by" in said and "0.40" in said and "0.38" in said
    assert "Score: the cosine (--min-score and the link floor apply to it); ranked by the cosine less half" in said
    assert "None of the 3 unlinked notes scores 0.50 or more: no link to suggest" in said
    assert "more not linked" not in said
    _show_one("Q.md", _found((0.6, 0.5), (0.5, 0.4)), False, {}, 0.25, link_floor=0.5)
    assert "Ranked by" not in capsys.readouterr().out  # in order: one column
    _show_all([("Q.md", found)], {})
    assert "each note's suggestions ranked by it less a hub correction" in " ".join(capsys.readouterr().out.split())
    assert found[1].as_json() == {"note": "N1.md", "score": 0.48, "linked": False, "rank_score": 0.38}


def test_the_chargram_notice_says_which_notes_were_measured():
    from types import SimpleNamespace

    from notes2anki.semantic.related_chargrams import Readership

    index = SimpleNamespace(method="chargrams", readership=Readership(283, 284), paths=["x"] * 285)
    assert chargram_notice(index).startswith(
        "the embedding model does not read 283 of the 284 notes with text (285 in all) (their language)")
    index.paths = ["x"] * 284
    assert chargram_notice(index).startswith("the embedding model does not read 283 of 284 notes (their")


def test_the_default_format_checks_the_month_and_day_and_a_negated_pattern_takes_a_dated_note_back(make_vault):
    """Tester 2 r2: `1234-56-78.md` and `2025-13-01.md` were left out as daily notes (YYYY-MM-DD took any
    digits); `exclude = ["!1789-07-14.md"]` did not take back a real note named as a date."""
    from notes2anki.semantic.daily_names import format_pattern

    pattern, _ = format_pattern("YYYY-MM-DD")
    assert [bool(pattern.fullmatch(n)) for n in ("1234-56-78", "2025-13-01", "2025-01-32", "2025-12-31")] == [
        False, False, False, True]
    files = {"1234-56-78.md": "Digits.\n", "2025-13-01.md": "Thirteenth month.\n", "1789-07-14.md": "Bastille.\n",
             "2026-05-12.md": "Studied ATP.\n", "Mitochondria.md": "ATP.\n"}
    root = make_vault(files)
    found = excluded_notes(load_vault(root))
    assert set(found) == {"1789-07-14.md", "2026-05-12.md"}
    assert found["1789-07-14.md"].endswith('; add "!/1789-07-14.md" to [related] exclude to include it)')
    assert set(excluded_notes(load_vault(root), ["!1789-07-14.md"])) == {"2026-05-12.md"}
    assert set(excluded_notes(load_vault(root), ["!/1789-07-14.md"])) == {"2026-05-12.md"}
    # a later pattern of one's own leaves it out again
    assert "1789-07-14.md" in excluded_notes(load_vault(root), ["!1789-07-14.md", "17*.md"])


def test_a_bare_name_outside_the_scan_directory_is_said_to_be_so_as_a_path_is(make_vault, tmp_path):
    """Tester 2 r2: `related VAULT Adverbios` (a name, no path) said "no note … in the vault"."""
    root = make_vault({"Cards/Verbos.md": "Los verbos.\n", "wiki/grammar/Adverbios.md": "Los adverbios.\n",
                       ".notes2anki.toml": 'scan_directory = "Cards"\n'})
    for name in ("Adverbios", "Adverbios.md", "[[Adverbios]]"):
        result = _run(root, tmp_path, name)
        assert result.exit_code == 2
        assert ('wiki/grammar/Adverbios.md exists but is outside Cards, the only folder read (scan_directory of '
                '.notes2anki.toml); to include it, set scan_directory = "" (the whole vault) in .notes2anki.toml') \
            in " ".join(result.output.split()), name


def test_a_bare_name_typed_in_the_other_normal_form_is_found_outside_the_scan_directory(make_vault, tmp_path):
    """Tester 12-03 (Spanisch): `related V Prüfungsvorbereitung` typed in NFD said "no note … in the vault";
    typed in NFC, that it "exists but is outside Karteikarten"."""
    import unicodedata

    root = make_vault({"Cards/Verbos.md": "Los verbos.\n", "raw/Prüfungsvorbereitung.md": "Prüfung.\n",
                       ".notes2anki.toml": 'scan_directory = "Cards"\n'})
    for form in ("NFC", "NFD"):
        result = _run(root, tmp_path, unicodedata.normalize(form, "Prüfungsvorbereitung"))
        assert result.exit_code == 2
        assert "exists but is outside Cards" in " ".join(result.output.split()), (form, result.output)


def test_a_note_that_is_a_link_out_of_the_vault_or_a_broken_link_is_said_to_be_so(make_vault, tmp_path):
    """Tester 12-03: `related VAULT abs.md` (a link to a file outside) said "exists but is not read … ignore
    patterns", `sub/secret.md` suggested an unrelated note, and a broken link gave no hint."""
    import os

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("SECRET text.\n", "utf-8")
    root = make_vault({"Cells.md": "Mitochondria make ATP.\n", "sub/Energy.md": "ATP is energy.\n"})
    os.symlink(outside / "secret.md", root / "abs.md")
    os.symlink("../../outside/secret.md", root / "sub" / "secret.md")
    os.symlink("nowhere.md", root / "broken.md")
    for name, rel in (("abs.md", "abs.md"), ("abs", "abs.md"), ("sub/secret.md", "sub/secret.md"),
                      ("sub/secret", "sub/secret.md")):
        result = _run(root, tmp_path, name)
        said = " ".join(result.output.split())
        assert result.exit_code == 2, result.output
        assert f"{rel} is a symbolic link to {os.path.realpath(outside / 'secret.md')}, outside the vault" in said
        assert "SECRET" not in result.stdout and "did you mean" not in said
    result = _run(root, tmp_path, "broken")
    assert result.exit_code == 2
    assert "broken.md is a symbolic link to a file that does not exist (a broken link)" in " ".join(result.output.split())
    # and reading the vault names the broken link as such
    loaded = load_vault(root)
    assert [d.message for d in loaded.diagnostics if d.file == "broken.md"] == [
        "is a symbolic link to 'nowhere.md', which does not exist (a broken link); file skipped"]
