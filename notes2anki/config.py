"""Configuration: notes2anki defaults < the Obsidian_to_Anki plugin's data.json < `.notes2anki.toml`
< command-line options.

Every key is documented in the README ("Configuration").
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .model import Diagnostic

PLUGIN_SETTINGS = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"
CONFIG_FILE = ".notes2anki.toml"


@dataclass(frozen=True)
class Syntax:
    """The marker words of the card syntax. The plugin lets users rename each one (data.json
    ``settings.Syntax``; ``[syntax]`` in ``.notes2anki.toml``); these are the plugin's defaults."""

    begin_note: str = "START"
    end_note: str = "END"
    begin_inline_note: str = "STARTI"
    end_inline_note: str = "ENDI"
    target_deck_line: str = "TARGET DECK"
    file_tags_line: str = "FILE TAGS"
    delete_note_line: str = "DELETE"
    frozen_fields_line: str = "FROZEN"


# data.json "Syntax" keys → Syntax attributes
PLUGIN_SYNTAX_KEYS = {
    "Begin Note": "begin_note",
    "End Note": "end_note",
    "Begin Inline Note": "begin_inline_note",
    "End Inline Note": "end_inline_note",
    "Target Deck Line": "target_deck_line",
    "File Tags Line": "file_tags_line",
    "Delete Note Line": "delete_note_line",
    "Frozen Fields Line": "frozen_fields_line",
}


@dataclass
class Config:
    default_deck: str = "Default"
    default_tag: str = ""  # added to every card ("" = none)
    scan_directory: str = ""  # vault-relative folder; "" = whole vault
    ignore: list[str] = field(default_factory=lambda: ["**/*.excalidraw.md"])
    folder_decks: dict[str, str] = field(default_factory=dict)
    folder_tags: dict[str, list[str]] = field(default_factory=dict)
    curly_cloze: bool = False
    highlights_to_cloze: bool = False
    add_obsidian_tags: bool = False
    add_file_link: bool = False
    add_context: bool = False
    file_link_fields: dict[str, str] = field(default_factory=dict)
    context_fields: dict[str, str] = field(default_factory=dict)
    custom_regexps: dict[str, str] = field(default_factory=dict)
    wikilinks: str = "obsidian"  # "obsidian" (obsidian:// link) | "text"
    vault_name: str = ""  # name used in obsidian:// links; "" = the vault folder's name
    note_types: dict[str, dict] = field(default_factory=dict)  # user-defined note types
    syntax: Syntax = field(default_factory=Syntax)  # marker words (not yet read from files: see issue 10)
    sections: dict[str, dict] = field(default_factory=dict)  # other tables ([dupes], [semantic], ...)
    sources: list[str] = field(default_factory=list)  # files the configuration came from

    def section(self, name: str) -> dict:
        """A table of `.notes2anki.toml` other than the build keys, e.g. ``[dupes]``; {} if absent."""
        value = self.sections.get(name, {})
        return value if isinstance(value, dict) else {}

    def with_overrides(self, **overrides) -> "Config":
        """A copy with the given keys replaced; None values are ignored (options not given)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


_KEYS = {f.name for f in fields(Config)} - {"sections", "sources"}


def _plugin_settings(raw: dict) -> dict:
    """Translate the plugin's data.json (``{"settings": {...}, "fields_dict": {...}}``) into Config keys."""
    data = raw.get("settings", raw) if isinstance(raw, dict) else {}
    defaults = data.get("Defaults", {}) or {}
    mapping = {
        "Scan Directory": "scan_directory",
        "Deck": "default_deck",
        "Tag": "default_tag",
        "CurlyCloze": "curly_cloze",
        "CurlyCloze - Highlights to Clozes": "highlights_to_cloze",
        "Add Obsidian Tags": "add_obsidian_tags",
        "Add File Link": "add_file_link",
        "Add Context": "add_context",
    }
    out: dict = {target: defaults[key] for key, target in mapping.items() if key in defaults}
    if isinstance(data.get("IGNORED_FILE_GLOBS"), list):
        out["ignore"] = list(data["IGNORED_FILE_GLOBS"])
    regexps = {k: v for k, v in (data.get("CUSTOM_REGEXPS") or {}).items() if v}
    if regexps:
        out["custom_regexps"] = regexps
    for key, target in (("FILE_LINK_FIELDS", "file_link_fields"), ("CONTEXT_FIELDS", "context_fields")):
        if data.get(key):
            out[target] = dict(data[key])
    decks = {k: v for k, v in (data.get("FOLDER_DECKS") or {}).items() if v}
    if decks:
        out["folder_decks"] = decks
    tags = {k: v.split() if isinstance(v, str) else list(v)
            for k, v in (data.get("FOLDER_TAGS") or {}).items() if v}
    if tags:
        out["folder_tags"] = tags
    # Note types the plugin saw in the user's Anki: their field names, so their cards parse.
    known = {"Basic", "Basic (and reversed card)", "Basic (optional reversed card)",
             "Basic (type in the answer)", "Cloze"}
    custom = {name: {"fields": list(flds)} for name, flds in (raw.get("fields_dict") or {}).items()
              if name not in known and isinstance(flds, list) and flds}
    if custom:
        out["note_types"] = custom
    return out


