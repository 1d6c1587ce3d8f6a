"""Fields rendered to Anki HTML: math, code, wiki links, highlights (checked in the built deck too)."""
from __future__ import annotations

import pytest

from notes2anki.config import load_config
from notes2anki.parsers import load_vault


def card_html(make_vault, back: str, front: str = "Q", note_type: str = "Basic", **overrides) -> dict:
    first = "Text" if note_type == "Cloze" else "Back"
    root = make_vault({"note.md": f"START\n{note_type}\n{front}\n{first}: {back}\nEND\n"})
    vault = load_vault(root, load_config(root, **overrides))
    assert vault.errors == []
    (card,) = vault.cards
    return card.html


def test_inline_math(make_vault):
    html = card_html(make_vault, r"the loss $L(\theta)$ over $\theta$")
    assert html["Back"] == r"the loss \(L(\theta)\) over \(\theta\)"


def test_display_math_on_its_own_line_and_inline(make_vault):
    html = card_html(make_vault, "before\n$$\\sum_i x_i$$\nafter $$a^2$$ end")
    assert r"\[\sum_i x_i\]" in html["Back"]
    assert r"\[a^2\]" in html["Back"]
    assert "$" not in html["Back"]


def test_multiline_display_math(make_vault):
    html = card_html(make_vault, "\n$$\nx = 1\n$$\n")
    assert html["Back"].strip() == r"\[x = 1\]"


def test_math_is_html_escaped_for_the_field(make_vault):
    html = card_html(make_vault, r"$a < b$ and $\begin{pmatrix} 1 & 2 \end{pmatrix}$")
    assert r"\(a &lt; b\)" in html["Back"]
    assert r"1 &amp; 2" in html["Back"]


def test_dollar_in_inline_code_stays_literal(make_vault):
    html = card_html(make_vault, "run `echo $HOME` and `cost=$5`", front="What does `echo $HOME $USER` print?")
    assert html["Front"] == "What does <code>echo $HOME $USER</code> print?"
    assert html["Back"] == "run <code>echo $HOME</code> and <code>cost=$5</code>"


def test_dollar_in_fenced_code_stays_literal(make_vault):
    html = card_html(make_vault, "\n```bash\nexport PATH=\"$HOME/bin:$PATH\"\necho $x$\n```\n")
    assert r"\(" not in html["Back"]
    assert '<span class="nv">$HOME</span>' in html["Back"]
    plain = card_html(make_vault, "\n```\nprice: $5 and $10$\n```\n")
    assert plain["Back"] == "<pre><code>price: $5 and $10$\n</code></pre>"


def test_prices_are_not_math(make_vault):
    html = card_html(make_vault, "It costs $5 and $10 with tax.", front="Prices: $5 or $10?")
    assert html["Back"] == "It costs $5 and $10 with tax."
    assert html["Front"] == "Prices: $5 or $10?"


@pytest.mark.parametrize("back, shown", [
    # a field that starts with $ and ends with a digit: mdit-py-plugins read the text's last character as the
    # one before the opening $ (state.src[-1]) and left the formula raw (dev vault: "$\\begin{pmatrix}…$ — det = 1")
    (r"$E = mc^2$ (1905)", r"\(E = mc^2\) (1905)"),
    (r"$\det A = 0$ iff rank < 2", r"\(\det A = 0\) iff rank &lt; 2"),
    (r"$$\int_0^1 x\,dx$$ is 1", r"\[\int_0^1 x\,dx\] is 1"),
    (r"$5 and $6 cost 11", r"$5 and $6 cost 11"),  # still prices
    (r"$x$5 apples, 1", r"$x$5 apples, 1"),  # a digit right after the closing $: not math, as elsewhere
])
def test_a_field_starting_with_a_formula_and_ending_with_a_digit(make_vault, back, shown):
    assert card_html(make_vault, back)["Back"] == shown


def test_two_display_formulas_on_one_line_are_two(make_vault):
    """Tester B r1: "$$R^T = R^{-1}$$ and $$\\det R = 1$$" became one \\[…\\] holding "$$ and $$" (the block rule
    took the line from its first $$ to its last); the plugin matches $$…$$ lazily and Obsidian shows two."""
    html = card_html(make_vault, r"$$R^T = R^{-1}$$ and $$\det R = 1$$")
    assert html["Back"] == r"\[R^T = R^{-1}\] and \[\det R = 1\]"
    assert card_html(make_vault, r"$$R^T = R^{-1}$$")["Back"].strip() == r"\[R^T = R^{-1}\]"


