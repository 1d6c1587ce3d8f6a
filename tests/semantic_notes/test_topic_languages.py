"""Topic labels in the vault's language (tester S17, S21): one word in one form (lemmas: simplemma), Japanese
compound nouns (sudachipy), Chinese words (rjieba), no Obsidian markup."""
from __future__ import annotations

import numpy as np

from notes2anki.model import Card
from notes2anki.semantic.label_words import Lexicon, strip_markup
from notes2anki.semantic.topic_labels import keywords
from notes2anki.semantic.topics import find_topics


def _topics(groups: dict[str, list[str]]):
    """find_topics on one note per card, the groups given as orthogonal vectors (k = number of groups)."""
    cards, rows = [], []
    for g, (name, texts) in enumerate(groups.items()):
        for line, text in enumerate(texts):
            cards.append(Card("Basic", {"Front": text, "Back": ""}, f"{name}/{line}.md", 1))
            rows.append(np.eye(len(groups))[g])
    return find_topics(cards, np.array(rows, dtype=np.float32), k=len(groups), min_size=1, subtopics=False)


def test_czech_inflections_are_one_label_word():
    """FIT: 'transakce · transakcí', 'vlákna · prologu · vláken', 'matice · matici'."""
    groups = [["Co je transakce?", "Vlastnosti transakcí (ACID)", "Rozvrh transakcí a uzamykání",
               "Izolace transakcí"],
              ["Co je vlákno?", "Jak se liší vlákna od procesů?", "Kolik vláken má proces?", "Plánování vláken"],
              ["Jaká je inverzní matice?", "Kdy je matice regulární?", "Determinant matice", "Hodnost matici"]]
    words = keywords(groups, n=3)
    assert words[0][0] == "transakcí" and "transakce" not in words[0]  # the form the cards use most
    assert words[1][0] == "vláken" and not {"vlákna", "vlákno"} & set(words[1])
    assert words[2][0] == "matice" and "matici" not in words[2]


def test_japanese_labels_are_compound_nouns_not_generic_words():
    """medu4: '患者 · 以下 · 可能', '存在 · 細胞 · 通過', '評価 · 対応 · 抗体', '呼吸困難 · pao · paco'."""
    lexicon = Lexicon(["急性膵炎の診断"])  # Han written with kana: Japanese
    assert [s for _, s in lexicon.terms("細胞膜を通過することが可能で、細胞内に存在する")] == ["細胞膜", "細胞内"]
    assert [s for _, s in lexicon.terms("重症度を評価し、適切に対応する")] == ["重症度"]
    # formal and adverbial nouns (こと, もの, ため, 場合, 以上, 時期): kana only, or 副詞可能 alone in Sudachi
    assert [s for _, s in lexicon.terms("そのためのこと、もの。この場合、以上の時期に")] == []
    assert [s for _, s in lexicon.terms("呼吸困難ではPaCO2の上昇とPaO2の低下がみられる")] \
        == ["呼吸困難", "PaCO2", "上昇", "PaO2", "低下"]
    assert [s for _, s in lexicon.terms("大動脈解離と心不全、B型肝炎、2型糖尿病、Ⅰ型アレルギー、ＣＴ")] \
        == ["大動脈解離", "心不全", "B型肝炎", "2型糖尿病", "I型アレルギー", "CT"]
    groups = [["呼吸困難でPaCO2が上昇する", "PaCO2の評価が必要である", "呼吸困難の原因を評価する"],
              ["急性膵炎が存在する", "急性膵炎の診断に有用な検査", "膵炎の重症度を評価する"]]
    words = keywords(groups, n=3)
    assert words[0][:2] == ["PaCO2", "呼吸困難"] and words[1][0] == "急性膵炎"
    assert not {"評価", "存在", "必要", "可能", "有用"} & {w for ws in words for w in ws}


SAM = {"statistics": ["> [!note] 记忆口诀\n> 统计量形式是什么", "t分布表的主要特点和用途是什么",
                      "卡方分布表的主要用途是什么", "统计量的抽样分布是什么"],
       "law": ["> [!callout] 什么是民事法律行为的定义", "主从法律行为以及正确答案应为哪些类型",
               "民事法律行为的分类有哪些", "法律行为的生效要件是什么"]}


def test_chinese_labels_are_words_not_clauses_and_markup_is_no_label():
    """SAM-yuan-shan: '记忆口诀 · 统计量形式是 · 分布表的主要特点和用途是什么', '实事求是 · 新民主主义革命 · callout'."""
    result = _topics(SAM)
    labels = {t.cards[0].file.split("/")[0]: t.keywords for t in result.topics}
    assert set(labels) == {"statistics", "law"}
    assert all(1 < len(w) <= 4 for ws in labels.values() for w in ws), labels
    assert {"主要用途", "卡方", "统计量", "分布"} & set(labels["statistics"][:3]), labels
    assert {"民事法律", "法律", "行为"} & set(labels["law"][:3]), labels
    assert not {"callout", "note"} & {w for ws in labels.values() for w in ws}


