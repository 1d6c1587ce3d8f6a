"""Configuration: notes2anki defaults < the Obsidian_to_Anki plugin's data.json < `.notes2anki.toml`
< command-line options, read and validated once into one :class:`Config`.

The schema (every key, its type and range) is declared in :mod:`notes2anki.config_schema`. Each problem
becomes a :class:`~notes2anki.model.Diagnostic` naming the file the value came from and the key, e.g.
``.notes2anki.toml: error: folder_decks.sub: should be text in quotes ("…"), got 5``. A file that cannot be
read or a value that cannot be used is an error with ``kind="config"`` (:func:`fatal_problems`): the
commands stop with exit 2 rather than build with the wrong decks and tags. Unknown keys are warnings.
Every key is documented in the README ("Configuration").
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .config_files import (CONFIG_FILE, CONFIG_KIND, PLUGIN_SETTINGS, _parse_json, _parse_toml,  # noqa: F401
                           _line_of, _problem, _read, _validate)
from .config_lines import shown
from .config_checks import (_check_deck_names, _check_markers, _check_tag_names, _checked_patterns, _folder_rel,
                            _folder_tables, check_custom_regexps, check_field_tables, override_problems)
from .config_syntax import PLUGIN_SYNTAX_KEYS, Syntax  # noqa: F401  (declared once, there)
from .fileio import MAX_CONFIG_BYTES, is_inside
from .model import BUILTIN_FIELDS, Diagnostic, note_type_fields
from .unicode_paths import spelled_on_disk

if TYPE_CHECKING:
    from . import config_schema as schema

MAX_PLUGIN_SETTINGS_BYTES = 32 * 1024 * 1024  # data.json also lists every file's hash: it grows with the vault
DEFAULT_IGNORE = ["**/*.excalidraw.md"]  # kept unless the user writes "!**/*.excalidraw.md"


_TABLES = ("semantic", "dupes", "related", "topics", "sync", "report")


# The defaults of each table, as the schema declares them (config_schema.SECTIONS; a test checks they agree):
# a table the files do not set reads these without importing pydantic (0.2 s of a warm run).
_TABLE_DEFAULTS: dict[str, dict[str, Any]] = {
    "semantic": {"model": None, "device": None},
    "dupes": {"threshold": None, "ignore": []},
    "related": {"k": None, "min_score": None, "exclude": [], "exclude_defaults": True},
    "topics": {"threshold": None, "min_size": None, "k": None},
    "sync": {"collection": None, "profile": None, "vault_id": None},
    "report": {"output": None},
}


class TableDefaults:
    """A table the configuration files do not set: its keys' defaults as attributes (read-only), like the
    validated table (``config.dupes.threshold`` ...) but made without pydantic."""

    __slots__ = ("_name", "_values")

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_values", {k: (list(v) if isinstance(v, list) else v)
                                             for k, v in _TABLE_DEFAULTS[name].items()})

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"[{self._name}] has no key {key!r}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("configuration tables are read-only")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TableDefaults) and (self._name, self._values) == (other._name, other._values)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "default"


class _Table:
    """A table attribute of :class:`Config` (``config.dupes`` ...): the validated table when the files set
    one, else its :class:`TableDefaults`. The dataclass default is None (unset)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return None  # the dataclass field's default: not set
        value = obj.__dict__.get(self.name)
        return TableDefaults(self.name) if value is None else value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value


