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
import tomllib
from pathlib import Path
from typing import Any, Sequence

from .config_lines import key_text, line_of as _line_of, shown  # noqa: F401  (_line_of: kept for callers)
from .fileio import UnsafeFile, not_utf8, read_bounded
from .model import Diagnostic

PLUGIN_SETTINGS = ".obsidian/plugins/obsidian-to-anki-plugin/data.json"
CONFIG_FILE = ".notes2anki.toml"
CONFIG_KIND = "config"

def _problem(file: str, message: str, line: int = 0, severity: str = "error") -> Diagnostic:
    return Diagnostic(file, line, severity, message, kind=CONFIG_KIND)


def _read(root: Path, rel: str, limit: int, diags: list[Diagnostic]) -> str | None:
    """The text of a configuration file, or None when there is none (or it cannot be read: an error)."""
    path = root / rel
    if not path.exists() and not path.is_symlink():
        return None
    try:
        # `.notes2anki.toml` may be a link to a file kept with your dotfiles (settings, never deck content: still
        # a regular file, bounded); data.json and everything else only inside the vault (tester 12-03)
        data = read_bounded(path, limit, root=None if rel == CONFIG_FILE else root)
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
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else _opened_at(text, str(exc))
        diags.append(_problem(CONFIG_FILE, f"not valid TOML: {exc}{_twice(text, line, str(exc))}", line))
    except RecursionError:
        diags.append(_problem(CONFIG_FILE, "not read: values nested too deeply"))
    return {}


def _twice(text: str, line: int, problem: str) -> str:
    """For tomllib's "Cannot overwrite a value" (which names no key): the key set twice, as written on
    ``line`` (tester 12-03: a second ``default_deck = …`` line was not named). "" otherwise."""
    lines = text.splitlines()
    if not problem.startswith("Cannot overwrite a value") or not 0 < line <= len(lines):
        return ""
    key = lines[line - 1].split("=", 1)[0].strip() if "=" in lines[line - 1] else lines[line - 1].strip()
    return f": {key[:60]} is set twice" if key else ""


def _opened_at(text: str, problem: str, limit: int = 2_000) -> int:
    """The line where the construct that ``problem`` (tomllib's message "… (at end of document)": an
    unterminated string, array or table) found never closed begins: the first line whose prefix of the
    file fails with the same message (tester 12-03: such an error had no line). 0 when not found (or the
    file has more than ``limit`` lines)."""
    if "end of document" not in problem:
        return 0
    lines = text.split("\n")
    for end in range(1, min(len(lines), limit) + 1):
        try:
            tomllib.loads("\n".join(lines[:end]))
        except tomllib.TOMLDecodeError as exc:
            if str(exc) == problem:
                return end
        except RecursionError:
            return 0
    return 0


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
                                    f"got {shown(raw)}"))
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
    key = key_text(err["loc"], toml=not file.endswith("json"))  # (list positions are ints there)
    line = _line_of(text, loc, exact=True) if file == CONFIG_FILE else 0  # pydantic names the very key
    if err["type"] == "extra_forbidden":
        hint = _suggest(loc)
        diags.append(_problem(file, f"{key}: unknown key; ignored{hint}", line, "warning"))
        return
    got = "" if err["type"] == "missing" else f", got {_shown(err.get('input'))}"  # (the input: the whole table)
    value = err.get("input")
    if isinstance(value, float) and value in (float("inf"), float("-inf")) and line:
        written = _written_value(text, line)  # `1e400` reads as inf: said as written (tester 12-03: "got inf")
        if written and written.lstrip("+-") != "inf":
            got = f", got {written} (beyond what a float holds: read as {'-' if value < 0 else ''}infinity)"
    diags.append(_problem(file, f"{key}: {expected(err, file, loc)}{got}", line))


def _written_value(text: str, line: int) -> str:
    """The value as written on 1-based ``line`` of ``text`` (``key = value  # comment``), shortened; "" when
    the line holds no ``=``."""
    lines = text.splitlines()
    if not 0 < line <= len(lines) or "=" not in lines[line - 1]:
        return ""
    value = lines[line - 1].split("=", 1)[1].split("#", 1)[0].strip()
    return value if len(value) <= 40 else value[:39] + "…"