def load_config(root: Path, diagnostics: list[Diagnostic] | None = None, **overrides) -> Config:
    """Read the vault's configuration. Problems are appended to ``diagnostics``; never raises."""
    diags = diagnostics if diagnostics is not None else []
    root = Path(root)
    values: dict = {}
    sections: dict[str, dict] = {}
    sources: list[str] = []

    plugin = root / PLUGIN_SETTINGS
    if plugin.is_file():
        try:
            values.update(_plugin_settings(json.loads(plugin.read_text("utf-8-sig"))))
            sources.append(PLUGIN_SETTINGS)
        except (ValueError, OSError, AttributeError, TypeError) as exc:
            diags.append(Diagnostic(PLUGIN_SETTINGS, 0, "warning", f"plugin settings not read: {exc}"))

    own = root / CONFIG_FILE
    if own.is_file():
        try:
            data = tomllib.loads(own.read_text("utf-8-sig"))
            sources.append(CONFIG_FILE)
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
            diags.append(Diagnostic(CONFIG_FILE, _toml_line(exc), "error", f"configuration not read: {exc}"))
            data = {}
        build = data.pop("build", {}) if isinstance(data.get("build"), dict) else {}
        for key, value in list(data.items()) + list(build.items()):
            if key in _KEYS:
                values[key] = value
            elif isinstance(value, dict):
                sections[key] = value
            else:
                diags.append(Diagnostic(CONFIG_FILE, 0, "warning", f"unknown key {key!r} ignored"))

    cfg = Config(**_checked(values, diags))
    cfg.sections = sections
    cfg.sources = sources
    return cfg.with_overrides(**overrides)


def _checked(values: dict, diags: list[Diagnostic]) -> dict:
    """Drop values of the wrong type, with a warning, instead of failing later."""
    defaults = Config()
    out = {}
    for key, value in values.items():
        expected = type(getattr(defaults, key))
        if isinstance(value, expected) or (expected is dict and value is None):
            out[key] = value or expected()
        else:
            diags.append(Diagnostic(CONFIG_FILE, 0, "warning",
                                    f"{key} should be a {expected.__name__}, got {value!r}; default used"))
    return out


def _toml_line(exc: Exception) -> int:
    return getattr(exc, "lineno", 0) or 0


def number_setting(section: dict, table: str, key: str, low: float, high: float | None = None, *,
                   whole: bool = False, open_range: bool = False,
                   problems: list[str]) -> float | int | None:
    """A numeric key of a `.notes2anki.toml` table, or None (absent, or wrong: a problem is appended)."""
    value = section.get(key)
    if value is None:
        return None
    kinds = (int,) if whole else (int, float)
    inside = (low < value if open_range else low <= value) if isinstance(value, kinds) else False
    if inside and high is not None:
        inside = value < high if open_range else value <= high
    if isinstance(value, kinds) and not isinstance(value, bool) and inside:
        return value if whole else float(value)
    if whole:
        wanted = f"a whole number >= {low}"
    else:
        wanted = f"a number between {low:g} and {high:g}"
    problems.append(f"[{table}] {key} should be {wanted}, got {value!r}; ignored")
    return None