@dataclass
class Config:
    """The validated settings of one vault. Build keys are attributes; the other tables are typed,
    frozen sub-objects (``config.semantic.model``, ``config.dupes.threshold``, ``config.related.k``)."""

    default_deck: str = "Default"
    default_tag: str | tuple[str, ...] = ""  # added to every card ("" = none); build --tag A --tag B: both
    scan_directory: str = ""  # vault-relative folder; "" = whole vault
    ignore: list[str] = field(default_factory=lambda: list(DEFAULT_IGNORE))  # gitignore-style patterns
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
    unused_regexps: tuple[str, ...] = ()  # note types whose custom regex is set but not used (no such type)
    wikilinks: str = "obsidian"  # "obsidian" (obsidian:// link) | "text"
    vault_name: str = ""  # name used in obsidian:// links; "" = the vault folder's name
    note_types: dict[str, dict] = field(default_factory=dict)  # user note types: {"fields": [...], ...}
    sanitize_html: bool = False  # [build] sanitize_html: strip scripts/handlers from fields (shared decks)
    skip_templates: bool = True  # cards in the template folders of .obsidian are not built (template_folders.py)
    template_folders: list[str] = field(default_factory=list)  # more template folders (vault-relative, normalised)
    template_folders_unusable: int = 0  # entries of template_folders naming no vault folder (not used)
    id_comments: bool = True  # `ids` writes <!--ID: n-->; False: `ID: n` (the plugin's "ID Comments" off)
    syntax: Syntax = field(default_factory=Syntax)  # marker words
    # the validated tables; a table the files do not set reads its defaults (TableDefaults: no pydantic, which
    # is imported only when a configuration file is validated)
    semantic: schema.SemanticSettings = _Table()  # type: ignore[assignment]
    dupes: schema.DupesSettings = _Table()  # type: ignore[assignment]
    related: schema.RelatedSettings = _Table()  # type: ignore[assignment]
    topics: schema.TopicsSettings = _Table()  # type: ignore[assignment]
    sync: schema.SyncSettings = _Table()  # type: ignore[assignment]
    report: schema.ReportSettings = _Table()  # type: ignore[assignment]
    sections: dict[str, dict] = field(default_factory=dict)  # the raw tables ([dupes], ...), as written
    sources: list[str] = field(default_factory=list)  # files the configuration came from
    origin: dict[str, str] = field(default_factory=dict)  # key → the file its value came from
    # the text of `.notes2anki.toml` ("" when there is none), for the line of a key in a message (line_of);
    # not part of the settings: not compared, not in repr (the parse cache hashes the repr)
    toml_text: str = field(default="", repr=False, compare=False)

    def line_of(self, *loc: str | int) -> int:
        """The line of `.notes2anki.toml` where the key at ``loc`` is written, a list position (0-based)
        giving that entry's line: ``config.line_of("dupes", "ignore", 1, 0)``; 0 when not found."""
        return _line_of(self.toml_text, [str(part) for part in loc]) if self.toml_text else 0

    def section(self, name: str) -> dict:
        """A table of `.notes2anki.toml` other than the build keys, e.g. ``[dupes]``, as written; {} if
        absent. (Prefer the validated ``config.dupes`` etc.)"""
        value = self.sections.get(name, {})
        return value if isinstance(value, dict) else {}

    def with_overrides(self, **overrides) -> "Config":
        """A copy with the given keys replaced; None values are ignored (options not given). Tables not
        set stay unset (their defaults are not made)."""
        return replace(self, **{**{name: self.__dict__.get(name) for name in _TABLES},
                                **{k: v for k, v in overrides.items() if v is not None}})

    def __repr__(self) -> str:
        """As a dataclass shows it, but a table the files do not set reads ``name=default`` (its defaults
        are not made: that would import pydantic). Stable: the parse cache hashes it."""
        parts = []
        for f in fields(self):
            if not f.repr:
                continue
            value = self.__dict__.get(f.name) if f.name in _TABLES else getattr(self, f.name)
            parts.append(f"{f.name}={'default' if value is None and f.name in _TABLES else repr(value)}")
        return f"Config({', '.join(parts)})"


def table_problems(config: "Config", problems: list[str]) -> list[Diagnostic]:
    """Warnings about a table's settings (``"[topics] k and threshold both choose the subjects; k is used"``)
    at the line of `.notes2anki.toml` where the key they begin with is written (0 when not found)."""
    out = []
    for problem in problems:
        m = re.match(r"\[(\w+)\] (\w+)", problem)
        line = config.line_of(m.group(1), m.group(2)) if m and hasattr(config, "line_of") else 0
        out.append(Diagnostic(CONFIG_FILE, line, "warning", problem))
    return out


def _both_places(toml, text: str, diags: list[Diagnostic]) -> None:
    """A build key written both at the top level and under ``[build]``: ``[build]``'s value is used (a
    warning at its line names both). ``ignore`` and ``note_types`` are not: both places' are used."""
    if toml.build is None:
        return
    for key in sorted(toml.model_fields_set & toml.build.model_fields_set - {"build", "ignore", "note_types"}):
        top, inner = _line_of(text, [key], exact=True), _line_of(text, ["build", key], exact=True)
        diags.append(Diagnostic(CONFIG_FILE, inner, "warning",
                                f"build.{key}: also set at the top level{f' (line {top})' if top else ''}; "
                                f"the value under [build], {shown(getattr(toml.build, key))}, is used",
                                CONFIG_KIND))