def test_double_braces_in_math_never_end_a_cloze(make_vault):
    html = card_html(make_vault, r"{{c1::$\frac{1}{\sqrt{d_k}}$::factor}} and {{c2::$x^{2^{3}}$}}",
                     front="", note_type="Cloze")
    text = html["Text"]
    assert text == r"{{c1::\(\frac{1}{\sqrt{d_k} }\)::factor}} and {{c2::\(x^{2^{3} }\)}}"


def test_code_block_highlighted_with_classes_not_inline_styles(make_vault):
    html = card_html(make_vault, "\n```python\ndef f(x):\n    return x\n```\n")
    back = html["Back"]
    assert back.startswith('<pre class="highlight"><code class="language-python">')
    assert '<span class="k">def</span>' in back
    assert "style=" not in back and "<link" not in back and "http" not in back


def test_unknown_language_is_plain_code(make_vault):
    html = card_html(make_vault, "\n```notalanguage\n<b>x</b>\n```\n")
    assert html["Back"] == '<pre><code class="language-notalanguage">&lt;b&gt;x&lt;/b&gt;\n</code></pre>'


def test_wiki_links_obsidian_and_text(make_vault):
    root = make_vault({
        "ML/Transformers.md": "# Attention\n",
        "a.md": "START\nBasic\nQ\nBack: see [[Transformers]], [[Transformers#Attention|attention]] and [[Missing]]\nEND\n",
    }, name="My Vault")
    (card,) = load_vault(root, load_config(root)).cards
    back = card.html["Back"]
    assert '<a href="obsidian://open?vault=My%20Vault&amp;file=ML%2FTransformers">Transformers</a>' in back
    assert 'href="obsidian://open?vault=My%20Vault&amp;file=ML%2FTransformers%23Attention">attention</a>' in back
    assert ">Missing</a>" in back
    assert set(card.links) == {"Transformers", "Missing"}
    (plain,) = load_vault(root, load_config(root, wikilinks="text")).cards
    assert plain.html["Back"] == "see Transformers, attention and Missing"


def test_highlight_table_and_lists(make_vault):
    html = card_html(make_vault, "==ATP==\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n- one\n- two")
    back = html["Back"]
    assert "<mark>ATP</mark>" in back
    assert "<table>" in back and "<td>1</td>" in back
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in back


def test_obsidian_comments_are_dropped(make_vault):
    html = card_html(make_vault, "visible %%private note%% text")
    assert html["Back"] == "visible  text"


def test_math_and_code_survive_the_import(make_vault, build, anki_import):
    root = make_vault({"m.md": (
        "START\nBasic\nWhat does `echo $HOME` print, and what is $x^2$?\n"
        "Back: $$\\int_0^1 x\\,dx = \\tfrac{1}{2}$$\nIt costs $5 and $10.\n"
        "```bash\necho \"$HOME\"\n```\nEND\n")})
    built = build(root)
    assert built.vault.errors == []
    imp = anki_import(built.apkg)
    (note,) = imp.notes()
    assert note.fields[0] == r"What does <code>echo $HOME</code> print, and what is \(x^2\)?"
    assert r"\[\int_0^1 x\,dx = \tfrac{1}{2}\]" in note.fields[1]
    assert "It costs $5 and $10." in note.fields[1]
    assert '<span class="nv">$HOME</span>' in note.fields[1]


def test_card_whose_code_sample_has_an_END_line_reaches_anki_whole(make_vault, build, anki_import):
    root = make_vault({"shell.md": (
        "START\nBasic\nHow do you write a here-document?\nBack:\n```bash\ncat <<END\nhello\nEND\n```\n"
        "The delimiter line ends it.\nTags: shell\nEND\n\nSTARTI [Basic] Next? Back: yes Tags: shell ENDI\n")})
    built = build(root)
    assert built.vault.errors == []
    imp = anki_import(built.apkg)
    note = imp.note("here-document")
    assert '<span class="s">END</span>' in note.fields[1]
    assert "The delimiter line ends it." in note.fields[1]
    assert note.tags == ["shell"]
    inline = imp.note("Next?")
    assert inline.fields == ["Next?", "yes"] and inline.tags == ["shell"]


# --- users' reports (issue 10) and hardening (issue 11) -------------------------------------------

def test_nested_list_in_brackets_is_not_a_wiki_link(make_vault):
    html = card_html(make_vault, "grid = [[0, 1], [1, 0]]")
    assert html["Back"] == "grid = [[0, 1], [1, 0]]"


GENETIC_FALLACY = ("---\naliases: [origin fallacy]\n---\n"
                   "Judging an argument by where it comes from.\n\n"
                   "## Example\nYou only say that because you are rich.\n\n"
                   "## Counter\nThe origin says nothing about the truth.\n")


