"""Two corrections to mdit-py-plugins' dollar-math rules (``dollarmath_plugin``, version 0.7.0), installed by
:func:`fix_dollar_math` over the rules the plugin registered.

* **A text that starts with ``$`` and ends with a digit.** With ``allow_digits=False`` the inline rule refuses
  a ``$`` with a digit just before it (``3$``: currency), reading the character before as
  ``state.src[state.pos - 1]``; at the start of a text that index is -1, the text's *last* character. So
  ``$E = mc^2$ (1905)`` or ``$\\det A = 0$ iff rank < 2`` stayed raw dollars on the card, in the card's text
  and on the plugin's side a formula. Here, at the start of a text, nothing is before the ``$``.
* **Two display formulas on one line.** ``$$R^T = R^{-1}$$ and $$\\det R = 1$$`` was read by the block rule as
  one block from the first ``$$`` to the last (the line starts and ends with ``$$``), so the card showed
  ``\\[R^T = R^{-1}$$ and $$\\det R = 1\\]`` (tester B r1). The Obsidian_to_Anki plugin matches ``$$…$$``
  lazily, and Obsidian shows two formulas: such a line is left to the inline rule, which reads each
  ``$$…$$`` as display math.
"""
from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath.index import math_inline_dollar


def fix_dollar_math(md: MarkdownIt, *, allow_space: bool, double_inline: bool) -> None:
    """Replace ``md``'s ``math_inline`` and ``math_block`` rules (registered by ``dollarmath_plugin`` with
    ``allow_digits=False`` and these ``allow_space`` / ``double_inline``) by the corrected ones above.
    Raises KeyError when the plugin's rules are not there."""
    inline = _rule(md.inline.ruler, "math_inline")
    at_start = math_inline_dollar(allow_space, True, double_inline)  # the same rule without the digit checks

    def math_inline(state: Any, silent: bool) -> bool:
        if state.pos or not state.src[-1:].isdigit():
            return inline(state, silent)
        start = state.pos
        if not at_start(state, True):
            return False
        after = state.pos  # past the closing $: a digit there is currency ("$5 and $6"), as the plugin says
        state.pos = start
        if after < len(state.src) and state.src[after].isdigit():
            return False
        return at_start(state, silent)

    block = _rule(md.block.ruler, "math_block")

    def math_block(state: Any, start_line: int, end_line: int, silent: bool) -> bool:
        begin = state.bMarks[start_line] + state.tShift[start_line]
        line = state.src[begin:state.eMarks[start_line]].strip()
        if len(line) > 4 and line.startswith("$$") and line.endswith("$$") and "$$" in line[2:-2]:
            return False  # "$$a$$ and $$b$$": two formulas, read by the inline rule
        return block(state, start_line, end_line, silent)

    md.inline.ruler.at("math_inline", math_inline)
    md.block.ruler.at("math_block", math_block)


def _rule(ruler: Any, name: str) -> Any:
    """The function of rule ``name`` of a markdown-it ``ruler`` (KeyError when there is none)."""
    for rule in ruler.__rules__:
        if rule.name == name:
            return rule.fn
    raise KeyError(name)
