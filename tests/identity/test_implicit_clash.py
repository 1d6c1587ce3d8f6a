"""A card without an ID whose implicit ID is a written ID (tester 2026-12-02, third round, finding 3): `ids`
wrote the first `Translate:` card's ID (its occurrence 0), then a card with that front and no ID is added: it
is occurrence 0 among the cards without an ID, the same ID. It takes the next free occurrence instead
(identity._clear_of_written), so build, check, ids and sync agree, with no "same ID" error; and a build without
a build state says its same-front cards are told apart by order only (finding 6)."""
from __future__ import annotations

import re

from click.testing import CliRunner

from notes2anki.cli import main as cli_main
from notes2anki.decks.identity import card_ids

CARD = "START\nBasic\n{front}\nBack: {back}\nEND\n\n"


def _card(back: str, front: str = "Translate:") -> str:
    return CARD.format(front=front, back=back)


def test_a_card_added_after_ids_wrote_its_fronts_first_id_gets_an_id_of_its_own(make_vault, build):
    root = make_vault({"l.md": _card("der Hund (A)") + _card("energy", "What is ATP?")})
    build(root)
    assert CliRunner().invoke(cli_main, ["ids", str(root)]).exit_code == 0
    (root / "l.md").write_text((root / "l.md").read_text("utf-8") + _card("der Elefant (N)"), "utf-8")
    built = build(root)
    assert [d.message for d in built.report.diagnostics if d.severity == "error"] == []
    assert len(built.report.cards) == 3 and (built.report.new, built.report.unchanged) == (1, 2)
    check = CliRunner().invoke(cli_main, ["check", str(root)])
    assert " 0 errors" in check.output and "same ID" not in check.output
    ids = card_ids(built.report.cards, root.name)
    given = ids[built.report.cards[-1].key]
    assert given not in {c.id for c in built.report.cards[:2]}
    result = CliRunner().invoke(cli_main, ["ids", str(root)])
    assert result.exit_code == 0, result.output
    written = [int(n) for n in re.findall(r"<!--ID: (\d+)-->", (root / "l.md").read_text("utf-8"))]
    assert len(written) == 3 and written[2] == given  # ids writes the identity build gave it
    assert build(root).report.unchanged == 3


def test_identities_without_a_clash_are_unchanged(make_vault, build):
    """Cards without an ID whose implicit IDs clash with nothing keep them (occurrences in file order)."""
    from notes2anki.decks.identity import implicit_id

    root = make_vault({"l.md": _card("a") + _card("b") + _card("c", "Other")})
    cards = build(root).report.cards
    ids = card_ids(cards, root.name)
    assert [ids[c.key] for c in cards] == [implicit_id(cards[0], 0, root.name), implicit_id(cards[1], 1, root.name),
                                           implicit_id(cards[2], 0, root.name)]


def test_a_build_without_a_build_state_warns_that_same_front_cards_are_told_apart_by_order(make_vault, build):
    root = make_vault({"l.md": _card("a") + _card("b"), "m.md": _card("c") + _card("d", "Other")})
    said = [d.message for d in build(root).report.diagnostics if "no build state on this machine" in d.message]
    assert len(said) == 1 and "in l.md are told apart here by their order only" in said[0]
    assert "`notes2anki ids` on the machine that built them" in said[0] and "m.md" not in said[0]
    again = build(root)  # the state now knows them
    assert not [d for d in again.report.diagnostics if "no build state" in d.message]