def test_embedded_note_is_inlined(make_vault):
    root = make_vault({"Logic/Genetic fallacy.md": GENETIC_FALLACY,
                       "a.md": "START\nBasic\nWhat is the genetic fallacy?\nBack: ![[Genetic fallacy]]\nEND\n"})
    vault = load_vault(root, load_config(root))
    assert vault.diagnostics == []
    (card,) = vault.cards
    back = card.html["Back"]
    assert back.startswith('<div class="embed">')
    assert "Judging an argument by where it comes from." in back
    assert "<h2>Example</h2>" in back and "because you are rich" in back
    assert "aliases" not in back  # frontmatter is not content
    assert "Genetic fallacy" in card.links


def test_embedded_section_is_inlined_alone(make_vault):
    root = make_vault({"Genetic fallacy.md": GENETIC_FALLACY,
                       "a.md": "START\nBasic\nExample?\nBack: ![[Genetic fallacy#Example]]\nEND\n"})
    (card,) = load_vault(root, load_config(root)).cards
    back = card.html["Back"]
    assert "because you are rich" in back
    assert "where it comes from" not in back and "truth" not in back


def test_missing_embedded_note_or_section_warns_and_shows_the_name(make_vault):
    root = make_vault({"Genetic fallacy.md": GENETIC_FALLACY,
                       "a.md": "START\nBasic\nQ\nBack: ![[Nowhere]] and ![[Genetic fallacy#Nope]]\nEND\n"})
    vault = load_vault(root, load_config(root))
    (card,) = vault.cards
    assert card.html["Back"] == "Nowhere and Genetic fallacy &gt; Nope"
    messages = sorted(str(d) for d in vault.warnings)
    assert len(messages) == 2
    assert all(m.startswith("a.md:1: warning: embedded note ![[") for m in messages)
    assert "not found in the vault" in messages[1] and "section 'Nope' not found" in messages[0]


def test_embed_cycle_and_depth_are_bounded(make_vault):
    files = {"A.md": "A says ![[B]]\n", "B.md": "B says ![[A]]\n",
             "c.md": "START\nBasic\nQ\nBack: ![[A]]\nEND\n",
             "d.md": "START\nBasic\nDeep\nBack: ![[L1]]\nEND\n"}
    for i in range(1, 6):
        files[f"L{i}.md"] = f"level {i} ![[L{i + 1}]]\n"
    root = make_vault(files)
    vault = load_vault(root, load_config(root))
    cycle = next(c for c in vault.cards if c.front == "Q").html["Back"]
    assert cycle.count("A says") == 1 and cycle.count("B says") == 1
    deep = next(c for c in vault.cards if c.front == "Deep").html["Back"]
    assert "level 3" in deep and "level 4" not in deep
    kinds = sorted(d.message.split("]] ")[1].split(";")[0] for d in vault.warnings)
    assert kinds == ["embeds itself (a cycle)", "is nested more than 3 deep"]


def test_cloze_inside_math_keeps_its_closing_braces(make_vault, build, anki_import):
    assert card_html(make_vault, "$1+{{c1::1}}=2$", front="", note_type="Cloze")["Text"] == r"\(1+{{c1::1}}=2\)"
    text = card_html(make_vault, r"$A = {{c1::\pi r^2}}$ and $\frac{1}{x^{2}}$", front="",
                     note_type="Cloze")["Text"]
    assert text == r"\(A = {{c1::\pi r^2}}\) and \(\frac{1}{x^{2} }\)"
    nested = card_html(make_vault, r"$\frac{{c1::a}}{{c2::\sqrt{b}}}$", front="", note_type="Cloze")["Text"]
    assert nested == r"\(\frac{{c1::a}}{{c2::\sqrt{b} }}\)"
    root = make_vault({"c.md": "START\nCloze\n$1+{{c1::1}}=2$ and $A = {{c2::\\pi r^2}}$\nEND\n"}, name="anki")
    imp = anki_import(build(root).apkg)
    assert len(imp.col.find_cards("")) == 2  # Anki found both clozes


def test_curly_clozes_around_math(make_vault):
    def text(source: str) -> str:
        return card_html(make_vault, source, front="", note_type="Cloze", curly_cloze=True)["Text"]

    assert text("{1:$c^2$}") == r"{{c1::\(c^2\)}}"
    assert text("{$x$}") == r"{{c1::\(x\)}}"
    assert text(r"{c1|$\sqrt{2}$}") == r"{{c1::\(\sqrt{2}\)}}"
    explicit = text(r"{{c1::$\frac{\{P\}}{\{Q\}}$}}")
    assert explicit == r"{{c1::\(\frac{\{P\} }{\{Q\} }\)}}"
    assert explicit.count("{{c") == 1


