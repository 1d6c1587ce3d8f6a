"""The configuration schema, declared once: every key notes2anki reads, with its type and range.

Two files feed it (see :mod:`notes2anki.config`): `.notes2anki.toml` (:class:`TomlFile`, notes2anki's own
key names) and the Obsidian_to_Anki plugin's ``data.json`` (:class:`PluginData`, the plugin's key names,
so that a message names the key as the user sees it in that file).

The models are pydantic v2 models in strict mode: no silent coercion (``id = "x"`` is an error, not 0;
``curly_cloze = "yes"`` is an error, not True), unknown keys are reported (``extra="forbid"``), and every
problem comes back at once with its location (``("folder_decks", "sub")``).
"""
from __future__ import annotations

import re
from dataclasses import fields
from typing import Annotated, Any, Literal

from .config_lines import shown
from .config_syntax import PLUGIN_SYNTAX_KEYS, Syntax  # noqa: F401  (re-exported)

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints,
                      create_model)

def _marker(value: str) -> str:
    if not value.strip() or "\n" in value or "\r" in value or len(value) > 200:
        raise ValueError("should be a word or words on one line (at most 200 characters)")
    return value.strip()  # "START " (a space typed in the plugin's settings) means START: lines are stripped too


def _device(value: str) -> str:
    if not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", value):
        raise ValueError('should be "auto", "cpu", "cuda", "cuda:N" or "mps"')
    return value


# A marker word of the card syntax: one line, not blank; spaces at either end dropped.
Marker = Annotated[str, AfterValidator(_marker)]
# A glob pattern (gitignore style in .notes2anki.toml, minimatch in data.json).
Glob = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
_CARD_REF = re.compile(r"\s*(\d+|.+:\d+)\s*")


def _card_ref(value: Any) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _CARD_REF.fullmatch(value):
        return value
    raise ValueError('should be a card ID or "file.md:LINE"')


def _split_tags(value: Any) -> Any:
    return value.split() if isinstance(value, str) else value


# A reference to a card in [dupes] ignore: its ID, or "path/in/vault.md:LINE".
CardRef = Annotated[Any, AfterValidator(_card_ref)]
# Tags of a folder: a list, or one string of space-separated tags (the plugin's form).
TagList = Annotated[list[str], BeforeValidator(_split_tags)]
ANKI_ID_MAX = 2**63 - 1  # Anki's ids are signed 64-bit integers


class Strict(BaseModel):
    """Base of every table: strict types, unknown keys reported, values frozen."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


SyntaxTable = create_model(  # ``[syntax]``: every marker word, defaulting to the plugin's
    "SyntaxTable", __base__=Strict, __doc__="``[syntax]``: the plugin's renamable marker words (see Syntax).",
    **{f.name: (Marker, f.default) for f in fields(Syntax)})


def anki_field_key(name: str) -> str:
    """A field name as Anki compares field names: NFC, without ``:``, ``{``, ``}``, ``"``, trimmed of
    spaces and of ``#``, ``/``, ``^`` at the start, case ignored (checked with the ``anki`` package 26.9:
    ``["A", "a"]``, ``["A", " A"]``, ``["A:", "A"]`` all import as ``A`` and ``A+``)."""
    import unicodedata

    name = re.sub(r'[:{}"]', "", unicodedata.normalize("NFC", name)).strip()
    return name.lstrip("#/^ \t").casefold()


def _distinct_fields(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        key = anki_field_key(name)
        if key in seen:
            same = f"{shown(name)} twice" if seen[key] == name else f"{shown(seen[key])} and {shown(name)} are one name to Anki"
            raise ValueError(f"{same}: field names must differ (Anki would rename the second one "
                             f"{shown(seen[key].strip() + '+')})")
        seen[key] = name
    return names


class NoteTypeSpec(Strict):
    """``[note_types."Name"]``: a user note type (field names distinct as Anki compares them)."""

    fields: Annotated[list[Annotated[str, StringConstraints(min_length=1)]],
                      AfterValidator(_distinct_fields)] = Field(min_length=1)
    front: str | None = None  # Anki front template
    back: str | None = None  # Anki back template
    css: str | None = None
    cloze: bool | None = None  # None: the name rule (a name containing "Cloze"; model.cloze_type)
    id: int | None = Field(None, ge=1, le=ANKI_ID_MAX)  # Anki model id (keeps the type across renames)


class SemanticSettings(Strict):
    """``[semantic]``: the sentence encoder used by dupes, related, topics and build --dupes/--topic-tags."""

    model: Annotated[str, StringConstraints(min_length=1)] | None = None  # None: the bundled model
    device: Annotated[str, AfterValidator(_device)] | None = None  # None/"auto": GPU when there is one


class DupesSettings(Strict):
    """``[dupes]``."""

    threshold: float | None = Field(None, ge=0.0, le=1.0)  # None: the built-in default
    ignore: list[Annotated[list[CardRef], Field(min_length=2)]] = []


class RelatedSettings(Strict):
    """``[related]``."""

    k: int | None = Field(None, ge=1, le=10_000)
    min_score: float | None = Field(None, ge=-1.0, le=1.0)
    exclude: list[Glob] = []  # gitignore-style patterns of notes never suggested, added to the defaults
    exclude_defaults: bool = True  # leave out the template and daily-notes folders and daily notes too


class TopicsSettings(Strict):
    """``[topics]``."""

    threshold: float | None = Field(None, gt=0.0, lt=2.0)  # cosine distance where merging stops
    min_size: int | None = Field(None, ge=1, le=1_000_000)
    k: int | None = Field(None, ge=1, le=1_000)  # number of broad subjects (None: chosen by silhouette)


class SyncSettings(Strict):
    """``[sync]``: which Anki collection `sync` and `build --collection` use."""

    collection: Annotated[str, StringConstraints(min_length=1)] | None = None  # path to collection.anki2
    profile: Annotated[str, StringConstraints(min_length=1)] | None = None  # Anki profile name
    vault_id: Annotated[str, StringConstraints(min_length=1)] | None = None  # namespace of implicit IDs


class ReportSettings(Strict):
    """``[report]``."""

    output: Annotated[str, StringConstraints(min_length=1)] | None = None  # default path of the HTML page


class BuildKeys(Strict):
    """The build keys: at the top level of `.notes2anki.toml` or under ``[build]``."""

    default_deck: str = "Default"
    default_tag: str = ""
    scan_directory: str = ""
    ignore: list[Glob] = []
    folder_decks: dict[str, str] = {}
    folder_tags: dict[str, TagList] = {}
    curly_cloze: bool = False
    highlights_to_cloze: bool = False
    add_obsidian_tags: bool = False
    add_file_link: bool = False
    add_context: bool = False
    file_link_fields: dict[str, str] = {}
    context_fields: dict[str, str] = {}
    custom_regexps: dict[str, str] = {}
    wikilinks: Literal["obsidian", "text"] = "obsidian"
    vault_name: str = ""
    sanitize_html: bool = False
    skip_templates: bool = True  # cards in Obsidian's template folders are not built (template_folders.py)
    template_folders: list[str] = []  # vault folders of templates the Obsidian settings do not name
    id_comments: bool = True  # `ids` writes <!--ID: n--> (false: the plugin's plain `ID: n`)
    note_types: dict[str, NoteTypeSpec] = {}


class TomlFile(BuildKeys):
    """The whole of `.notes2anki.toml`."""

    build: BuildKeys | None = None
    syntax: SyntaxTable | None = None
    semantic: SemanticSettings | None = None
    dupes: DupesSettings | None = None
    related: RelatedSettings | None = None
    topics: TopicsSettings | None = None
    sync: SyncSettings | None = None
    report: ReportSettings | None = None


SECTIONS = {"semantic": SemanticSettings, "dupes": DupesSettings, "related": RelatedSettings,
            "topics": TopicsSettings, "sync": SyncSettings, "report": ReportSettings}


# -- the plugin's data.json (only the keys notes2anki reads; the plugin's other keys are left alone) --------

class Loose(BaseModel):
    """A data.json table: strict types, but the plugin's keys notes2anki does not use are allowed."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, populate_by_name=False)