def fatal_problems(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that must stop a command: configuration errors (``kind == "config"``)."""
    return [d for d in diagnostics if d.severity == "error" and getattr(d, "kind", "") == CONFIG_KIND]


def load_config(root: Path, diagnostics: list[Diagnostic] | None = None, **overrides) -> Config:
    """Read and validate the vault's configuration (data.json, then `.notes2anki.toml`).

    Problems are appended to ``diagnostics`` (see :func:`fatal_problems` for those that must stop a
    command); a value with a problem is replaced by its default. Never raises.
    """
    diags = diagnostics if diagnostics is not None else []
    root = Path(root)
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    sources: list[str] = []
    syntax: dict[str, str] = {}
    ignore = list(DEFAULT_IGNORE)
    sections: dict[str, dict] = {}

    plugin = _read(root, PLUGIN_SETTINGS, MAX_PLUGIN_SETTINGS_BYTES, diags)
    if plugin is not None:
        sources.append(PLUGIN_SETTINGS)
        found = _plugin_values(_parse_json(plugin, diags), diags)
        for key, value in found.items():
            if key == "syntax":
                syntax.update(value)
            elif key == "ignore":
                ignore += value
            else:
                values[key] = value
            origin[key] = PLUGIN_SETTINGS

    own = _read(root, CONFIG_FILE, MAX_CONFIG_BYTES, diags)
    if own is not None:
        from . import config_schema as schema

        sources.append(CONFIG_FILE)
        raw = _parse_toml(own, diags)
        toml = _validate(schema.TomlFile, raw, CONFIG_FILE, own, diags)
        _both_places(toml, own, diags)
        for part in (toml, toml.build):
            for key in sorted(part.model_fields_set if part is not None else ()):
                if key in schema.BuildKeys.model_fields:
                    value = getattr(part, key)
                    if key == "ignore":
                        ignore += _checked_patterns(value, key, own, diags)
                    elif key == "note_types":
                        values[key] = {**values.get(key, {}), **_note_types(value)}
                    else:
                        values[key] = value
                    origin[key] = CONFIG_FILE
        if toml.syntax is not None:
            syntax.update({k: getattr(toml.syntax, k) for k in toml.syntax.model_fields_set})
            origin["syntax"] = CONFIG_FILE
        for name in schema.SECTIONS:
            table = getattr(toml, name)
            if table is not None:
                values[name] = table
                sections[name] = raw.get(name) if isinstance(raw.get(name), dict) else {}
                origin[name] = CONFIG_FILE
        if toml.related is not None:
            _checked_patterns(toml.related.exclude, "related.exclude", own, diags)

    if "scan_directory" in values:
        values["scan_directory"] = _scan_directory(root, values["scan_directory"],
                                                   origin.get("scan_directory", CONFIG_FILE), diags, own)
    _check_tag_names(values, origin, diags, own, tags_given=overrides.get("default_tag") is not None)
    written = _folder_tables(root, values, origin, diags, own) if root.is_dir() else {}
    if values.get("template_folders") and root.is_dir():
        from .template_folders import checked_config_folders

        unusable: list = []
        values["template_folders"] = checked_config_folders(root, values["template_folders"], own, diags, unusable)
        values["template_folders_unusable"] = len(unusable)
    _check_markers(syntax, origin.get("syntax", PLUGIN_SETTINGS), diags, own)
    _check_deck_names(values, origin, diags, own, written)
    if values.get("note_types"):
        from .config_templates import check_note_type_templates

        source = origin.get("note_types", CONFIG_FILE)
        check_note_type_templates(values["note_types"], source, own if source == CONFIG_FILE else None, diags)
    known = note_type_fields(values.get("note_types") or {})
    check_custom_regexps(values, origin, own, set(known), diags)
    check_field_tables(values, origin, own, known, diags)
    cfg = Config(**values, syntax=Syntax(**syntax), ignore=list(dict.fromkeys(ignore)), sections=sections, sources=sources,
                 origin=origin, toml_text=own or "")
    diags += override_problems(overrides)  # --deck '::::', --tag 'two words'
    return cfg.with_overrides(**overrides)


def _note_types(specs: dict[str, schema.NoteTypeSpec]) -> dict[str, dict]:
    return {name: spec.model_dump(exclude_none=True) for name, spec in specs.items()}


# -- the plugin's data.json ----------------------------------------------------------------------------------

def _plugin_values(raw: Any, diags: list[Diagnostic]) -> dict[str, Any]:
    """Config keys from the plugin's data.json (validated; problems named with the plugin's keys)."""
    from . import config_schema as schema
    from .parsers.ignore_patterns import PatternError, gitignore_patterns, plugin_glob_to_gitignore

    data = _validate(schema.PluginData, raw, PLUGIN_SETTINGS, "", diags)
    settings = data.settings or schema.PluginSettings()
    out: dict[str, Any] = {}
    if settings.defaults is not None:
        out.update({k: v for k, v in settings.defaults.model_dump().items() if v is not None})
    if settings.syntax is not None:
        out["syntax"] = {k: v for k, v in settings.syntax.model_dump().items() if v is not None}
    for key in ("custom_regexps", "file_link_fields", "context_fields", "folder_decks"):
        table = {k: v for k, v in (getattr(settings, key) or {}).items() if v and v.strip()}
        if table:
            out[key] = table
    tags = {k: v for k, v in (settings.folder_tags or {}).items() if v}
    if tags:
        out["folder_tags"] = tags
    if settings.ignore is not None:
        globs: list[str] = []
        keep_only: list[str] = []  # "!P": the plugin ignores every file P does not match (minimatch)
        for i, glob in enumerate(settings.ignore):
            try:
                lines = gitignore_patterns(plugin_glob_to_gitignore(glob))
            except PatternError as exc:
                diags.append(_problem(PLUGIN_SETTINGS, f"settings.IGNORED_FILE_GLOBS, entry {i + 1}: {shown(glob)} "
                                                       f"not used: {exc}"))
                continue
            (keep_only if glob.startswith("!") else globs).extend(lines)
        if len({g for g in settings.ignore if g.startswith("!")}) > 1:
            diags.append(_problem(PLUGIN_SETTINGS, "settings.IGNORED_FILE_GLOBS: several '!' globs: the plugin "
                                                   "ignores every file that misses any one of them; notes2anki "
                                                   "keeps the files that match one", severity="warning"))
        out["ignore"] = (["**"] + keep_only if keep_only else []) + globs
    # Note types the plugin saw in the user's Anki: their field names, so their cards parse.
    custom = {name: {"fields": list(flds)} for name, flds in (data.fields_dict or {}).items()
              if name not in BUILTIN_FIELDS and flds and all(f for f in flds)}
    if custom:
        out["note_types"] = custom
    return out


# -- checks across keys --------------------------------------------------------------------------------------

def _scan_directory(root: Path, value: str, source: str, diags: list[Diagnostic], text: str | None = None) -> str:
    """The scan directory as a vault-relative POSIX path ('' = whole vault). A leading '/' means the
    vault root (as in the plugin). A folder outside the vault, or one that does not exist, is an error
    (in `.notes2anki.toml`, ``text``: at the key's line)."""
    rel = _folder_rel(value)
    if not rel:
        return ""
    key = "settings.Defaults.Scan Directory" if source == PLUGIN_SETTINGS else "scan_directory"
    line = _line_of(text, ["scan_directory"]) if text and source == CONFIG_FILE else 0
    if ".." in PurePosixPath(rel).parts or re.match(r"^[A-Za-z]:", rel):
        diags.append(_problem(source, f"{key}: {shown(value)} leaves the vault; give a folder inside it "
                                      "(relative to the vault folder)", line))
        return rel
    if root.is_dir():
        folder = root / (spelled_on_disk(root, rel) or rel)  # 'Café' typed composed, kept decomposed on disk
        if not folder.is_dir():
            diags.append(_problem(source, f"{key}: {shown(value)} is not a folder of the vault (it is read "
                                          f"relative to the vault folder: {rel})", line))
        elif not is_inside(root, folder):
            diags.append(_problem(source, f"{key}: {shown(value)} resolves to a folder outside the vault", line))
        else:  # a folder link inside the vault: its notes are listed under the folder it leads to
            rel = Path(os.path.realpath(folder)).relative_to(os.path.realpath(root)).as_posix()
            rel = "" if rel == "." else rel
    return rel


def number_setting(section: dict, table: str, key: str, low: float, high: float | None = None, *,
                   whole: bool = False, open_range: bool = False,
                   problems: list[str]) -> float | int | None:
    """A numeric key of a `.notes2anki.toml` table, or None (absent, or wrong: a problem is appended).

    Kept for the semantic commands until they read ``config.related`` / ``config.topics`` directly."""
    value = section.get(key)
    if value is None:
        return None
    kinds = (int,) if whole else (int, float)
    inside = (low < value if open_range else low <= value) if isinstance(value, kinds) else False
    if inside and high is not None:
        inside = value < high if open_range else value <= high
    if isinstance(value, kinds) and not isinstance(value, bool) and inside:
        return value if whole else float(value)
    wanted = f"a whole number >= {low}" if whole else f"a number between {low:g} and {high:g}"
    problems.append(f"[{table}] {key} should be {wanted}, got {shown(value)}; ignored")
    return None
