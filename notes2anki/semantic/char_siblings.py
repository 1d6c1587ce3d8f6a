"""Near copies only, for the pairs judged by character n-grams: two questions that differ by a term are two
questions, wherever the term sits.

Character n-grams see "Je UML diagram případů užití strukturní diagram nebo diagram chování?" and "Je UML
stavový diagram strukturní diagram nebo diagram chování?" as 0.91 alike: the sibling questions of one
template (FIT-Statnice), whose answers are one of two words. The swap cue the learned judge uses
(:func:`notes2anki.semantic.contrast.substitutions`) finds a swapped term only where the words align in
place, and here the diagram's name moves ("diagram případů užití" / "stavový diagram"); "Kdy se resolvuje
this?" / "Kdy se u traitů resolvuje super?" adds words on one side while it swaps ``this`` for ``super``;
"(AB)^-1" / "(A^T)^-1" swaps notation, which a word list marks as no content at all.

So :func:`swapped_terms` compares the two questions as *bags* of words (letters and digits, case and
accents folded, in any order): each side holding a word the other lacks — up to typos and inflections
(:func:`notes2anki.semantic.word_match.same_word`), numbers left to the number check — is a swapped term.
Text without spaces (Japanese, Chinese) is compared by characters: each side holding kanji or katakana in
place of the other's is a swap (急性 / 慢性); hiragana are grammar (は / とは). A near copy —
the same words, retyped, inflected, reordered, with punctuation or words added on one side only — passes.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from .word_match import same_word

_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]+")
_HIRAGANA = re.compile(r"[\u3040-\u309f]")


def _content(span: str) -> bool:
    """Whether a CJK span holds a character of content (kanji, katakana), not only hiragana (grammar)."""
    return bool(_HIRAGANA.sub("", span))


def _fold(word: str) -> str:
    """Lower case, accents off (a word compared as typed without them)."""
    word = unicodedata.normalize("NFKD", word.casefold())
    return unicodedata.normalize("NFC", "".join(ch for ch in word if not unicodedata.combining(ch)))


def _words(text: str) -> list[tuple[str, str]]:
    """(folded, as written) of the words outside CJK runs; numbers left out (the number check compares them
    by value)."""
    return [(_fold(w), w) for w in _WORD.findall(_CJK.sub(" ", text)) if not w.isdigit()]


def _same(a: str, b: str) -> bool:
    """One word: :func:`~notes2anki.semantic.word_match.same_word`, or the same stem with another ending (a
    common start of 5+ letters that leaves at most 3 letters of the shorter word: "vysvětlete" /
    "vysvětli", "zásobníku" / "zásobníky", as inflected languages write one word)."""
    if same_word(a, b):
        return True
    shorter = min(len(a), len(b))
    common = 0
    while common < shorter and a[common] == b[common]:
        common += 1
    return common >= 5 and common >= shorter - 3


def _unmatched(words: list[tuple[str, str]], others: list[tuple[str, str]]) -> list[str]:
    return [w for f, w in words if not any(_same(f, o) for o, _ in others)]


def swapped_terms(a: str, b: str) -> tuple[str, str] | None:
    """(what ``a`` says, what ``b`` says instead) when the two texts differ by a term (see the module
    docstring), else None."""
    a, b = unicodedata.normalize("NFKC", a), unicodedata.normalize("NFKC", b)
    wa, wb = _words(a), _words(b)
    left, right = _unmatched(wa, wb), _unmatched(wb, wa)
    if left and right:
        return " ".join(dict.fromkeys(left)), " ".join(dict.fromkeys(right))
    ca, cb = "".join(_CJK.findall(a)), "".join(_CJK.findall(b))
    if ca and cb and ca != cb:
        for op, i1, i2, j1, j2 in SequenceMatcher(a=ca, b=cb, autojunk=False).get_opcodes():
            if op == "replace" and _content(ca[i1:i2]) and _content(cb[j1:j2]):
                return ca[i1:i2], cb[j1:j2]
    return None


def veto(verdict, question_a: str, question_b: str, threshold: float) -> None:
    """Add the veto "the questions differ by a term" to an accepted character n-gram ``verdict`` (a
    :class:`~notes2anki.semantic.scoring.Verdict`) whose questions :func:`swapped_terms` tells apart;
    verdicts of the model, and rejected ones, are left as they are."""
    if verdict.method != "chargrams" or not verdict.accepted(threshold):
        return
    found = swapped_terms(question_a, question_b)
    if found is not None:
        verdict.vetoes.append(f"the questions differ by a term ({found[0]} / {found[1]}): not a near copy")
