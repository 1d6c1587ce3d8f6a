"""A bare name several vault files share (tester: `![[acid.png]]` with `att/acid.png` and
`Chem/img/acid.png` picked one silently): resolved as Obsidian's ``getFirstLinkpathDest`` does (own folder,
else shortest path; observed on Obsidian 1.13.7, pvliesdonk/markdown-vault-mcp #1350), and an
``ambiguous-link`` warning at the card's line names every candidate, the one used, why, and the path form."""
from __future__ import annotations

import re

from notes2anki.parsers import load_vault
from notes2anki.parsers.links import LinkResolver

CARD = "START\nBasic\n{q}\nBack: {back}\n<!--ID: {id}-->\nEND\n"


def _card(back: str, q: str = "pH of water?", id: int = 1700000000005) -> str:
    return CARD.format(q=q, back=back, id=id)


def _ambiguous(root):
    return [d for d in load_vault(root).diagnostics if d.kind == "ambiguous-link"]


def _shipped(imp) -> bytes:
    """The bytes of the one picture the one imported note shows."""
    (src,) = re.findall(r'<img src="([^"]+)"', imp.notes()[0].fields[1])
    return imp.media_bytes(src)


def _acids(make_vault, note: str, **more):
    files = {"att/acid.png": b"one", "Chem/img/acid.png": b"two", "Chem/Acids.md": note}
    files.update(more)
    return make_vault(files)


def test_the_testers_vault_warns_at_the_card_and_uses_the_shortest_path(make_vault, build, anki_import):
    root = _acids(make_vault, "# Acids\n\n" + _card("7 ![[acid.png]]"))
    (warning,) = _ambiguous(root)
    assert (warning.file, warning.line, warning.severity) == ("Chem/Acids.md", 3, "warning")
    assert warning.message == (
        "![[acid.png]] matches 2 files: Chem/img/acid.png, att/acid.png; att/acid.png is used (it has the "
        "shortest path, as Obsidian chooses; adding or moving a file of that name can change it); write the "
        "path to choose one, e.g. ![[att/acid.png]] or ![[Chem/img/acid.png]]")
    imp = anki_import(build(root).apkg)
    assert _shipped(imp) == b"one"  # att/acid.png, as Obsidian shows it (not Chem/img/)


def test_the_path_form_silences_it_and_chooses_the_file(make_vault, build, anki_import):
    root = _acids(make_vault, _card("7 ![[Chem/img/acid.png]]"))
    assert _ambiguous(root) == []
    imp = anki_import(build(root).apkg)
    assert _shipped(imp) == b"two"
    root = _acids(make_vault, _card("7 ![[att/acid.png]]"), name="v2")
    assert _ambiguous(root) == []


def test_an_unambiguous_name_gives_no_warning(make_vault):
    root = make_vault({"att/base.png": b"one", "Chem/Acids.md": _card("![[base.png]] [[Bases]]"),
                       "Chem/Bases.md": "text\n"})
    assert load_vault(root).diagnostics == []


def test_the_file_in_the_notes_own_folder_is_used_without_a_warning(make_vault, build, anki_import):
    """Obsidian's own-folder rule: the file beside the note wins, and no file added or moved elsewhere can
    change that, so there is nothing to warn about (Till-Fri: 21 such warnings for notes linking to themselves)."""
    root = _acids(make_vault, "", **{"Chem/img/Acids.md": _card("![[acid.png]]")})
    assert _ambiguous(root) == []
    assert _shipped(anki_import(build(root).apkg)) == b"two"  # Chem/img/acid.png, beside the note


def test_once_per_note_and_name_not_per_card(make_vault):
    two = _card("![[acid.png]]") + "\n" + _card("![[acid.png|200]] ![[acid.png]]", q="pH of HCl?",
                                                  id=1700000000006)
    root = _acids(make_vault, two, **{"Other.md": _card("![[acid.png]]", q="Other?", id=1700000000007)})
    found = sorted((d.file, d.line) for d in _ambiguous(root))
    assert found == [("Chem/Acids.md", 1), ("Other.md", 1)]


