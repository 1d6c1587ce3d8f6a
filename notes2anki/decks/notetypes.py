"""The Anki note types notes2anki ships, with stable IDs of their own.

Anki matches note types by ID. A change to a type's fields or templates must come with a new
``VERSION`` (a new ID): under the same ID, Anki's importer (checked with the ``anki`` package 26.9)
forks a copy named ``Name+`` and logs the notes as conflicting. CSS-only changes keep the ID and raise
``MODIFIED`` so Anki takes the new styling.
"""
from __future__ import annotations

from functools import lru_cache

import genanki

from ..model import BUILTIN_FIELDS, cloze_type
from .anki_collection import stable_id

VERSION = 1  # bump when fields or templates change
NAME_PREFIX = "notes2anki: "  # Anki names: distinct from the collection's stock "Basic", "Cloze" ...
MODIFIED = 1_764_547_200  # note type modification time (2025-12-01: callout CSS); bump when only the CSS changes

BASE_CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 20px;
        text-align: center; color: black; background-color: white; }
.card.nightMode { color: #e6e6e6; background-color: #2f2f31; }
.card table { border-collapse: collapse; margin: 0 auto; }
.card th, .card td { border: 1px solid #999; padding: 0.2em 0.5em; }
.card pre, .card ul, .card ol, .card table { text-align: left; }
.card pre { padding: 0.5em; border-radius: 4px; background: #f6f8fa; overflow-x: auto; font-size: 0.8em; }
.card.nightMode pre { background: #1e1e1e; }
.card img { max-width: 100%; height: auto; }
.cloze { font-weight: bold; color: blue; }
.nightMode .cloze { color: lightblue; }
mark { background: #fff3a3; }
.context { display: block; margin-top: 1em; font-size: 0.6em; color: #888; }
.file-link { font-size: 0.6em; }
.nightMode mark { background: #6b5f00; color: inherit; }
.callout { text-align: left; margin: 0.6em 0; padding: 0.4em 0.8em; border-left: 4px solid #448aff;
           border-radius: 4px; background: rgba(68, 138, 255, 0.1); }
.callout-title { font-weight: bold; cursor: default; }
summary.callout-title { cursor: pointer; }
.callout-content > :first-child { margin-top: 0.3em; }
.callout-content > :last-child { margin-bottom: 0; }
.callout[data-callout="warning"], .callout[data-callout="caution"], .callout[data-callout="attention"] {
  border-left-color: #ec7500; background: rgba(236, 117, 0, 0.1); }
.callout[data-callout="danger"], .callout[data-callout="error"], .callout[data-callout="bug"],
.callout[data-callout="failure"], .callout[data-callout="fail"], .callout[data-callout="missing"] {
  border-left-color: #e93147; background: rgba(233, 49, 71, 0.1); }
.callout[data-callout="tip"], .callout[data-callout="hint"], .callout[data-callout="important"],
.callout[data-callout="success"], .callout[data-callout="check"], .callout[data-callout="done"] {
  border-left-color: #08b94e; background: rgba(8, 185, 78, 0.1); }
.callout[data-callout="question"], .callout[data-callout="help"], .callout[data-callout="faq"] {
  border-left-color: #e0ac00; background: rgba(224, 172, 0, 0.1); }
.callout[data-callout="example"] { border-left-color: #7852ee; background: rgba(120, 82, 238, 0.1); }
.callout[data-callout="quote"], .callout[data-callout="cite"] {
  border-left-color: #9e9e9e; background: rgba(158, 158, 158, 0.1); }
"""


@lru_cache(maxsize=1)
def code_css() -> str:
    """Pygments styles for fenced code, scoped to ``pre.highlight``: shipped inside the note type."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style="default").get_style_defs(".card pre.highlight")


def model_id(name: str, version: int = VERSION) -> int:
    """The stable Anki id of a note type named ``name`` (positive, below 2**63)."""
    return stable_id(f"notes2anki/note-type/{name}/v{version}")


def _tmpl(name: str, front: str, back: str) -> dict:
    return {"name": name, "qfmt": front, "afmt": back}


ANSWER = '{{FrontSide}}\n\n<hr id=answer>\n\n'
TEMPLATES: dict[str, list[dict]] = {
    "Basic": [_tmpl("Card 1", "{{Front}}", ANSWER + "{{Back}}")],
    "Basic (and reversed card)": [
        _tmpl("Card 1", "{{Front}}", ANSWER + "{{Back}}"),
        _tmpl("Card 2", "{{Back}}", ANSWER + "{{Front}}"),
    ],
    "Basic (optional reversed card)": [
        _tmpl("Card 1", "{{Front}}", ANSWER + "{{Back}}"),
        _tmpl("Card 2", "{{#Add Reverse}}{{Back}}{{/Add Reverse}}", ANSWER + "{{Front}}"),
    ],
    "Basic (type in the answer)": [
        _tmpl("Card 1", "{{Front}}\n\n{{type:Back}}", "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}"),
    ],
    "Cloze": [_tmpl("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}")],
}


def _text(spec: dict, key: str) -> str:
    """A template/CSS setting of a user note type: its text, or "" when absent or not a string (the
    configuration loader reports wrong types; this never fails on them)."""
    value = spec.get(key)
    return value if isinstance(value, str) else ""


def _type_id(name: str, spec: dict | None) -> int:
    """A user note type's ``id`` when it is a usable Anki id (a positive 64-bit integer, or its
    digits), else the stable id derived from the name."""
    value = (spec or {}).get("id")
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2 ** 63:
        return value
    return model_id(name)


def _spec(name: str, custom: dict[str, dict]) -> dict | None:
    return custom.get(name) if name not in BUILTIN_FIELDS else None


def type_id_for(name: str, custom: dict[str, dict]) -> int:
    """The Anki note type id notes2anki gives the vault's note type ``name`` (``custom``: the configured
    ``[note_types]`` tables): how sync recognises its own note type after the user renamed it in Anki."""
    return _type_id(name, _spec(name, custom))


def own_name(name: str, custom: dict[str, dict]) -> str:
    """The name notes2anki gives the note type ``name`` in Anki: ``notes2anki: NAME`` unless configured."""
    return NAME_PREFIX + name if _spec(name, custom) is None else name


def _custom_templates(name: str, fields: list[str], spec: dict) -> tuple[list[dict], bool]:
    cloze = cloze_type(name, spec)
    if cloze:
        front = _text(spec, "front") or f"{{{{cloze:{fields[0]}}}}}"
        back = _text(spec, "back") or front + "".join(f"<br>\n{{{{{f}}}}}" for f in fields[1:])
        return [_tmpl("Cloze", front, back)], True
    front = _text(spec, "front") or f"{{{{{fields[0]}}}}}"
    rest = "<br>\n".join(f"{{{{{f}}}}}" for f in fields[1:])
    back = _text(spec, "back") or ANSWER + rest
    return [_tmpl("Card 1", front, back)], False


def build_model(name: str, fields: list[str], spec: dict | None = None) -> genanki.Model:
    """The genanki model for a built-in type, or for a user-defined one from the configuration."""
    css = BASE_CSS + code_css() + _text(spec or {}, "css")
    if name in TEMPLATES and not spec:
        templates, cloze = TEMPLATES[name], name == "Cloze"
    else:
        templates, cloze = _custom_templates(name, fields, spec or {})
    return genanki.Model(
        model_id=_type_id(name, spec),
        name=NAME_PREFIX + name if spec is None else name,
        fields=[{"name": f} for f in fields],
        templates=[dict(t) for t in templates],
        css=css,
        model_type=genanki.Model.CLOZE if cloze else genanki.Model.FRONT_BACK,
    )


def models_for(note_types: dict[str, list[str]], custom: dict[str, dict]) -> dict[str, genanki.Model]:
    """Note type name → genanki model, for the types in use (``note_types``: name → fields;
    ``custom``: the configured ``[note_types]`` tables)."""
    out = {}
    for name, fields in note_types.items():
        out[name] = build_model(name, fields, _spec(name, custom))
    return out