PluginSyntax = create_model(  # data.json's ``Syntax`` table, under the plugin's key names; None: not set
    "PluginSyntax", __base__=Loose,
    __doc__="The plugin's ``Syntax`` table of data.json (``Begin Note`` ...); None where the file does not set it.",
    **{f.name: (Marker | None, Field(None, alias=f.metadata["plugin_key"])) for f in fields(Syntax)})


class PluginDefaults(Loose):
    """The plugin's ``Defaults`` table of data.json (``Scan Directory``, ``Deck``, ``Tag``, the cloze and
    context switches), mapped to notes2anki's key names; None where the file does not set it.
    """

    scan_directory: str | None = Field(None, alias="Scan Directory")
    default_deck: str | None = Field(None, alias="Deck")
    default_tag: str | None = Field(None, alias="Tag")
    curly_cloze: bool | None = Field(None, alias="CurlyCloze")
    highlights_to_cloze: bool | None = Field(None, alias="CurlyCloze - Highlights to Clozes")
    add_obsidian_tags: bool | None = Field(None, alias="Add Obsidian Tags")
    add_file_link: bool | None = Field(None, alias="Add File Link")
    add_context: bool | None = Field(None, alias="Add Context")
    id_comments: bool | None = Field(None, alias="ID Comments")


class PluginSettings(Loose):
    """The parts of the plugin's data.json that notes2anki reads (key names as the plugin writes them, e.g.
    ``FOLDER_DECKS``); other keys of that file are left alone.
    """

    custom_regexps: dict[str, str | None] | None = Field(None, alias="CUSTOM_REGEXPS")
    file_link_fields: dict[str, str | None] | None = Field(None, alias="FILE_LINK_FIELDS")
    context_fields: dict[str, str | None] | None = Field(None, alias="CONTEXT_FIELDS")
    folder_decks: dict[str, str | None] | None = Field(None, alias="FOLDER_DECKS")
    folder_tags: dict[str, TagList | None] | None = Field(None, alias="FOLDER_TAGS")
    syntax: PluginSyntax | None = Field(None, alias="Syntax")
    defaults: PluginDefaults | None = Field(None, alias="Defaults")
    ignore: list[Glob] | None = Field(None, alias="IGNORED_FILE_GLOBS")


class PluginData(Loose):
    """The plugin's data.json: ``{"settings": {...}, "fields_dict": {...}, ...}``."""

    settings: PluginSettings | None = None
    fields_dict: dict[str, list[str] | None] | None = None
