"""Text from the vault as the terminal shows it."""
from __future__ import annotations

import re

from rich.markup import escape as markup_escape

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters but tab and line break


def escape(text: str) -> str:
    """``text`` ready for rich: its markup escaped (``[b]`` shown as written) and every control character
    but tab and line break shown as its escape (``\\x1b``), so card text or a file name from a shared vault
    cannot drive the terminal (clear the screen, set the window title) through an escape sequence."""
    text = _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text) if text else text
    return markup_escape(text)