def test_a_note_embed_and_a_wiki_link(make_vault):
    root = make_vault({"A/Topic.md": "alpha\n", "B/deep/Topic.md": "beta\n",
                       "n.md": _card("![[Topic]] and [[Topic|the topic]]")})
    messages = [d.message for d in _ambiguous(root)]
    assert messages == [
        "![[Topic]] matches 2 files: A/Topic.md, B/deep/Topic.md; A/Topic.md is used (it has the shortest path, "
        "as Obsidian chooses; adding or moving a file of that name can change it); write the path to choose one, "
        "e.g. ![[A/Topic]] or ![[B/deep/Topic]]",
    ]  # the link names the same note (key: note and name), so it is said once
    root = make_vault({"A/Topic.md": "alpha\n", "B/deep/Topic.md": "beta\n",
                       "n.md": _card("see [[Topic|the topic]]")}, name="v2")
    (warning,) = _ambiguous(root)
    assert warning.message.startswith("[[Topic|the topic]] matches 2 files")
    assert warning.message.endswith("e.g. [[A/Topic|the topic]] or [[B/deep/Topic|the topic]]")


def test_a_markdown_image_and_an_embedded_notes_embed(make_vault):
    root = _acids(make_vault, _card("![pic](acid.png)"))
    (warning,) = _ambiguous(root)
    assert warning.message.endswith("e.g. ![pic](att/acid.png) or ![pic](Chem/img/acid.png)")
    root = _acids(make_vault, _card("![[Sheet]]"), **{"Sheet.md": "look: ![[acid.png]]\n"}, name="v2")
    (warning,) = _ambiguous(root)
    assert warning.file == "Chem/Acids.md"
    assert warning.message.startswith("![[acid.png]] (in the embedded note Sheet.md) matches 2 files")


def test_the_resolver_follows_obsidians_observed_tie_break():
    """The fixture of markdown-vault-mcp #1350, observed on Obsidian 1.13.7 via getFirstLinkpathDest."""
    resolver = LinkResolver(["Note.md", "zzzz/Note.md", "a/b/Note.md"])
    for source in ("src-root.md", "zzzz/src-zzzz.md", "a/b/src-ab.md"):
        assert resolver.note_choice("Note", source) == ("Note.md", None)  # an exact vault path wins
    resolver = LinkResolver(["zzzz/Note.md", "a/b/Note.md", "b/Note.md", "aaaaaaaa/Note.md"])
    assert resolver.note("Note", "src-root.md") == "b/Note.md"  # the shortest string, not tree order
    assert resolver.note("Note", "zzzz/src-zzzz.md") == "zzzz/Note.md"  # own folder over shorter
    assert resolver.note("Note", "zzzz/deep/src-deep.md") == "b/Note.md"  # an ancestor counts for nothing
    assert resolver.note("Note", "a/b/src-ab.md") == "a/b/Note.md"
    assert resolver.note_choice("b/Note", "a/b/src-ab-path.md") == ("b/Note.md", None)  # exact path
    resolver = LinkResolver(["zzzz/Note.md", "a/b/Note.md"])
    path, choice = resolver.note_choice("Note", "x.md")
    assert path == "a/b/Note.md" and choice.candidates == ("a/b/Note.md", "zzzz/Note.md")
    assert choice.reason == "it has the shortest path"


def test_a_tie_on_length_is_said_to_be_one_and_the_path_form_keeps_the_size(make_vault):
    """Tester 2 r2: `A/img.png` and `Z/img.png` tie on length, yet the message said "it has the shortest
    path"; the suggested path form dropped the size (`![[img.png|300]]` → `![[A/img.png]]`)."""
    resolver = LinkResolver(["Z/img.png", "A/img.png"])
    path, choice = resolver.media_choice("img.png", "x.md")
    assert path == "A/img.png"
    assert choice.reason == "its path is as short as Z/img.png: a tie, broken by name order"
    root = make_vault({"A/img.png": b"one", "Z/img.png": b"two", "Deck.md": _card("![[img.png|300]]")})
    (warning,) = _ambiguous(root)
    assert warning.message.startswith("![[img.png|300]] matches 2 files: A/img.png, Z/img.png; A/img.png is used "
                                      "(its path is as short as Z/img.png: a tie, broken by name order, as Obsidian")
    assert warning.message.endswith("e.g. ![[A/img.png|300]] or ![[Z/img.png|300]]")
    root = make_vault({"A/Topic.md": "a\n", "Z/Topic.md": "z\n", "Deck.md": _card("![[Topic|alias]]")}, name="v2")
    (warning,) = _ambiguous(root)
    assert warning.message.endswith("e.g. ![[A/Topic|alias]] or ![[Z/Topic|alias]]")
