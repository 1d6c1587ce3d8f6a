"""Fields rendered to Anki HTML: math, code, wiki links, highlights (checked in the built deck too)."""
from __future__ import annotations

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
