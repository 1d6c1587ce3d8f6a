"""`notes2anki dupes` as a user meets it (tester 12-03): exit codes beside vault errors, where the
`[dupes] ignore` warnings point, a `device` that is not there, and readable `--explain` reasons."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from notes2anki.cli import main

def basic_cards(*cards: tuple[str, str]) -> str:
    """Block cards (START / Basic / front / Back: … / END), a blank line between them."""
    return "\n".join(f"START\nBasic\n{front}\nBack: {back}\nEND\n" for front, back in cards)


NET = "TARGET DECK: Networking\n\n" + basic_cards(
    ("What port does HTTPS use by default?", "443"),
    ("How many round trips does a full TLS 1.3 handshake need?", "One (1-RTT)"),
    ("How many round trips does a full TLS 1.2 handshake need?", "Two (2-RTT)"))
HTTPS = "# HTTPS\n\n" + basic_cards(("Default TCP port for **HTTPS**", "Port 443"))

BROKEN = "# Broken\n\nSTART\nBasik\nA card with a mistyped note type\nBack: x\nEND\n"
OTHER = "STARTI [Basic] What is mean pooling? Back: Averaging token vectors ENDI\n"


def dupes(*args, **env):
    return CliRunner().invoke(main, ["dupes", *[str(a) for a in args]], env=env or None)


def test_vault_errors_are_shown_but_do_not_make_dupes_fail(make_vault):
    """A bad card block elsewhere in the vault is listed with its file:line, the check runs on the other
    cards, and the exit code is the check's own: 0 without --fail, 1 with --fail only for duplicates."""
    root = make_vault({"net.md": NET, "web/https.md": HTTPS, "broken.md": BROKEN})
    result = dupes(root)
    assert result.exit_code == 0, result.output
    assert "broken.md:4: error: unknown note type 'Basik'" in result.stderr
    assert "net.md:3" in result.stdout and "web/https.md:3" in result.stdout
    as_json = dupes(root, "--json")
    assert as_json.exit_code == 0 and len(json.loads(as_json.stdout)["pairs"]) == 1
    assert dupes(root, "--fail").exit_code == 1  # duplicates found

    alone = make_vault({"a.md": OTHER, "broken.md": BROKEN}, name="no-dupes")
    result = dupes(alone, "--fail")
    assert result.exit_code == 0, result.output  # no duplicate: the vault error alone does not fail it
    assert "broken.md:4: error" in result.stderr and "No duplicates among 1 card" in result.stdout
    # `check` still exits 1 for the same vault
    assert CliRunner().invoke(main, ["check", str(alone)]).exit_code == 1


def test_model_that_cannot_be_loaded_exits_2(make_vault):
    root = make_vault({"net.md": NET, "broken.md": BROKEN})
    result = dupes(root, "--model", "./no/such/model")
    assert result.exit_code == 2 and "model directory not found" in result.stderr


def test_related_too_exits_0_when_it_ran_beside_a_vault_error(make_vault):
    """`related` (and `topics`) answer about the notes that could be read, as `dupes` does."""
    root = make_vault({"net.md": NET, "web/https.md": HTTPS, "broken.md": BROKEN})
    result = CliRunner().invoke(main, ["related", str(root), "net"])
    assert result.exit_code == 0, result.output
    assert "broken.md:4: error: unknown note type 'Basik'" in result.stderr


IGNORE = """# pairs kept on purpose
[dupes]
threshold = 0.62
ignore = [
  ["net.md:3", "web/https.md:3"],       # found
  ["net.md:9",
   "gone.md:4"],                         # gone.md has no card
  [1768062256217, "net.md:15"],          # no card has this ID
]
"""


