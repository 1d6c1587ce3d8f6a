"""Raw HTML in fields: kept by default (the user's own vault), sanitised for shared decks (issue 11)."""
from __future__ import annotations

import pytest

from notes2anki.config import load_config
from notes2anki.decks.build import build_package
from notes2anki.parsers import load_vault
from notes2anki.parsers.sanitize import sanitize_html

HOSTILE = {
    "script": ('<script>alert("x")</script>', "<script", "alert"),
    "onerror": ('<img src="x.png" onerror="alert(1)">', "onerror", "alert"),
    "iframe": ('<iframe src="https://evil.example/"></iframe>', "<iframe", "evil.example"),
    "javascript": ('<a href="javascript:alert(1)">click</a>', "javascript:", "alert"),
}


def _build(make_vault, tmp_path, back: str, sanitize: bool):
    root = make_vault({"n.md": f"START\nBasic\nQ\nBack: {back}\nEND\n"})
    config = load_config(root)
    if sanitize:
        config = config.with_overrides(sanitize_html=True)
    vault = load_vault(root, config)
    apkg = tmp_path / f"deck-{sanitize}.apkg"
    build_package(vault, config, apkg)
    return apkg


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_html_is_dropped_when_sanitising(case, make_vault, anki_import, tmp_path):
    source, tag, payload = HOSTILE[case]
    (note,) = anki_import(_build(make_vault, tmp_path, f"before {source} after", sanitize=True)).notes()
    assert tag not in note.fields[1] and payload not in note.fields[1]
    assert note.fields[1].startswith("before") and note.fields[1].endswith("after")


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_raw_html_is_kept_by_default(case, make_vault, anki_import, tmp_path):
    source, tag, _ = HOSTILE[case]
    (note,) = anki_import(_build(make_vault, tmp_path, f"before {source} after", sanitize=False)).notes()
    assert tag in note.fields[1]


def test_what_cards_need_survives_sanitising(make_vault, png_bytes, anki_import, tmp_path):
    back = ("**bold** ==mark== $x^2$ [site](https://example.org) [[Other]] ![[pic.png|100]] ![[beep.mp3]]"
            "\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n```python\ndef f(): pass\n```\n\n- [x] done\n")
    root = make_vault({"n.md": f"START\nBasic\nQ\nBack: {back}\nEND\n", "pic.png": png_bytes(1),
                       "beep.mp3": b"ID3", "Other.md": "x"})
    config = load_config(root)
    vault = load_vault(root, config)
    plain = next(iter(vault.cards)).html["Back"]
    config = config.with_overrides(sanitize_html=True)
    build_package(vault, config, tmp_path / "s.apkg")
    (note,) = anki_import(tmp_path / "s.apkg").notes()
    field = note.fields[1]
    for kept in ("<strong>bold</strong>", "<mark>mark</mark>", r"\(x^2\)", 'href="https://example.org"',
                 'href="obsidian://open?vault=vault&amp;file=Other"', '<img src="pic.png" alt="" width="100">',
                 "[sound:beep.mp3]", '<td style="text-align:right">2</td>', '<span class="k">def</span>',
                 '<code class="language-python">', 'type="checkbox"'):
        assert kept in field, kept
    assert field.count("<") == plain.count("<")  # nothing a card needs was removed


def test_sanitizer_never_raises():
    assert sanitize_html("") == ""
    assert sanitize_html("<div><p>unclosed <b>tags") == "<div><p>unclosed <b>tags</b></p></div>"
    assert sanitize_html("<svg onload=alert(1)><x>") == ""


def test_cli_flag_and_config_key(make_vault, cli_build, anki_import):
    root = make_vault({"n.md": "START\nBasic\nQ\nBack: <b>bold</b><script>alert(1)</script>\nEND\n"})
    result, apkg = cli_build(root, "--sanitize-html")
    assert result.exit_code == 0, result.output
    assert anki_import(apkg).notes()[0].fields[1] == "<b>bold</b>"
    (root / ".notes2anki.toml").write_text("[build]\nsanitize_html = true\n")
    result, apkg = cli_build(root)
    assert result.exit_code == 0, result.output
    assert anki_import(apkg).notes()[0].fields[1] == "<b>bold</b>"
