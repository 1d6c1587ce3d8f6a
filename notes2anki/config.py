"""Configuration: notes2anki defaults < the Obsidian_to_Anki plugin's data.json < `.notes2anki.toml`
< command-line options, read and validated once into one :class:`Config`.

The schema (every key, its type and range) is declared in :mod:`notes2anki.config_schema`. Each problem
becomes a :class:`~notes2anki.model.Diagnostic` naming the file the value came from and the key, e.g.
``.notes2anki.toml: error: folder_decks.sub: should be a valid string, got 5``. A file that cannot be
read or a value that cannot be used is an error with ``kind="config"`` (:func:`fatal_problems`): the
commands stop with exit 2 rather than build with the wrong decks and tags. Unknown keys are warnings.
Every key is documented in the README ("Configuration").
"""
from __future__ import annotations

import difflib
import json
import re
import reprlib
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from . import config_schema as schema
from .config_schema import PLUGIN_SYNTAX_KEYS, Syntax  # noqa: F401  (declared once, there)
from .fileio import MAX_CONFIG_BYTES, UnsafeFile, is_inside, read_bounded
from .model import BUILTIN_FIELDS, Diagnostic

PLUGIN_SETTINGS = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"
CONFIG_FILE = ".notes2anki.toml"
MAX_PLUGIN_SETTINGS_BYTES = 32 * 1024 * 1024  # data.json also lists every file's hash: it grows with the vault
DEFAULT_IGNORE = ["**/*.excalidraw.md"]  # kept unless the user writes "!**/*.excalidraw.md"
CONFIG_KIND = "config"

_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlevel = 60, 60, 3


