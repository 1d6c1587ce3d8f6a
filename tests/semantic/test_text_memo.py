"""Plain texts kept between runs (semantic/text_memo.py): same texts as reading the Markdown, and an edit
reads only the edited field."""
from __future__ import annotations

import pickle

from notes2anki.model import Card
from notes2anki.parsers.plain_text import plain_text as token_text
from notes2anki.semantic import text_memo
from notes2anki.semantic.text import card_text, question_and_answer


def cloze(text: str, line: int) -> Card:
    return Card("Cloze", {"Text": text, "Back Extra": ""}, file="n.md", line=line)


def basic(front: str, back: str, line: int) -> Card:
    return Card("Basic", {"Front": front, "Back": back}, file="n.md", line=line)


CARDS = [basic("What is **mitosis**?", "Cell division ([[Cell|cells]])", 1),
         basic("$2\\pi r$ is the circumference of?", "A circle `r`", 6),
         cloze("The {{c1::mitochondria}} is the powerhouse", 11)]


def test_stored_texts_are_the_texts_and_an_edit_reads_only_the_edited_field(tmp_path):
    path = text_memo.path_for(tmp_path, "entry")
    text_memo._memo.clear()
    text_memo.load(path)
    first = [(card_text(c), question_and_answer(c)) for c in CARDS]
    assert first[0][0] == token_text("What is **mitosis**?") + " | " + token_text("Cell division ([[Cell|cells]])")
    assert first[2][1][0] == " ".join(token_text(CARDS[2].fields["Text"], cloze="mask").replace("[...]", " [...] ").split())
    text_memo.save(path)
    stored = pickle.loads(path.read_bytes())
    assert stored["version"] == text_memo.version() and ("answer", "What is **mitosis**?") in stored["texts"]

    text_memo._memo.clear()  # a new process
    text_memo.load(path)
    edited = [basic("What is **meiosis**?", CARDS[0].fields["Back"], 1), *CARDS[1:]]
    again = [(card_text(c), question_and_answer(c)) for c in edited]
    assert text_memo._fresh == 1  # only the edited front was read
    assert again[1:] == first[1:] and again[0][0].startswith("What is meiosis?")
    text_memo.save(path)
    assert ("answer", "What is **mitosis**?") not in pickle.loads(path.read_bytes())["texts"]  # unused: gone


def test_texts_of_another_version_or_a_corrupt_file_are_read_again(tmp_path):
    path = text_memo.path_for(tmp_path, "entry")
    path.write_bytes(pickle.dumps({"version": "other", "texts": {("answer", "What is **mitosis**?"): "wrong"}}))
    text_memo._memo.clear()
    assert text_memo.load(path) is None  # another version: replaced silently
    assert card_text(CARDS[0]).startswith("What is mitosis?")
    path.write_bytes(b"not a pickle")
    text_memo._memo.clear()
    warning = text_memo.load(path)
    assert warning == f"text memo {path} is corrupt (UnpicklingError: invalid load key, 'n'.); rebuilding it"
    assert card_text(CARDS[0]).startswith("What is mitosis?") and text_memo._fresh == 2
    text_memo.save(path)  # the damaged file is replaced: read again without a warning
    text_memo._memo.clear()
    assert text_memo.load(path) is None and text_memo._loaded >= 2


def test_stored_chargram_rows_and_vectors_are_the_computed_ones(tmp_path):
    import numpy as np

    from notes2anki.semantic import chargram_memo
    from notes2anki.semantic.pair_features import _CHAR_FEATURES, char_vectors
    from notes2anki.semantic.vector_memo import VectorMemo

    texts = ["What is mitosis?", "何か？", "What is mitosis?", "x"]
    path = chargram_memo.path_for(tmp_path, "entry")
    chargram_memo._rows.clear()
    chargram_memo.load(path)
    first = chargram_memo.vectors(texts, char_vectors, _CHAR_FEATURES)
    assert (first != char_vectors(texts)).nnz == 0
    chargram_memo.save(path)
    chargram_memo._rows.clear()
    chargram_memo.load(path)
    again = chargram_memo.vectors([*texts, "new text"], lambda t: (_ for _ in ()).throw(AssertionError)
                                  if t != ["new text"] else char_vectors(t), _CHAR_FEATURES)
    assert (again != char_vectors([*texts, "new text"])).nnz == 0 and chargram_memo._fresh == 1

    asked = []

    def embed(batch):
        asked.append(list(batch))
        return np.array([[len(t), 1.0] for t in batch], dtype=np.float32)

    memo = VectorMemo(embed, tmp_path / "v.pickle", "model")
    assert np.array_equal(memo(["a", "bb", "a"]), embed(["a", "bb", "a"]))
    memo.save()
    asked.clear()
    memo = VectorMemo(embed, tmp_path / "v.pickle", "model")
    assert np.array_equal(memo(["bb", "ccc"]), embed(["bb", "ccc"])) and asked[0] == ["ccc"]
    assert VectorMemo(embed, tmp_path / "v.pickle", "other model").rows == {}