def _shown(value: Any) -> str:
    """A wrong value as a message shows it: as the file writes it (``"yes"``, ``true``), shortened."""
    return shown(value)


def expected(err: dict, file: str, loc: Sequence[str] = ()) -> str:
    """What a value should be, in plain words, for one pydantic error ``err`` (never pydantic's own wording:
    "Input should be a valid integer", "… after validation, not 1")."""
    kind, ctx = err["type"], err.get("ctx") or {}
    json_file = file.endswith("json")
    table = "a JSON object" if json_file else "a table"
    if kind == "value_error":  # our own validators' words
        return re.sub(r"^Value error, ", "", err["msg"])
    if kind in ("model_type", "model_attributes_type"):  # not "…or instance of PluginSyntax"
        return f"should be {table} of settings"
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        size = ctx.get("min_length") if kind.endswith("short") else ctx.get("max_length")
        if kind.startswith("string"):
            return "should not be empty" if kind.endswith("short") and size == 1 else \
                f"should have at {'least' if kind.endswith('short') else 'most'} {size} characters"
        what = "card" if ".".join(loc[:2]) == "dupes.ignore" else "item"
        return f"should list at {'least' if kind.endswith('short') else 'most'} {size} {what}{'' if size == 1 else 's'}"
    bounds = {"greater_than_equal": ("ge", "{} or more"), "less_than_equal": ("le", "{} or less"),
              "greater_than": ("gt", "more than {}"), "less_than": ("lt", "less than {}")}
    if kind in bounds:
        value = err.get("input")
        if isinstance(value, float) and value != value:  # nan fails every bound: not "should be 1 or less"
            return "should be a number (nan is not one)"
        name, words = bounds[kind]
        bound = ctx.get(name)
        return "should be " + words.format(f"{bound:g}" if isinstance(bound, float) else bound)
    if kind == "literal_error":
        return "should be " + str(ctx.get("expected", "")).replace("'", '"')
    plain = _PLAIN.get(kind)
    if plain:
        return plain.format(table=table, list="a list" if json_file else "a list in square brackets [ ]",
                            text="a string" if json_file else 'text in quotes ("…")')
    message = re.sub(r"^(Value error, |Input |String |List |Dictionary )", "", err["msg"])
    return re.sub(r" after validation", "", message)


_PLAIN = {  # pydantic's error type -> what the value should be
    "string_type": "should be {text}", "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "float_type": "should be a number", "float_parsing": "should be a number", "bool_type": "should be true or false",
    "bool_parsing": "should be true or false", "list_type": "should be {list}", "dict_type": "should be {table}",
    "missing": "is required", "int_from_float": "should be a whole number", "finite_number": "should be a number",
}


def _suggest(loc: list[str]) -> str:
    """' (did you mean 'x'?)' for an unknown key close to a known one."""
    from . import config_schema as schema

    key = loc[-1]
    here = loc[0] if len(loc) == 2 else ""  # the table the key is written in ("": the top level)
    if len(loc) <= 2 and isinstance(key, str):
        # a key of another table written here ([sync] vault_id at the top level): say where it belongs
        homes = [f"[{name}]" for name, model in schema.SECTIONS.items() if name != here and key in model.model_fields]
        top = (key in schema.BuildKeys.model_fields or key in schema.TomlFile.model_fields) and key not in schema.SECTIONS
        if top and here not in ("", "build"):
            homes.append("the top level (or [build])")
        tables = [h for h in homes if h.startswith("[")]
        if tables:  # " (it belongs under [sync]: [sync] vault_id)"
            return f" (it belongs under {' or '.join(tables)}: {', '.join(f'{t} {key}' for t in tables)})"
        if homes:
            return f" (it belongs at {homes[0]})"
    known: list[str] = list(schema.TomlFile.model_fields)
    if len(loc) == 2 and loc[0] in schema.SECTIONS:
        known = list(schema.SECTIONS[loc[0]].model_fields)
    elif len(loc) == 2 and loc[0] in ("build", "syntax"):
        known = list((schema.BuildKeys if loc[0] == "build" else schema.SyntaxTable).model_fields)
    close = difflib.get_close_matches(loc[-1], known, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


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