@dataclass
class Config:
    """The validated settings of one vault. Build keys are attributes; the other tables are typed,
    frozen sub-objects (``config.semantic.model``, ``config.dupes.threshold``, ``config.related.k``)."""

    default_deck: str = "Default"
    default_tag: str = ""  # added to every card ("" = none)
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
    wikilinks: str = "obsidian"  # "obsidian" (obsidian:// link) | "text"
    vault_name: str = ""  # name used in obsidian:// links; "" = the vault folder's name
    note_types: dict[str, dict] = field(default_factory=dict)  # user note types: {"fields": [...], ...}
    sanitize_html: bool = False  # [build] sanitize_html: strip scripts/handlers from fields (shared decks)
    syntax: Syntax = field(default_factory=Syntax)  # marker words
    semantic: schema.SemanticSettings = field(default_factory=schema.SemanticSettings)
    dupes: schema.DupesSettings = field(default_factory=schema.DupesSettings)
    related: schema.RelatedSettings = field(default_factory=schema.RelatedSettings)
    topics: schema.TopicsSettings = field(default_factory=schema.TopicsSettings)
    sync: schema.SyncSettings = field(default_factory=schema.SyncSettings)
    report: schema.ReportSettings = field(default_factory=schema.ReportSettings)
    sections: dict[str, dict] = field(default_factory=dict)  # the raw tables ([dupes], ...), as written
    sources: list[str] = field(default_factory=list)  # files the configuration came from
    origin: dict[str, str] = field(default_factory=dict)  # key → the file its value came from

    def section(self, name: str) -> dict:
        """A table of `.notes2anki.toml` other than the build keys, e.g. ``[dupes]``, as written; {} if
        absent. (Prefer the validated ``config.dupes`` etc.)"""
        value = self.sections.get(name, {})
        return value if isinstance(value, dict) else {}

    def with_overrides(self, **overrides) -> "Config":
        """A copy with the given keys replaced; None values are ignored (options not given)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


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
        sources.append(CONFIG_FILE)
        raw = _parse_toml(own, diags)
        toml = _validate(schema.TomlFile, raw, CONFIG_FILE, own, diags)
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
                                                   origin.get("scan_directory", CONFIG_FILE), diags)
    _check_markers(syntax, origin.get("syntax", PLUGIN_SETTINGS), diags)
    _check_deck_names(values, origin, diags)
    cfg = Config(**values, syntax=Syntax(**syntax), ignore=list(dict.fromkeys(ignore)), sections=sections, sources=sources,
                 origin=origin)
    return cfg.with_overrides(**overrides)


def _check_deck_names(values: dict[str, Any], origin: dict[str, str], diags: list[Diagnostic]) -> None:
    """A deck name with empty levels (``default_deck = "A::::"``, a folder deck ``"::B"``): a warning naming
    the key; the cards get the name without them (:func:`notes2anki.parsers.rules.deck_name`)."""
    from .parsers.rules import deck_problem

    named = [("default_deck", values.get("default_deck"))]
    named += [(f"folder_decks.{folder}", deck) for folder, deck in (values.get("folder_decks") or {}).items()]
    for key, deck in named:
        problem = deck_problem(deck) if isinstance(deck, str) else None
        if problem:
            source = origin.get(key.split(".", 1)[0], CONFIG_FILE)
            diags.append(_problem(source, f"{key}: {problem}", severity="warning"))


def _check_markers(syntax: dict[str, str], source: str, diags: list[Diagnostic]) -> None:
    """Two marker words that are the same (``begin_note = end_note``) make every card ambiguous: a
    configuration error naming both keys."""
    merged = {**{f.name: getattr(Syntax(), f.name) for f in fields(Syntax)}, **syntax}
    owner: dict[str, str] = {}
    for key, word in merged.items():
        word = word.strip()
        if word in owner:
            diags.append(_problem(source, f"syntax: {owner[word]} and {key} are both {word!r}; each marker "
                                          "word must differ"))
        else:
            owner[word] = key


# -- reading -----------------------------------------------------------------------------------------------

def _problem(file: str, message: str, line: int = 0, severity: str = "error") -> Diagnostic:
    return Diagnostic(file, line, severity, message, kind=CONFIG_KIND)


def _read(root: Path, rel: str, limit: int, diags: list[Diagnostic]) -> str | None:
    """The text of a configuration file, or None when there is none (or it cannot be read: an error)."""
    path = root / rel
    if not path.exists() and not path.is_symlink():
        return None
    try:
        data = read_bounded(path, limit, root=root)
        return data.decode("utf-8-sig")
    except UnsafeFile as exc:
        diags.append(_problem(rel, f"configuration not read: {exc}"))
    except UnicodeDecodeError as exc:
        diags.append(_problem(rel, f"configuration not read: not UTF-8 text (byte {exc.start})"))
    except OSError as exc:
        diags.append(_problem(rel, f"configuration not read: {exc.strerror or exc}"))
    return None


def _parse_toml(text: str, diags: list[Diagnostic]) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        diags.append(_problem(CONFIG_FILE, f"not valid TOML: {exc}", line))
    except RecursionError:
        diags.append(_problem(CONFIG_FILE, "not read: values nested too deeply"))
    return {}


def _parse_json(text: str, diags: list[Diagnostic]) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        diags.append(_problem(PLUGIN_SETTINGS, f"not valid JSON: {exc}", getattr(exc, "lineno", 0)))
    except RecursionError:
        diags.append(_problem(PLUGIN_SETTINGS, "not read: values nested too deeply"))
    return {}


# -- validating ----------------------------------------------------------------------------------------------

_TABLES = {"build", "syntax", "note_types", *schema.SECTIONS}


def _validate(model: type, raw: Any, file: str, text: str, diags: list[Diagnostic]):
    """``model`` validated from ``raw``; each problem reported (unknown key: warning; wrong value: error)
    and the value dropped, so the default applies. Never raises."""
    if not isinstance(raw, dict):
        diags.append(_problem(file, f"should be a {'JSON object' if file.endswith('json') else 'table'}, "
                                    f"got {_repr.repr(raw)}"))
        return model()
    try:
        raw = _copy(raw)
        for _ in range(8):
            try:
                return model.model_validate(raw)
            except ValidationError as exc:
                for err in exc.errors(include_url=False):
                    _report(err, file, text, diags)
                    _drop(raw, err["loc"], model is schema.TomlFile)
    except RecursionError:
        diags.append(_problem(file, "not read: values nested too deeply"))
    return model()


def _report(err: dict, file: str, text: str, diags: list[Diagnostic]) -> None:
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc) or "(top level)"
    line = _line_of(text, loc) if file == CONFIG_FILE else 0
    if err["type"] == "extra_forbidden":
        hint = _suggest(loc)
        diags.append(_problem(file, f"{key}: unknown key; ignored{hint}", line, "warning"))
        return
    msg = re.sub(r"^(Value error, |Input |String |List |Dictionary )", "", err["msg"])
    diags.append(_problem(file, f"{key}: {msg}, got {_repr.repr(err.get('input'))}", line))


def _suggest(loc: list[str]) -> str:
    """' (did you mean 'x'?)' for an unknown key close to a known one."""
    known: list[str] = list(schema.TomlFile.model_fields)
    if len(loc) == 2 and loc[0] in schema.SECTIONS:
        known = list(schema.SECTIONS[loc[0]].model_fields)
    elif len(loc) == 2 and loc[0] in ("build", "syntax"):
        known = list((schema.BuildKeys if loc[0] == "build" else schema.SyntaxTable).model_fields)
    close = difflib.get_close_matches(loc[-1], known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _drop(raw: dict, loc: tuple, toml: bool) -> None:
    """Remove the value at ``loc`` (a whole top-level key, or one key of a table) from ``raw``."""
    depth = 2 if (toml and loc and loc[0] in _TABLES) or (not toml and len(loc) > 1) else 1
    path = list(loc[:depth])
    holder: Any = raw
    for part in path[:-1]:
        holder = holder.get(part) if isinstance(holder, dict) else None
    if isinstance(holder, dict):
        holder.pop(path[-1], None)
    elif path and isinstance(raw, dict):
        raw.pop(path[0], None)


def _copy(value: Any) -> Any:
    """A copy of the dicts (only) of ``value``, so dropping keys leaves the caller's data alone."""
    return {k: _copy(v) for k, v in value.items()} if isinstance(value, dict) else value


