"""The marker words of the card syntax (:class:`Syntax`), apart from the pydantic schema of
:mod:`notes2anki.config_schema`: parsing a vault needs them, validating a configuration file needs pydantic, and
a vault without configuration files (or a run that only reads its caches) should not import pydantic (0.2 s).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Syntax:
    """The marker words of the card syntax, declared once: each attribute's default is the plugin's word,
    its ``plugin_key`` metadata the key the plugin's data.json uses (``settings.Syntax``). The plugin lets
    users rename each one; ``[syntax]`` in ``.notes2anki.toml`` does too. :class:`SyntaxTable` and
    :class:`PluginSyntax` (the validated tables of the two files) are built from these fields."""

    begin_note: str = field(default="START", metadata={"plugin_key": "Begin Note"})
    end_note: str = field(default="END", metadata={"plugin_key": "End Note"})
    begin_inline_note: str = field(default="STARTI", metadata={"plugin_key": "Begin Inline Note"})
    end_inline_note: str = field(default="ENDI", metadata={"plugin_key": "End Inline Note"})
    target_deck_line: str = field(default="TARGET DECK", metadata={"plugin_key": "Target Deck Line"})
    file_tags_line: str = field(default="FILE TAGS", metadata={"plugin_key": "File Tags Line"})
    delete_note_line: str = field(default="DELETE", metadata={"plugin_key": "Delete Note Line"})
    frozen_fields_line: str = field(default="FROZEN", metadata={"plugin_key": "Frozen Fields Line"})


# data.json "Syntax" keys → Syntax attributes
PLUGIN_SYNTAX_KEYS = {f.metadata["plugin_key"]: f.name for f in fields(Syntax)}
