"""`notes2anki ids` changes nothing but the inserted ID lines, and a rebuild keeps every card's GUID,
fields, tags, deck and note type (block cards with blank lines before END, inline cards next to
mistyped ones, regex-style cards under indented list items)."""
import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notes2anki.config import load_config
from notes2anki.decks.identity import assign_identities, vault_namespace
from notes2anki.decks.write_ids import apply_ids, plan_ids
from notes2anki.parsers import load_vault

WORDS = st.sampled_from(["alpha", "beta", "Gamma", "ß", "ENDpoint", "$x$", "`code`", "END of", "Note:",
                         "#tag", "{{c1::x}}", "Student ID: 12", "ÜBUNG", "   ", "Back: b"])
PROSE = st.lists(WORDS, min_size=0, max_size=6).map(" ".join)
TRAIL = st.sampled_from(["", " ", "  ", "\t"])
INDENT = st.sampled_from(["", "  ", "    ", "\t"])


@st.composite
def block(draw):
    front = draw(PROSE.filter(lambda s: s.strip() and not s.strip().startswith("Back:")))
    lines = [f"START{draw(TRAIL)}", "Basic", f"Q {front}", f"Back: {draw(PROSE)}"]
    if draw(st.booleans()):
        lines.append("Tags: t1 t2")
    if draw(st.booleans()):
        lines.append(f"<!--ID: {draw(st.integers(1_000_000_000_000, 1_999_999_999_999))}-->")
    lines += [draw(TRAIL)] * draw(st.integers(0, 2))  # blank lines before END
    lines.append(f"END{draw(TRAIL)}")
    return lines


@st.composite
def segment(draw):
    kind = draw(st.sampled_from(["prose", "block", "inline", "fence", "list"]))
    if kind == "prose":
        return [draw(PROSE) + draw(TRAIL)]
    if kind == "inline":
        cards = [f"STARTI [{draw(st.sampled_from(['Basic', 'Basic', 'Basc']))}] I {draw(PROSE)} "
                 f"Back: {draw(PROSE)} ENDI" for _ in range(draw(st.integers(1, 3)))]
        return ["x " + " ".join(cards) + draw(TRAIL)]
    if kind == "list":  # regex-style cards (see REGEX) under list items, indented or not
        return [f"{draw(INDENT)}- R{i} {draw(PROSE)}::b{draw(PROSE)}" for i in range(draw(st.integers(1, 3)))]
    if kind == "fence":
        return ["```", "START", "Basic", "not a card", "END", "```"]
    return draw(block())


@st.composite
def note_bytes(draw):
    lines = [line for seg in draw(st.lists(segment(), min_size=1, max_size=8)) for line in seg]
    out = []
    for line in lines:
        out.append(line + draw(st.sampled_from(["\n", "\r\n"])))
    if draw(st.booleans()):
        out[-1] = out[-1].rstrip("\r\n")
    data = "".join(out).encode("utf-8")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + data


REGEX = '[build]\ncustom_regexps = { Basic = "^[ \\t]*- (R.*)::(.*)$" }\n'


def _cards(root):
    """GUID → (note type, fields, tags, deck): what a rebuild gives for each card."""
    config = load_config(root)
    vault = load_vault(root, config)
    return {g: (c.note_type, c.fields, sorted(c.tags), c.deck)
            for c, g in assign_identities([c for c in vault.cards if not c.delete], [],
                                          vault_namespace(root, config))}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=note_bytes())
def test_ids_only_inserts_id_lines(tmp_path, data):
    root = tmp_path / "vault"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    (root / ".notes2anki.toml").write_text(REGEX)
    path = root / "note.md"
    path.write_bytes(data)
    before = _cards(root)

    config = load_config(root)
    vault = load_vault(root, config)
    report = plan_ids(vault)
    apply_ids(vault, report)
    after_bytes = path.read_bytes()
    inserted = {n for edit in report.edits for _, n in edit.ids}

    # remove exactly what `ids` inserted: ID lines (maybe indented) and inline "<!--ID: n--> " pieces
    stripped = after_bytes
    for n in inserted:
        tag = f"<!--ID: {n}-->".encode()
        stripped, found = re.subn(rb"(?m)^[ \t]*" + tag + rb"(\r\n|\n)", b"", stripped, count=1)
        if not found:  # the last line of a file without a final newline
            stripped, found = re.subn(rb"(\r\n|\n)[ \t]*" + tag + rb"\Z", b"", stripped, count=1)
        if not found:
            stripped = stripped.replace(tag + b" ", b"", 1)
    assert stripped == data
    assert report.diagnostics == []
    assert _cards(root) == before  # every card keeps its GUID, fields, tags, deck and note type

    # a second run finds nothing left to do
    vault = load_vault(root, load_config(root))
    assert plan_ids(vault).edits == []
    Path(path).unlink()