def test_ignore_references_to_no_card_are_reported_at_their_line_of_the_config(make_vault):
    root = make_vault({"net.md": NET, "web/https.md": HTTPS, ".notes2anki.toml": IGNORE})
    for command in (["dupes", str(root)], ["build", str(root), "-o", str(root.parent / "d.apkg")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, result.output
        warnings = [line for line in result.stderr.splitlines() if "matches no card" in line]
        assert warnings == [
            '.notes2anki.toml:7: warning: dupes.ignore, entry 2, reference 2: "gone.md:4" matches no card; '
            "pairs with it are not ignored",
            ".notes2anki.toml:8: warning: dupes.ignore, entry 3, reference 1: card ID 1768062256217 matches no "
            "card; pairs with it are not ignored"], result.stderr
        assert "vault: warning: [dupes]" not in result.stderr and ".notes2anki.toml:0" not in result.stderr
    data = json.loads(CliRunner().invoke(main, ["dupes", str(root), "--json"]).stdout)
    assert data["pairs"] == []  # the first entry still keeps its pair


no_gpu = pytest.mark.skipif(Path("/proc/driver/nvidia/version").exists(), reason="this machine has an NVIDIA GPU")
DEVICE_WARNING = "but no CUDA GPU is available; running on the CPU"


@no_gpu
def test_a_cuda_device_that_is_not_there_is_said_once_and_the_cpu_runs(make_vault):
    """[semantic] device = "cuda" on a machine without a GPU: before, not read at all (NOTES2ANKI_DEVICE=cuda:
    a PyTorch error about a model folder); now one warning naming where it was asked for, and the run goes
    on on the CPU."""
    root = make_vault({"net.md": NET, "web/https.md": HTTPS,
                       ".notes2anki.toml": '# settings\n[semantic]\ndevice = "cuda"\n'})
    result = dupes(root)
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if DEVICE_WARNING in line]
    assert said == [f"vault: warning: device cuda asked for in .notes2anki.toml:3 {DEVICE_WARNING}"], result.stderr
    assert "net.md:3" in result.stdout and "web/https.md:3" in result.stdout
    (root / "net.md").write_text(NET + "\nSTARTI [Basic] What is mean pooling? Back: Averaging ENDI\n", "utf-8")
    result = CliRunner().invoke(main, ["related", str(root), "net"], env={"NOTES2ANKI_DEVICE": "cuda:1"})
    assert result.exit_code == 0, result.output
    assert f"device cuda:1 asked for in NOTES2ANKI_DEVICE {DEVICE_WARNING}" in result.stderr  # the variable wins


@no_gpu
def test_the_device_check_needs_no_pytorch_on_a_machine_without_the_nvidia_driver(monkeypatch):
    from notes2anki.semantic import device
    from notes2anki.semantic.encoder import Embedder

    def no(*_):
        raise AssertionError("PyTorch or ONNX Runtime asked about CUDA though no NVIDIA driver is there")

    monkeypatch.setattr(device, "torch_cuda", no)
    monkeypatch.setattr(device, "onnx_cuda", no)
    with Embedder(cache_path=":memory:", device="cuda", device_origin=".notes2anki.toml:7") as embedder:
        vectors = embedder.embed(["What port does HTTPS use?", "Default TCP port for HTTPS"])
        assert vectors.shape[0] == 2 and embedder.plan.device == "cpu" and embedder.plan.backend == "onnx"
        embedder.embed(["Another text"])
        assert embedder.warnings == [f"device cuda asked for in .notes2anki.toml:7 {DEVICE_WARNING}"]  # once
    with Embedder(cache_path=":memory:", device="mps") as embedder:
        embedder.embed(["x"])
        assert embedder.plan.device == "cpu" and "running on the CPU" in embedder.warnings[0]


FEATURE_NAMES = ("q_cos", "a_cos", "card_cos", "char_q", "ctx_diff", "qa_delta", "q_swap", "same_note", "margin_",
                 "num_a_conflict", "pair_cues", "q_unmatched", "aligned_cos", "cross_cos")


SIBLINGS = """START
Basic
What is a price ceiling?
Back: A legal maximum price.
END

START
Basic
What is a price floor?
Back: A legal minimum price.
END

START
Basic
What does systolic blood pressure measure?
Back: The pressure while the heart contracts.
END

START
Basic
What does diastolic blood pressure measure?
Back: The pressure while the heart relaxes between beats.
END
"""


def test_explain_says_why_in_plain_words_and_limit_governs_its_list(make_vault):
    root = make_vault({"net.md": NET, "web/https.md": HTTPS, "siblings.md": SIBLINGS})
    result = dupes(root, "--explain")
    assert result.exit_code == 0, result.output
    table = result.stdout.split("Close pairs not reported")[1]
    flat = " ".join(table.split())
    assert not any(name in table for name in FEATURE_NAMES), table
    assert "below threshold 0.62; against:" in flat and "1.2" in flat and "1.3" in flat

    data = json.loads(dupes(root, "--explain", "--json").stdout)
    everything = data["rejected"]
    assert data["rejected_total"] == len(everything) >= 3
    assert not any(name in r["reason"] for r in everything for name in FEATURE_NAMES)
    reasons = {frozenset((r["a"]["front"], r["b"]["front"])): r["reason"] for r in everything}
    tls = reasons[frozenset(("How many round trips does a full TLS 1.3 handshake need?",
                             "How many round trips does a full TLS 1.2 handshake need?"))]
    assert "a term differs: 1.3 / 1.2" in tls and "numbers differ" in tls, tls
    price = frozenset(("What is a price ceiling?", "What is a price floor?"))
    assert "a term differs: ceiling / floor" in reasons[price]

    one = dupes(root, "--explain", "--limit", "1")
    rows = one.stdout.split("Close pairs not reported")[1]
    more = len(everything) - 1
    said = " ".join(one.stdout.split())
    assert f"... and {more} more close pair{'s' if more > 1 else ''} not reported" in said
    assert f"notes2anki dupes {root} --explain --limit 0` shows all" in said
    assert sum(f"{r['score']:.2f}" in rows for r in everything[:1]) == 1
    limited = json.loads(dupes(root, "--explain", "--json", "--limit", "1").stdout)
    assert len(limited["rejected"]) == 1 and limited["rejected_total"] == len(everything)
    assert limited["rejected"][0] == everything[0]
    assert len(json.loads(dupes(root, "--explain", "--json", "--limit", "0").stdout)["rejected"]) == len(everything)
    assert "more close pair" not in dupes(root, "--explain", "--limit", "0").stdout


def test_json_commands_say_on_stdout_that_they_stopped(make_vault, tmp_path, monkeypatch):
    """Tester 12-02: with --json, `related V NoSuchNote`, `topics`/`dupes` on a vault with no note printed
    nothing on stdout when they exited 2, and `check` on a vault with no note printed "stopped": false."""
    import json

    from click.testing import CliRunner

    from notes2anki.cli import main

    monkeypatch.setenv("NOTES2ANKI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NOTES2ANKI_STATE_DIR", str(tmp_path / "state"))
    vault = make_vault({"a.md": "START\nBasic\nWhat is ATP?\nBack: energy\nEND\n"})
    empty = tmp_path / "empty"
    empty.mkdir()
    runner = CliRunner()
    cases = [["related", str(vault), "NoSuchNote", "--json"], ["dupes", str(empty), "--json"],
             ["topics", str(empty), "--json"], ["related", str(empty), "x", "--json"]]
    for args in cases:
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        data = json.loads(result.stdout)
        assert data["stopped"] is True and data["errors"], args
        assert "dry_run" not in data
    result = runner.invoke(main, ["related", str(vault), "NoSuchNote", "--json"])
    assert "NoSuchNote" in json.loads(result.stdout)["errors"][-1]
    checked = runner.invoke(main, ["check", str(empty), "--json"])
    assert checked.exit_code == 2
    data = json.loads(checked.stdout)
    assert data["stopped"] is True and "no note" in data["reason"].lower()
    plain = runner.invoke(main, ["related", str(vault), "NoSuchNote"])  # without --json: no JSON on stdout
    assert plain.exit_code == 2 and "stopped" not in plain.stdout


def test_a_group_is_one_block_and_its_pairs_are_not_listed_again(make_vault):
    """Three copies of one card are one "group of 3" block (not three pair blocks as well); a pair outside
    every group is its own block: 4 pairs in 2 blocks."""
    same = ("What is the powerhouse of the cell?", "The mitochondrion")
    pair = ("Which enzyme unwinds the DNA double helix?", "Helicase")
    root = make_vault({"a.md": basic_cards(same, pair), "b.md": basic_cards(same, pair), "c.md": basic_cards(same)})
    result = dupes(root)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("group of 3") == 1
    assert result.stdout.count("powerhouse") == 3 and result.stdout.count("unwinds") == 2
    assert "4 duplicate pairs (4 exact) in 2 blocks among 5 cards" in " ".join(result.stdout.split())


def test_same_text_in_two_notes_is_said_with_both_ways_out(make_vault):
    """Cards with the same text in different notes read the same in Anki; when the note is what gave each its
    subject (tester: medu4's "治療は開頭血腫除去術である" under two diseases' notes) deleting one loses a fact, so
    the output says both ways out. Two copies in one note get no such line."""
    same = ("Treatment?", "surgical evacuation of the haematoma")
    root = make_vault({"Epidural haematoma.md": basic_cards(same), "Subdural haematoma.md": basic_cards(same),
                       "Other.md": basic_cards(("Who wrote Hamlet?", "Shakespeare"), ("Who wrote Hamlet?", "Shakespeare"))})
    text = " ".join(dupes(root).stdout.split())
    assert ("1 pair of cards with the same text in different notes (first: Epidural haematoma.md:1 and Subdural "
            "haematoma.md:1): Anki shows both alike. One fact twice: delete one. If the note or heading is what "
            "tells them apart, put that into the cards' text instead") in text
    assert "2 duplicate pairs (2 exact)" in text
