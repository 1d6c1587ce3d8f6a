"""The example card of the syntax description (shared/spec/SYNTAX.md, "A block"), built and imported."""
from __future__ import annotations

SPEC_CARD = """\
START
Basic
What is mean pooling?
- average of the token vectors
Back: The mean of the token embeddings, ignoring padding via the attention mask.
![[pooling.png]]
Tags: ml sbert
<!--ID: 1768062256217-->
END
"""

INLINE = "STARTI [Basic] What is SBERT? Back: Sentence-BERT, a siamese BERT for sentence embeddings. ENDI\n"


def spec_vault(make_vault, png_bytes):
    return make_vault({
        "ML/SBERT.md": "TARGET DECK: Machine Learning::SBERT\nFILE TAGS: ws2526\n\n# SBERT\n\n" + SPEC_CARD
                       + "\n" + INLINE,
        "attachments/pooling.png": png_bytes(1),
    })


def test_spec_card_parses(make_vault, png_bytes, build):
    built = build(spec_vault(make_vault, png_bytes))
    assert built.vault.errors == []
    block, inline = built.vault.cards
    assert block.note_type == "Basic" and block.line == 6 and block.end_line == 14
    assert block.fields == {
        "Front": "What is mean pooling?\n- average of the token vectors",
        "Back": "The mean of the token embeddings, ignoring padding via the attention mask.\n![[pooling.png]]",
    }
    assert block.id == 1768062256217
    assert block.tags == ["ml", "sbert", "ws2526"]
    assert block.media == ["attachments/pooling.png"]
    assert inline.fields == {"Front": "What is SBERT?",
                             "Back": "Sentence-BERT, a siamese BERT for sentence embeddings."}


def test_spec_card_in_anki(make_vault, png_bytes, build, anki_import):
    built = build(spec_vault(make_vault, png_bytes))
    imp = anki_import(built.apkg)
    assert imp.col.note_count() == 2 and imp.col.card_count() == 2
    note = imp.note("What is mean pooling?")
    assert note.note_type()["name"] == "notes2anki: Basic"
    assert note.fields == [
        "<p>What is mean pooling?</p>\n<ul>\n<li>average of the token vectors</li>\n</ul>",
        'The mean of the token embeddings, ignoring padding via the attention mask.<br />\n'
        '<img src="pooling.png" alt="">',
    ]
    assert sorted(note.tags) == ["ml", "sbert", "ws2526"]
    assert len(imp.col.find_notes('deck:"Machine Learning::SBERT"')) == 2
    assert imp.col.media.have("pooling.png")
    assert imp.media_bytes("pooling.png") == png_bytes(1)
    # what the reviewer shows: the question side has the list, the answer side the picture
    (cid,) = imp.col.find_cards(f"nid:{note.id}")
    card = imp.col.get_card(cid)
    assert "<li>average of the token vectors</li>" in card.question()
    assert '<img src="pooling.png" alt="">' in card.answer()


def test_rebuilding_the_unchanged_card_updates_nothing(make_vault, png_bytes, build, anki_import, collection):
    root = spec_vault(make_vault, png_bytes)
    assert collection.note_count() == 0
    first = anki_import(build(root).apkg, collection)
    assert len(first.log.new) == 2
    second = anki_import(build(root).apkg, collection)
    assert len(second.log.new) == 0 and len(second.log.updated) == 0
    assert len(second.log.duplicate) == 2
    assert collection.note_count() == 2 and collection.card_count() == 2
