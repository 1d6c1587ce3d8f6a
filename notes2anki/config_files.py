"""Reading and validating the configuration files (`.notes2anki.toml`, the plugin's data.json) against
the schema of :mod:`notes2anki.config_schema`: bounded reads, TOML/JSON parsing, pydantic validation
whose every problem becomes a ``kind="config"`` :class:`~notes2anki.model.Diagnostic` naming the file,
the key and (for TOML) its line; a wrong value is dropped so its default applies. Never raises.
:mod:`notes2anki.config` merges the validated values into one ``Config``.
"""
from __future__ import annotations

import difflib
import json
import re
import reprlib
import tomllib
from pathlib import Path
from typing import Any

from .fileio import UnsafeFile, not_utf8, read_bounded
from .model import Diagnostic

PLUGIN_SETTINGS = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"
CONFIG_FILE = ".notes2anki.toml"
CONFIG_KIND = "config"

_repr = reprlib.Repr()
_repr.maxstring, _repr.maxother, _repr.maxlevel = 60, 60, 3


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
        line, why = not_utf8(exc)
        diags.append(_problem(rel, f"configuration not read: {why}", line))
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

_TABLES = {"build", "syntax", "note_types", "semantic", "dupes", "related", "topics", "sync", "report"}  # + SECTIONS


def _validate(model: type, raw: Any, file: str, text: str, diags: list[Diagnostic]):
    """``model`` validated from ``raw``; each problem reported (unknown key: warning; wrong value: error)
    and the value dropped, so the default applies. Never raises. (pydantic is imported here: only when a
    configuration file exists.)"""
    from pydantic import ValidationError

    from . import config_schema as schema

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
    if err["type"] in ("model_type", "model_attributes_type"):  # not "…or instance of PluginSyntax"
        msg = f"should be a {'JSON object' if file.endswith('json') else 'table'} of settings"
    diags.append(_problem(file, f"{key}: {msg}, got {_repr.repr(err.get('input'))}", line))


def _suggest(loc: list[str]) -> str:
    """' (did you mean 'x'?)' for an unknown key close to a known one."""
    from . import config_schema as schema

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
    for depth in range(len(loc) - 1, 1, -1):  # the innermost table written as a header ([note_types."X"])
        named = r"\s*\.\s*".join(r"[\"']?" + re.escape(part) + r"[\"']?" for part in loc[:depth])
        inner = re.compile(r"^\s*\[+\s*" + named + r"\s*\]")
        found = next((i for i, line in enumerate(lines) if inner.match(line)), None)
        if found is not None:
            start = found
            break
    for key in reversed(loc):
        if key.isdigit():
            continue
        rule = re.compile(r"^\s*(\[+\s*)?([\w.\- ]*\.)?[\"']?" + re.escape(key) + r"[\"']?\s*(=|\])")
        for no in [*range(start, len(lines)), *range(0, start)]:
            if rule.match(lines[no]):
                return no + 1
    return 0
