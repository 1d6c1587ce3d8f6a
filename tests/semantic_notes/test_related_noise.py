"""`related NOTE` (tester): the pasteable [[links]] were wrapped at the terminal width, cutting links in
two; a template or daily note got five low-score "related" notes of noise. Now: the link line is never
wrapped; NOTE and --card get a minimum score (0.25: measured, see NOTE_MIN_SCORE) and the template /
daily-note exclusion --all has, and say so when nothing is left."""
from __future__ import annotations

import json
import re

from click.testing import CliRunner

from notes2anki.cli.related import related_command

NOTES = {
    "Mitochondria and the electron transport chain.md": "Mitochondria make ATP by oxidative phosphorylation "
                                                         "along the electron transport chain.\n",
    "Cellular respiration overview for the exam.md": "Glycolysis, the Krebs cycle and the electron transport "
                                                     "chain make ATP in the mitochondria.\n",
    "ATP synthase and the proton gradient explained.md": "ATP synthase makes ATP from the proton gradient "
                                                         "across the inner mitochondrial membrane.\n",
    "Baroque music.md": "Bach and Handel wrote fugues, concertos and suites for harpsichord and organ.\n",
    "Journal/Monday review.md": "Reviewed mitochondria, ATP and the Krebs cycle; then Bach fugues.\n",
    "2024-05-01.md": "Studied ATP synthase and mitochondria today.\n",
    "Scaffold/New biology note.md": "Mitochondria ATP Krebs cycle template.\n",
    ".obsidian/daily-notes.json": '{"folder": "Journal"}',
    ".obsidian/templates.json": '{"folder": "Scaffold"}',
}


def _run(root, tmp_path, *args, columns="40"):
    env = {"NOTES2ANKI_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": columns}
    result = CliRunner().invoke(related_command, [str(root), *args], env=env)
    assert result.exit_code == 0, result.output
    return result


def test_the_links_to_paste_are_never_wrapped(make_vault, tmp_path):
    root = make_vault(NOTES)
    result = _run(root, tmp_path, "Mitochondria and the electron transport chain", "--min-score", "-1")
    line = next(ln for ln in result.stdout.splitlines() if "not linked yet:" in ln)
    links = re.findall(r"\[\[[^\]]*\]\]", line)
    assert "[[Cellular respiration overview for the exam]]" in links
    assert "[[ATP synthase and the proton gradient explained]]" in links
    assert len(line) > 40 and line.count("[[") == line.count("]]") == len(links)  # whole, on one line


def test_a_note_gets_no_suggestion_below_the_minimum_score_and_says_so(make_vault, tmp_path):
    root = make_vault(NOTES)
    result = _run(root, tmp_path, "Baroque music", columns="200")
    assert "No related notes above 0.25 for Baroque music.md (--min-score to see lower ones)." in result.stdout
    assert json.loads(_run(root, tmp_path, "Baroque music", "--json").stdout)["related"] == []
    loose = json.loads(_run(root, tmp_path, "Baroque music", "--json", "--min-score", "-1").stdout)["related"]
    assert loose and all(s["score"] < 0.25 for s in loose)
    related = json.loads(_run(root, tmp_path, "ATP synthase and the proton gradient explained", "--json").stdout)
    assert related["related"] and all(s["score"] >= 0.25 for s in related["related"])
    (root / ".notes2anki.toml").write_text("[related]\nmin_score = 0.99\n", encoding="utf-8")
    strict = _run(root, tmp_path, "ATP synthase and the proton gradient explained", columns="200")
    assert "No related notes above 0.99 for" in strict.stdout


def test_a_template_or_daily_note_gets_no_suggestions_as_in_all(make_vault, tmp_path):
    root = make_vault(NOTES)
    for name, path, why in (
            ("Monday review", "Journal/Monday review.md",
             "it is in the daily-notes folder Journal (named in .obsidian/daily-notes.json)"),
            ("2024-05-01", "2024-05-01.md", "it is named as a daily note (YYYY-MM-DD: the daily-notes plugin's "
                                            "default format; add \"!/2024-05-01.md\" to [related] exclude to include it)"),
            ("Scaffold/New biology note", "Scaffold/New biology note.md",
             "it is in the template folder Scaffold (named in .obsidian/templates.json)")):
        shown = _run(root, tmp_path, name, "--min-score", "-1", columns="200")
        assert f"{path} is left out of related notes: {why}; nothing to suggest." in " ".join(shown.stdout.split())
        assert json.loads(_run(root, tmp_path, name, "--json").stdout)["related"] == []
    # and never suggested to another note
    found = json.loads(_run(root, tmp_path, "Mitochondria and the electron transport chain", "--json",
                            "--min-score", "-1").stdout)["related"]
    assert found and not {s["note"] for s in found} & {"Journal/Monday review.md", "2024-05-01.md",
                                                        "Scaffold/New biology note.md"}


def test_only_suggestions_worth_linking_are_offered_as_links_to_paste(make_vault, tmp_path):
    """Tester B r5: "4 of 5 not linked yet: … [[Chords and harmony]]" offered a music note (0.44) as a missing
    link of an anatomy note. The table still shows the weaker ones; the links to paste are those at related
    --all's floor (0.5) or above, unless --min-score / [related] min_score says otherwise."""
    from notes2anki.semantic.related import ALL_MIN_SCORE

    root = make_vault({
        "Mitochondria.md": "Mitochondria make ATP by oxidative phosphorylation in the inner membrane.\n",
        "Cell respiration.md": "Glycolysis, the Krebs cycle and oxidative phosphorylation in mitochondria make ATP.\n",
        "Photosynthesis.md": "Chloroplasts capture light; photosynthesis makes glucose and ATP in the thylakoid membrane.\n",
        "Baroque music.md": "Bach and Handel wrote fugues and concertos for harpsichord and organ.\n"})
    note = "Cell respiration"
    found = json.loads(_run(root, tmp_path, note, "--json", "--min-score", "-1").stdout)["related"]
    weak = [s for s in found if not s["linked"] and 0.25 <= s["score"] < ALL_MIN_SCORE]
    strong = [s for s in found if not s["linked"] and s["score"] >= ALL_MIN_SCORE]
    assert weak and strong  # the vault holds both kinds for this note
    said = " ".join(_run(root, tmp_path, note, columns="400").stdout.split())
    line = said[said.index("not linked yet"):]
    offered = re.findall(r"\[\[([^\]]*)\]\]", line.split(";")[0])
    assert len(offered) == len(strong)
    assert f"{len(weak)} more not linked, below 0.50" in line
    chosen = " ".join(_run(root, tmp_path, note, "--min-score", "0.25", columns="400").stdout.split())
    assert "below" not in chosen[chosen.index("not linked yet"):]  # the user's floor is the floor