@pytest.mark.parametrize("source, bold", [
    ("疾患がある人を陽性と判定できる率を**感度〈sensitivity〉**と呼ぶ。", "<strong>感度〈sensitivity〉</strong>"),
    ("を形成する**(Darier徴候陽性)**。", "<strong>(Darier徴候陽性)</strong>"),
    ("**このアスタリスクは強調記号として認識されず、そのまま表示されます。**この文のせいで。",
     "<strong>このアスタリスクは強調記号として認識されず、そのまま表示されます。</strong>"),
])
def test_bold_next_to_cjk_punctuation(make_vault, source, bold):
    assert bold in card_html(make_vault, source)["Back"]


def test_latin_flanking_rules_unchanged(make_vault):
    assert card_html(make_vault, 'a**"b"**c and **x**')["Back"] == 'a**&quot;b&quot;**c and <strong>x</strong>'


def test_unclosed_embeds_in_a_field_are_linear(make_vault):
    import time

    started = time.monotonic()
    html = card_html(make_vault, "![[a" * 250_000, curly_cloze=True, add_obsidian_tags=True)
    assert time.monotonic() - started < 20
    assert html["Back"].count("![[a") == 250_000


def test_private_use_characters_in_a_card_stay_and_media_still_resolve(make_vault, png_bytes, build, anki_import):
    # issue 15: U+E000/U+E001 were the renderer's media placeholders
    root = make_vault({"n.md": "START\nBasic\nQ \ue000x\ue001\nBack: \ue000 ![[pic.png]] \ue001\nEND\n",
                       "img/pic.png": png_bytes(1)})
    built = build(root)
    assert built.vault.diagnostics == []
    (note,) = anki_import(built.apkg).notes()
    assert note.fields == ["Q \ue000x\ue001", '\ue000 <img src="pic.png" alt=""> \ue001']


def test_embedded_nested_section(make_vault):
    note = "# Lehrziel-Fragen\nintro\n## attributierte Grammatik\nthe answer\n## other\nnot this\n"
    root = make_vault({"ke04.md": note,
                       "a.md": "START\nBasic\nQ\nBack: ![[ke04#Lehrziel-Fragen#attributierte Grammatik]]\nEND\n"})
    vault = load_vault(root, load_config(root))
    assert vault.diagnostics == []
    assert vault.cards[0].html["Back"] == '<div class="embed">the answer</div>'


def test_embed_fan_out_is_bounded(make_vault):
    # a "billion laughs" of note embeds: 10 embeds per level, 3 levels, would be 1,110 renderings
    files = {"a.md": "START\nBasic\nQ\nBack: " + "![[L1]] " * 10 + "\nEND\n"}
    for i in (1, 2, 3):
        files[f"L{i}.md"] = f"L{i} " + f"![[L{i + 1}]] " * 10 + "\n"
    files["L4.md"] = "leaf\n"
    root = make_vault(files)
    vault = load_vault(root, load_config(root))
    back = vault.cards[0].html["Back"]
    assert back.count('<div class="embed">') == 20
    assert any("more than 20 note embeds" in w.message for w in vault.warnings)


def test_highlight_clozes_and_headings_scan_linearly(make_vault):
    import time

    started = time.monotonic()
    html = card_html(make_vault, "==a " * 50_000, front="", note_type="Cloze", highlights_to_cloze=True)
    assert time.monotonic() - started < 20
    assert "{{c" not in html["Text"]
    from notes2anki.parsers.embeds import note_section

    started = time.monotonic()
    assert note_section("# a" + " #" * 50_000 + "b\ntext\n", "a") is None
    assert note_section("# a #\ntext\n", "a") == "text"
    assert time.monotonic() - started < 5


def test_highlight_clozes_may_enclose_wiki_links_and_math():
    """medu4 (real vault): ``==[[note|alias]]==`` and ``==$$x$$==`` are clozes in the plugin; 252
    cards with IDs were skipped as 'no cloze' when links and math split the highlight."""
    from notes2anki.parsers.inline_syntax import to_clozes

    assert to_clozes("==[[2.1 I 型アレルギー|I]]==型", False, True) == "{{c1::[[2.1 I 型アレルギー|I]]}}型"
    assert to_clozes(r"==$$odds = \frac{P}{1-P}$$==", True, True) == r"{{c1::$$odds = \frac{P}{1-P}$$}}"
    # a == inside math or code is still no marker
    assert to_clozes("a ==x== b $a==b$ ==c==", False, True) == "a {{c1::x}} b $a==b$ {{c2::c}}"
    assert to_clozes("`==a==` ==b==", False, True) == "`==a==` {{c1::b}}"
