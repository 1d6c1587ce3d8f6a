"""The report (tester 2): "15 warnings" on the page while check said 14 (the language notice counted as a
warning); 39 topics on a 20-colour palette (topics 1 and 21 alike); the map's caption said "embedding" for a
vault placed by character n-grams."""
from __future__ import annotations

from notes2anki.model import Diagnostic
from notes2anki.report import data as report_data
from notes2anki.report.page import colour, render


def test_every_topic_has_its_own_colour():
    colours = [colour(t) for t in range(1, 80)]
    assert len(set(colours)) == len(colours)
    assert colour(0) != colour(1) and colour(1) != colour(21)


def test_a_notice_about_the_run_is_not_counted_as_a_warning(make_vault, monkeypatch):
    root = make_vault({"a.md": "START\nBasic\nFront\nBack: back\nEND\n"})

    def fake_semantic(data, vault, config, fields, model, cache_path, diags, progress=None):
        diags.append(Diagnostic("", 0, "warning", "3 of the 3 cards checked are in a language the model does not read"))
        diags.append(Diagnostic("a.md", 1, "warning", "a problem in a note"))

    monkeypatch.setattr(report_data, "_semantic", fake_semantic)
    diags: list = []
    data = report_data.assemble(root, diagnostics=diags)
    messages = [p.message for g in data.problems for p in g.problems]
    assert "a problem in a note" in messages
    assert not any("language" in m for m in messages)
    assert "3 of the 3 cards checked are in a language the model does not read" in data.notices
    assert not any(d.message.startswith("3 of the 3") for d in diags)  # printed once, as a notice
    page = render(data)
    warnings = sum(len(g.problems) for g in data.problems if g.severity == "warning")
    assert f"<b>{warnings}</b>warnings" in page and "not counted" in page


def test_a_report_on_a_folder_inside_a_vault_warns_at_the_top_of_the_page(make_vault, tmp_path):
    """Tester 2 r2: the terminal warned first about a folder inside a vault; the page never mentioned it."""
    import html

    from click.testing import CliRunner

    from notes2anki.cli.report import report_command

    root = make_vault({".obsidian/app.json": "{}\n", "Sub/a.md": "START\nBasic\nFront\nBack: back\nEND\n"})
    output = tmp_path / "out.html"
    result = CliRunner().invoke(report_command, [str(root / "Sub"), "-o", str(output), "--no-semantic"],
                                env={"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "is a folder inside the Obsidian vault" in said
    page = output.read_text(encoding="utf-8")
    top = page.split("<header>", 1)[0]
    assert '<p class="notice place">vault: warning: ' in top
    shown = html.unescape(top.split('<p class="notice place">', 1)[1].split("</p>", 1)[0])
    assert " ".join(shown.split()) in said  # the same text as the terminal's
    assert page.count("is a folder inside the Obsidian vault") == 1
    plain = tmp_path / "plain.html"  # not inside a vault: no such warning
    CliRunner().invoke(report_command, [str(root / "Sub" / ".."), "-o", str(plain), "--no-semantic"],
                       env={"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache")})
    assert "notice place" not in plain.read_text(encoding="utf-8")


def test_the_command_says_a_notice_as_every_command_says_a_vault_warning(make_vault, monkeypatch, tmp_path):
    """Tester 12-03: `report` printed its notices bare ("the embedding model does not read 49 of 52 notes …"),
    where `build` and `dupes` say the same kind of message as `vault: warning: …`."""
    from click.testing import CliRunner

    from notes2anki.cli import main as cli_main

    root = make_vault({"a.md": "START\nBasic\nFront\nBack: back\nEND\n"})

    def fake_semantic(data, vault, config, fields, model, cache_path, diags, progress=None):
        diags.append(Diagnostic("", 0, "warning", "3 of the 3 cards checked are in a language the model does not read"))

    monkeypatch.setattr(report_data, "_semantic", fake_semantic)
    result = CliRunner().invoke(cli_main, ["report", str(root), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "vault: warning: 3 of the 3 cards checked are in a language" in " ".join(result.output.split())


def test_messages_about_the_configured_output_name_its_setting(make_vault, tmp_path):
    """Tester 12-03: `[report] output = "sub/r.html"` gave "/…/v/sub/r.html is inside the vault …" and
    `"../out/r.html"` (a folder not there) "cannot write /…/v/../out/r.html: …", neither naming the setting."""
    from click.testing import CliRunner

    from notes2anki.cli.report import report_command

    root = make_vault({"a.md": "START\nBasic\nQ?\nBack: a\nEND\n",
                       ".notes2anki.toml": 'default_deck = "D"\n\n[report]\noutput = "sub/r.html"\n'})
    inside = CliRunner().invoke(report_command, [str(root), "--no-semantic"], env={"COLUMNS": "400"})
    assert inside.exit_code == 2
    assert f"[report] output (.notes2anki.toml:4): {root / 'sub' / 'r.html'} is inside the vault" in inside.output
    (root / ".notes2anki.toml").write_text('[report]\noutput = "../out/r.html"\n', encoding="utf-8")
    missing = CliRunner().invoke(report_command, [str(root), "--no-semantic"], env={"COLUMNS": "400"})
    assert missing.exit_code == 2
    assert f"[report] output (.notes2anki.toml:2): cannot write {tmp_path / 'out' / 'r.html'}:" in missing.output
