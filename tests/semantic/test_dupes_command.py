"""`notes2anki dupes VAULT`: table, --json, --fail, --explain, .notes2anki.toml settings."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from notes2anki.cli.dupes import dupes_command

NET = """TARGET DECK: Networking

START
Basic
What port does HTTPS use by default?
Back: 443
END

START
Basic
How many round trips does a full TLS 1.3 handshake need?
Back: One (1-RTT)
END

START
Basic
How many round trips does a full TLS 1.2 handshake need?
Back: Two (2-RTT)
END

STARTI [Basic] What is the capital of Australia? Back: Canberra ENDI
"""

HTTPS = """# HTTPS

START
Basic
Default TCP port for **HTTPS**
Back: Port 443
<!--ID: 1768062256217-->
END
"""

GEO = "Some text.\n\nSTARTI [Basic] What is the capital of Australia? Back: Canberra ENDI\n"


@pytest.fixture
def vault(make_vault):
    return make_vault({"net.md": NET, "web/https.md": HTTPS, "geo/Australia.md": GEO})


def run(*args):
    return CliRunner().invoke(dupes_command, [str(a) for a in args])


def test_json_lists_exact_and_near_pairs_with_file_and_start_line(vault):
    result = run(vault, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["groups"] == []
    pairs = {(p["kind"], p["a"]["file"], p["a"]["line"], p["b"]["file"], p["b"]["line"]): p for p in data["pairs"]}
    assert set(pairs) == {("exact", "geo/Australia.md", 3, "net.md", 21), ("near", "net.md", 3, "web/https.md", 3)}
    near = pairs[("near", "net.md", 3, "web/https.md", 3)]
    assert near["b"]["front"] == "Default TCP port for HTTPS" and 0.65 <= near["score"] <= 1.0


def test_table_and_exit_codes(vault):
    result = run(vault)
    assert result.exit_code == 0, result.output
    for text in ("net.md:3", "web/https.md:3", "geo/Australia.md:3", "net.md:21", "exact", "near", "Networking",
                 "Default TCP port for HTTPS", "2 duplicate pairs (1 exact)"):
        assert text in result.stdout
    assert "TLS 1.2" not in result.stdout  # the hard negative is not reported
    assert run(vault, "--fail").exit_code == 1


def test_limit_shows_the_best_blocks_and_says_how_many_more(vault):
    """A table of thousands of blocks is unreadable (and slow to draw): --limit N shows the best N blocks,
    a line says how many more there are and how to see them; the summary and --json count every pair."""
    result = run(vault, "--limit", "1")
    assert result.exit_code == 0, result.output
    assert "geo/Australia.md:3" in result.stdout and "web/https.md:3" not in result.stdout  # exact first
    assert "... and 1 more block (scores" in result.stdout and "--limit 0" in result.stdout
    assert "2 duplicate pairs (1 exact) in 2 blocks" in result.stdout
    everything = run(vault, "--limit", "0").stdout
    assert "web/https.md:3" in everything and "more block" not in everything
    assert len(json.loads(run(vault, "--json", "--limit", "1").stdout)["pairs"]) == 2
    assert run(vault, "--limit", "-1").exit_code == 2


def test_explain_shows_why_a_close_pair_was_not_reported(vault):
    result = run(vault, "--explain")
    rejected = result.stdout.split("Close pairs not reported")[1]
    assert "TLS 1.2" in rejected and "TLS 1.3" in rejected
    assert "below threshold" in rejected and "against:" in rejected  # the measurements that weighed against
    # with --json the same pairs come as "rejected" (tester h12: --explain --json dropped them silently)
    data = json.loads(run(vault, "--explain", "--json").stdout)
    tls = [r for r in data["rejected"] if "TLS 1.2" in r["a"]["front"] + r["b"]["front"]]
    assert tls and "below threshold" in tls[0]["reason"] and 0 <= tls[0]["score"] < 1
    assert "rejected" not in json.loads(run(vault, "--json").stdout)


def test_ignore_list_and_threshold_from_the_config(vault):
    (vault / ".notes2anki.toml").write_text(
        '[dupes]\nthreshold = 1.0\nignore = [["geo/Australia.md:3", "net.md:21"]]\n', encoding="utf-8")
    result = run(vault, "--json", "--fail")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["pairs"], data["groups"], data["cards_checked"], data["cards_by_chargrams"]) == ([], [], 6, 0)
    # the command line wins over the config; an ID names a card as well as file:line
    (vault / ".notes2anki.toml").write_text('[dupes]\nignore = [[1768062256217, "net.md:3"]]\n', encoding="utf-8")
    data = json.loads(run(vault, "--json", "--threshold", "0.5").stdout)
    assert [p["kind"] for p in data["pairs"]] == ["exact"]
    table = run(vault, "--threshold", "0.5")  # tester L11: rich took "[dupes]" for a style tag
    assert "1 ignored by [dupes] ignore" in " ".join(table.stdout.split())


def test_a_config_value_that_cannot_be_used_stops_the_command(vault):
    (vault / ".notes2anki.toml").write_text('[dupes]\nthreshold = "high"\n', encoding="utf-8")
    result = run(vault, "--json")
    assert result.exit_code == 2  # issue 14: a broken configuration stops every command
    assert ".notes2anki.toml:2: error: dupes.threshold: should be a number, got \"high\"" in result.stderr
    stopped = json.loads(result.stdout)  # --json: stdout says it stopped, and why (tester 12-02)
    assert stopped["stopped"] is True and "dupes.threshold: should be a number" in stopped["errors"][0]


def test_an_ignore_reference_to_no_card_is_a_warning(vault):
    (vault / ".notes2anki.toml").write_text('[dupes]\nignore = [["nowhere.md:1", 5]]\n', encoding="utf-8")
    result = run(vault, "--json")
    assert result.exit_code == 0
    assert ('.notes2anki.toml:2: warning: dupes.ignore, entry 1, reference 1: "nowhere.md:1" matches no card'
            in result.stderr)  # where it is written (tester 12-03: "vault", no line)
    assert ".notes2anki.toml:2: warning: dupes.ignore, entry 1, reference 2: card ID 5 matches no card" in result.stderr
    assert len(json.loads(result.stdout)["pairs"]) == 2


def test_no_duplicates(make_vault):
    root = make_vault({"a.md": "STARTI [Basic] What is mean pooling? Back: Averaging token vectors ENDI\n"
                               "STARTI [Basic] How do you bake bread? Back: Knead, proof, bake ENDI\n"})
    result = run(root, "--fail")
    assert result.exit_code == 0 and "No duplicates among 2 cards" in result.stdout


def test_an_unknown_model_is_a_clear_error(vault):
    result = run(vault, "--model", "./no/such/model")
    assert result.exit_code == 2 and "model directory not found" in result.stderr


def test_dupes_on_the_example_vault_finds_the_planted_duplicates():
    """examples/vault plants 3 reworded pairs, 1 exact pair and a TLS 1.2 / 1.3 hard negative."""
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from notes2anki.cli import main

    vault = Path(__file__).resolve().parents[2] / "examples" / "vault"
    result = CliRunner().invoke(main, ["dupes", str(vault), "--json"])
    assert result.exit_code == 0, result.output
    found = {frozenset({(p["a"]["file"], p["a"]["line"]), (p["b"]["file"], p["b"]["line"])}): p["kind"]
             for p in json.loads(result.stdout)["pairs"]}
    # The learned judge (threshold 0.69) misses two planted near pairs that the hand vetoes found:
    # SBERT mean pooling (ML/Sentence embeddings.md:41 / ML/Transformers.md:58) and the TCP/TLS handshake
    # pair (Networking/TCP.md:7 / Networking/TLS.md:5) score just below it; see the report of issue 12.
    planted = {
        frozenset({("ML/Sentence embeddings.md", 56), ("Math/Linear algebra.md", 20)}): "exact",
        frozenset({("Biology/Cell.md", 5), ("Biology/Cellular respiration.md", 5)}): "near",
    }
    for pair, kind in planted.items():
        assert found.get(pair) == kind, (sorted(pair), found)
    assert frozenset({("Networking/TLS.md", 14), ("Networking/HTTPS.md", 14)}) not in found