def test_a_corrupt_text_memo_is_said_once_by_the_duplicate_check_and_not_replayed(tmp_path, embedder):
    from notes2anki.semantic.dupes import find_duplicates
    from notes2anki.semantic.encoder import Embedder

    cache = tmp_path / "embeddings.sqlite"

    def check(cards):
        with Embedder(cache_path=cache) as e:
            return find_duplicates(cards, embedder=e)

    assert not [w for w in check(CARDS).warnings if "memo" in w]
    (stored,) = (tmp_path / "embeddings.sqlite.dupes").glob("*" + text_memo.SUFFIX)
    stored.write_bytes(b"\x80\x05 damaged")
    text_memo._memo.clear()
    edited = [basic("What is **meiosis**?", CARDS[0].fields["Back"], 1), *CARDS[1:]]  # not a replay
    said = [w for w in check(edited).warnings if "memo" in w]
    assert len(said) == 1 and said[0].startswith(f"text memo {stored} is corrupt (")
    assert said[0].endswith("; rebuilding it")
    assert not [w for w in check(edited).warnings if "memo" in w]  # the replayed result does not repeat it
    text_memo._memo.clear()
    assert text_memo.load(stored) is None and text_memo._loaded > 0  # rebuilt


def test_card_parts_are_kept_in_their_own_file_and_an_edit_computes_only_the_edited_card(tmp_path):
    from notes2anki.semantic import dupes
    from notes2anki.semantic.dupes import card_parts, card_side, exact_key

    media = basic("Which organ? ![[heart.png]]", "The heart <img src='h.jpg'>", 16)
    cards = [*CARDS, media]
    path = text_memo.path_for(tmp_path, "entry")
    text_memo._memo.clear(), text_memo._parts.clear()
    text_memo.load(path)
    first = [card_parts(c) for c in cards]
    for card, (text, question, answer, cloze_card, found) in zip(cards, first):  # what each was computed from
        assert (text, (question, answer)) == (card_text(card), question_and_answer(card))
        assert cloze_card == (card.note_type == "Cloze") and card_side(card).text == text
    assert first[3][4] == (("heart.png",), ("h.jpg",)) and dupes._media(media) == ("heart.png", "h.jpg")
    assert exact_key(media) == first[3][0] + "\x1fheart.png\x1fh.jpg"
    text_memo.save(path)
    assert text_memo.parts_path(path).exists()

    text_memo._memo.clear(), text_memo._parts.clear()  # a new process
    text_memo.load(path)
    edited = [basic("What is **meiosis**?", CARDS[0].fields["Back"], 1), *cards[1:]]
    again = [card_parts(c) for c in edited]
    assert text_memo._parts_fresh == 1 and text_memo._fresh == 1  # the edited card, and its edited front
    assert again[1:] == first[1:] and again[0][0].startswith("What is meiosis?")
    assert text_memo._touched == {("answer", "What is **meiosis**?"), ("answer", CARDS[0].fields["Back"])}
    text_memo.save(path)  # (a few new cards: the files are written again only below the size limits)


def test_the_chargram_file_keeps_card_texts_and_the_measured_questions_and_answers_are_the_same_rows(tmp_path):
    """Issue 13 (edit row): the n-gram rows of questions and answers are used by the pairs measured, not kept
    in the memo file (a check after an edit measures a few dozen pairs; storing every side's three rows made
    the file three times as large and an edit rewrote it). ``fill_chars(card=False)`` keeps a card matrix set
    for every side (``fill_card_chars``) and gives the same rows as n-gramming every side's three texts."""
    import numpy as np

    from notes2anki.semantic import chargram_memo
    from notes2anki.semantic.pair_features import (_CHAR_FEATURES, Side, char_vectors, encode, fill_card_chars,
                                                   fill_chars)

    path = chargram_memo.path_for(tmp_path, "entry")
    chargram_memo._rows.clear()
    chargram_memo.load(path)
    chargram_memo.vectors(["a question?", "an answer"], char_vectors, _CHAR_FEATURES, keep=False)
    chargram_memo.vectors(["a question?\nan answer", "an answer"], char_vectors, _CHAR_FEATURES)
    chargram_memo.save(path)
    assert pickle.loads(path.read_bytes())["texts"] == ["a question?\nan answer", "an answer"]

    # tester 12-03: the text list rotated (a well-formed pickle) is not read as the memo: n-grammed again
    data = pickle.loads(path.read_bytes())
    data["texts"] = data["texts"][1:] + data["texts"][:1]
    path.write_bytes(pickle.dumps(data) + path.read_bytes()[-22:])  # the old file's seal kept
    chargram_memo._rows.clear()
    chargram_memo.load(path)
    assert chargram_memo._loaded == 0 and not chargram_memo._rows

    sides = [Side(f"What is term {k}?", f"definition number {k}", f"What is term {k}?\ndefinition number {k}")
             for k in range(6)]
    zero = lambda texts: np.tile(np.float32([0.0, 1.0]), (len(texts), 1))  # noqa: E731 (vectors play no part)
    whole = encode(sides, zero)  # every side's three matrices
    part = encode(sides, zero, chars=False)
    fill_card_chars(part)
    card = part.char_card
    fill_chars(part, [1, 4], card=False)
    assert part.char_card is card and (card != whole.char_card).nnz == 0
    for mine, theirs in ((part.char_q, whole.char_q), (part.char_a, whole.char_a)):
        assert (mine[[1, 4]] != theirs[[1, 4]]).nnz == 0 and mine[[0, 2, 3, 5]].nnz == 0