def _line_of(text: str, loc: list[str]) -> int:
    """The line of `.notes2anki.toml` where the key at ``loc`` is written (0 when not found); a key of a
    table is looked for below that table's header first."""
    lines = text.split("\n")
    header = re.compile(r"^\s*\[+\s*[\"']?" + re.escape(loc[0]) + r"\b") if loc else None
    start = next((i for i, line in enumerate(lines) if header and header.match(line)), 0)
    for key in reversed(loc):
        if key.isdigit():
            continue
        rule = re.compile(r"^\s*(\[+\s*)?([\w.\- ]*\.)?[\"']?" + re.escape(key) + r"[\"']?\s*(=|\])")
        for no in [*range(start, len(lines)), *range(0, start)]:
            if rule.match(lines[no]):
                return no + 1
    return 0


def _checked_patterns(patterns: list[str], key: str, text: str, diags: list[Diagnostic]) -> list[str]:
    """The gitignore-style patterns that can be used; an error for each other one."""
    from .parsers.ignore_patterns import PatternError, gitignore_patterns

    good = []
    for i, pattern in enumerate(patterns):
        try:
            gitignore_patterns([pattern])
            good.append(pattern)
        except PatternError as exc:
            diags.append(_problem(CONFIG_FILE, f"{key}.{i}: pattern {pattern!r} not used: {exc}",
                                  _line_of(text, key.split("."))))
    return good


def _note_types(specs: dict[str, schema.NoteTypeSpec]) -> dict[str, dict]:
    return {name: spec.model_dump(exclude_none=True) for name, spec in specs.items()}


# -- the plugin's data.json ----------------------------------------------------------------------------------

def _plugin_values(raw: Any, diags: list[Diagnostic]) -> dict[str, Any]:
    """Config keys from the plugin's data.json (validated; problems named with the plugin's keys)."""
    from .parsers.ignore_patterns import PatternError, plugin_glob_to_gitignore

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
        for i, glob in enumerate(settings.ignore):
            try:
                globs += plugin_glob_to_gitignore(glob)
            except PatternError as exc:
                diags.append(_problem(PLUGIN_SETTINGS, f"settings.IGNORED_FILE_GLOBS.{i}: {glob!r} not used: "
                                                       f"{exc}"))
        out["ignore"] = globs
    # Note types the plugin saw in the user's Anki: their field names, so their cards parse.
    custom = {name: {"fields": list(flds)} for name, flds in (data.fields_dict or {}).items()
              if name not in BUILTIN_FIELDS and flds and all(f for f in flds)}
    if custom:
        out["note_types"] = custom
    return out


# -- checks across keys --------------------------------------------------------------------------------------

def _scan_directory(root: Path, value: str, source: str, diags: list[Diagnostic]) -> str:
    """The scan directory as a vault-relative POSIX path ('' = whole vault). A leading '/' means the
    vault root (as in the plugin). A folder outside the vault, or one that does not exist, is an error."""
    rel = value.strip().replace("\\", "/").strip("/")
    if not rel:
        return ""
    key = "settings.Defaults.Scan Directory" if source == PLUGIN_SETTINGS else "scan_directory"
    if ".." in PurePosixPath(rel).parts or re.match(r"^[A-Za-z]:", rel):
        diags.append(_problem(source, f"{key}: {value!r} leaves the vault; give a folder inside it "
                                      "(relative to the vault folder)"))
        return rel
    if root.is_dir():
        folder = root / rel
        if not folder.is_dir():
            diags.append(_problem(source, f"{key}: {value!r} is not a folder of the vault (it is read "
                                          f"relative to the vault folder: {rel})"))
        elif not is_inside(root, folder):
            diags.append(_problem(source, f"{key}: {value!r} resolves to a folder outside the vault"))
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
    problems.append(f"[{table}] {key} should be {wanted}, got {value!r}; ignored")
    return None
