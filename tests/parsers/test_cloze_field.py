"""Tester U27: a Cloze card whose only cloze is in `Back Extra` was packaged without a word; Anki makes
cloze cards only from the cloze field (`Text`), so its front was blank and the back showed the raw cloze."""
from notes2anki.config import load_config
from notes2anki.parsers import load_vault


def _warnings(root):
    vault = load_vault(root, load_config(root))
    return [(d.line, d.kind, d.message, d.file) for d in vault.diagnostics if d.kind == "no-cloze"]


def test_a_cloze_only_in_back_extra_is_reported(make_vault):
    root = make_vault({"a.md": "START\nCloze\nPlain text without cloze\nBack Extra: the {{c1::answer}} is here\nEND\n",
                       "b.md": "START\nCloze\nThe {{c1::answer}} is here\nBack Extra: more\nEND\n"})
    found = _warnings(root)
    assert len(found) == 1 and found[0][:2] == (1, "no-cloze") and found[0][3] == "a.md"
    assert "its clozes are in 'Back Extra', but Anki makes cards only from the clozes of 'Text'" in found[0][2]


def test_a_user_cloze_type_reads_the_field_its_template_names(make_vault):
    config = ('[note_types."MyCloze"]\nfields = ["Notes", "Body"]\ncloze = true\n'
              'front = "{{cloze:Body}}"\nback = "{{cloze:Body}}<br>{{Notes}}"\n')
    root = make_vault({".notes2anki.toml": config,
                       "a.md": "START\nMyCloze\nintro\nBody: the {{c1::answer}}\nEND\n",
                       "b.md": "START\nMyCloze\nthe {{c1::answer}}\nBody: none\nEND\n"})
    found = _warnings(root)
    assert [(f[3], f[0]) for f in found] == [("b.md", 1)]
    assert "its clozes are in 'Notes', but Anki makes cards only from the clozes of 'Body'" in found[0][2]


def test_highlight_and_curly_clozes_are_numbered_in_text_order():
    """Tester U22: with curly_cloze and highlights_to_cloze both on, highlights were numbered before curly
    clozes; the plugin turns ==x== into {x} first and numbers left to right, so a migration sync swapped
    which card asks what."""
    from notes2anki.parsers.inline_syntax import to_clozes

    assert to_clozes("One {a} then ==b== end.", True, True) == "One {{c1::a}} then {{c2::b}} end."
    assert to_clozes("==b== then {a}", True, True) == "{{c1::b}} then {{c2::a}}"
    assert to_clozes("{y} {2:x} {z}", True, False) == "{{c1::y}} {{c2::x}} {{c2::z}}"


def test_a_declared_type_named_cloze_stays_a_cloze_type_in_anki(make_vault, build, anki_import):
    """Tester 12-03: `init` writes `[note_types."medu4ClozeHL"] fields = [...]` (no `cloze` key) from the
    plugin's data.json, and a declared type then lost the name rule: every cloze note of medu4 was built as a
    standard note showing `{{c1::…}}` as text (a sync would have overwritten the clozes). Unset, `cloze` is
    the name rule; `cloze = false` still overrides it."""
    config = ('[note_types."MyCloze"]\nfields = ["Text", "Extra"]\n'
              '[note_types."NotCloze"]\nfields = ["Text", "Extra"]\ncloze = false\n'
              '[note_types."BadCloze"]\nfields = ["Text", "Extra"]\nfront = "{{Text}}"\nback = "{{Extra}}"\n')
    root = make_vault({".notes2anki.toml": config,
                       "a.md": "START\nMyCloze\nText: The {{c1::mitochondrion}} makes {{c2::ATP}}\nExtra: x\nEND\n\n"
                               "START\nNotCloze\nText: Not a {{c1::cloze}}\nExtra: y\nEND\n"})
    diags: list = []
    from notes2anki.config import load_config as load

    load(root, diags)
    assert any("BadCloze" in d.message and "a cloze type's front needs {{cloze:Text}}" in d.message for d in diags)
    (root / ".notes2anki.toml").write_text(config.split('[note_types."BadCloze"]')[0])
    built = build(root)
    col = anki_import(built.apkg).col
    kinds = {col.models.get(col.get_note(nid).mid)["name"]: (col.models.get(col.get_note(nid).mid)["type"],
                                                            len(col.card_ids_of_note(nid)))
             for nid in col.find_notes("")}
    assert kinds == {"MyCloze": (1, 2), "NotCloze": (0, 1)}