def test_obsidian_markup_is_not_text():
    assert strip_markup("> [!note]+ Title\n%%a comment%% [[Cell membrane|membranes]] and [[Mitosis]]") \
        .split() == [">", "Title", "membranes", "and", "Mitosis"]


def test_labels_do_not_depend_on_the_order_of_the_texts():
    groups = [["Co je transakce?", "Vlastnosti transakcí (ACID)", "Rozvrh transakce"],
              ["Co je vlákno?", "Plánování vláken", "Vlákna a procesy"]]
    assert keywords(groups, n=3) == keywords([list(reversed(g)) for g in groups], n=3)


def test_a_label_word_keeps_the_capitals_of_an_acronym_or_formula():
    """Till-Fri / Supre: 'Emociones-y-Caracter', 'Bienaymé-Tchebychev' are names written with capitals
    after a hyphen, not acronyms; shown as the vault writes them, as CT, PaCO2, IPv6 are."""
    groups = [["Algorithme d'Edmonds-Karp et flot", "Edmonds-Karp : complexité du flot", "Le flot maximum"],
              ["IPv6 et CT : adresse IPv6", "Adresse IPv6 et CT", "Le CT de IPv6"],
              ["Vitamine B12 et Horner症候群の症状", "B12 : Horner症候群とは", "Carence en B12"]]
    words = keywords(groups, n=3)
    assert "Edmonds-Karp" in words[0] and {"IPv6", "CT"} <= set(words[1]) and {"B12", "Horner症候群"} <= set(words[2])


def test_a_long_run_of_cjk_text_is_read_in_bounded_pieces():
    lexicon = Lexicon(["急性膵炎の診断"])
    terms = lexicon.terms("急性膵炎の検査。" * 3000 + "あ" * 5000)
    assert {s for _, s in terms} == {"急性膵炎", "検査"}


def test_a_label_word_keeps_its_leading_digits_before_a_capital():
    """Tester U9: fu-1810's "3AC" (three-address code) became the label word "AC", found nowhere in the
    vault. 3AC, 2NF, 3D, 5G keep their digits; an ordinal or a number with a unit (1st, 10px) is still no
    word, and a plain number none either."""
    lexicon = Lexicon(["Zwischencode"], languages=["de", "en"])
    surfaces = [s for _, s in lexicon.terms("3AC-Code in 2NF, 3D-Druck, 5G; 1st place, 10px, 2023")]
    assert surfaces[:4] == ["3AC-Code", "2NF", "3D-Druck", "5G"] and "AC" not in surfaces
    assert not {"st", "px", "2023", "1st", "10px"} & set(surfaces)
    groups = [["Was ist 3AC?", "3AC: Quadrupel", "Übersetzung in 3AC"],
              ["Was ist die 2NF?", "2NF und 3NF", "Normalform 2NF"]]
    words = keywords(groups, n=2)
    assert words[0][0] == "3AC" and words[1][0] == "2NF" and "AC" not in words[0]


def test_a_label_word_is_shown_with_the_capitals_the_vault_writes_it_with():
    """Tester: labels were lower-cased ("dna replication", "fourier transform"). Case is folded for counting
    only: a name, an acronym, a German noun keep their capitals; a word capitalised only because a
    sentence, a line or a field starts with it is shown in lower case."""
    groups = [["What is DNA replication?", "Replication of DNA starts at the origin",
               "DNA replication is semi-conservative", "The Krebs cycle and DNA replication"],
              ["The Fourier transform of a Gaussian", "Fourier transform: linearity", "Inverse Fourier transform",
               "Transform pairs and the Fourier series"],
              ["Was ist eine Zelle?", "Die Zelle und ihre Membran", "Zelle: Aufbau der Membran", "Membran der Zelle"]]
    words = keywords(groups, n=3)
    assert words[0][:2] == ["DNA", "replication"]
    assert words[1][:2] == ["Fourier", "transform"]
    assert words[2][:2] == ["Zelle", "Membran"]
    # the two forms of one word count as one: "Replication" / "replication" are not two label words
    assert len({w.lower() for w in words[0]}) == len(words[0])
    # a word only ever written at the start of a sentence keeps that capital (nothing tells it is not a name)
    assert keywords([["Mitosis | spindle", "Mitosis: phases"], ["Meiosis | crossing over", "Meiosis: phases"]],
                    n=1) == [["Mitosis"], ["Meiosis"]]
