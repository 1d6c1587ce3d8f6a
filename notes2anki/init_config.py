"""`notes2anki init`: a commented ``.notes2anki.toml`` to start from.

:func:`suggest` writes the text: every build key with its meaning, the value the Obsidian_to_Anki plugin's
``data.json`` sets when the vault has one (else the default), and a folder → deck mapping (the plugin's
``FOLDER_DECKS`` when set, else one deck per top folder of the vault that holds cards). Nothing here writes a
file or prints; the command writes the text.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterable

from .config import CONFIG_FILE, DEFAULT_IGNORE, PLUGIN_SETTINGS, Syntax
from .messages import counted
from .model import Diagnostic, note_type_fields
from .unicode_paths import spelled_on_disk

# (key, comment) in the order written; every key of Config that a user sets by hand
KEYS = [
    ("default_deck", "Deck for notes without a TARGET DECK line, a frontmatter `deck:` or a folder deck below."),
    ("default_tag", 'Tag added to every card ("" for none).'),
    ("scan_directory", 'Only notes under this vault folder ("" = the whole vault).'),
    ("ignore", "Vault paths to skip, as in .gitignore (added to the default **/*.excalidraw.md; !pattern "
               "re-includes)."),
    ("curly_cloze", "Cloze cards: {answer}, {2:answer}, {c2|answer} become clozes."),
    ("highlights_to_cloze", "Cloze cards: ==text== becomes a cloze."),
    ("add_obsidian_tags", "#tags inside fields become Anki tags (and leave the text)."),
    ("add_context", "Append 'path > heading > ...' to the field named in [context_fields]."),
    ("add_file_link", "Append a link that opens the note in Obsidian to the field named in [file_link_fields]."),
    ("wikilinks", '[[Links]] as obsidian:// links ("obsidian") or plain text ("text").'),
    ("sanitize_html", "Clean fields with an allow-list of HTML (for decks you share)."),
]
# keys written only when a file sets them (``skip_templates`` unset keeps the template-folder warning naming
# the folders; ``vault_name`` unset follows the folder's name)
SET_ONLY_KEYS = [
    ("vault_name", "The vault's name in Obsidian, for obsidian:// links (default: the vault folder's name)."),
    ("skip_templates", "Cards in Obsidian's template folders are not built (false: build them, as the plugin)."),
    ("id_comments", "`ids` writes <!--ID: n--> (false: the plugin's plain `ID: n` line, its \"ID Comments\" off)."),
]
TABLES = [
    ("folder_decks", "Folder → deck; subfolders inherit, the innermost folder wins."),
    ("folder_tags", "Folder → tags added to its cards; subfolders inherit."),
    ("custom_regexps", "Note type → regular expression; each match is a card, group i = field i."),
    ("context_fields", "Note type → field that gets the context (with add_context)."),
    ("file_link_fields", "Note type → field that gets the file link (with add_file_link)."),
]
TAIL_HEAD = "# Semantic tools (duplicates, related notes, topics); uncomment to change."
# the commented example of each table, written when the previous file did not set that table
TAIL = {
    "semantic": """# [semantic]
# model = "all-MiniLM-L6-v2"     # or a path to a local sentence-transformers model""",
    "dupes": """# [dupes]
# threshold = {dupes_threshold}
# ignore = [["a.md:12", "b.md:40"]]   # pairs you keep on purpose (file:line or the cards' IDs)""",
    "topics": """# [topics]                      # default: the number of subjects is chosen from the data
# k = 8                         # or exactly this many subjects
# threshold = 0.86              # or: cut the subjects at this cosine distance (one of k / threshold)""",
    "related": """# [related]
# k = 5""",
}


@dataclass
class Suggestion:
    """What ``notes2anki init`` proposes: the commented ``.notes2anki.toml`` text, whether the plugin's
    data.json was read, the folder decks suggested (top folder → (cards, cards now in the default deck))
    and the problems met while reading the vault."""

    text: str  # the TOML file's content
    from_plugin: bool  # the plugin's data.json was read
    folders: dict[str, tuple[int, int]]  # suggested folder decks: top folder → (cards, cards in the default
    # deck today); empty when the plugin's FOLDER_DECKS are used
    diagnostics: list[Diagnostic]
    # folders named like templates whose cards init wrote under template_folders instead of proposing them as
    # decks: folder → (cards, notes)
    templates: dict[str, tuple[int, int]] = field(default_factory=dict)


def toml_value(value) -> str:
    """A TOML literal for a str, bool, int, float, list or dict (inline table) value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _scanned(root: Path, scanned=None):
    """``(config, vault)`` of the vault at ``root``, read now unless ``scanned`` holds them."""
    if scanned is not None:
        return scanned
    from .config import load_config
    from .parsers import load_vault

    config = load_config(root, [])
    return config, load_vault(root, config)


def top_folders(root: Path, leave_out: Iterable[str] = (), scanned=None) -> dict[str, tuple[int, int]]:
    """Top folders of the vault that hold cards → (cards, cards now in the default deck); hidden folders
    left out, and the cards of the notes in the folders ``leave_out`` (the template folders suggested:
    :func:`template_suggestions`). ``scanned``: ``(config, vault)`` when read already."""
    from .unicode_paths import nfc_in_folder

    config, vault = _scanned(root, scanned)
    skipped = list(leave_out)
    cards = [c for c in vault.cards if "/" in c.file and not any(nfc_in_folder(c.file, f) for f in skipped)]
    counts = Counter(c.file.split("/", 1)[0] for c in cards)
    default = Counter(c.file.split("/", 1)[0] for c in cards if c.deck == config.default_deck)
    return {folder: (n, default[folder]) for folder, n in sorted(counts.items()) if not folder.startswith(".")}


def template_suggestions(root: Path, scanned=None, rejected: list | None = None) -> dict[str, tuple[int, int]]:
    """The folders whose name says they hold templates (``Templates``, ``06-Templates``, at any depth: the
    outermost) and whose notes hold cards, while no template setting names them and ``.notes2anki.toml``
    does not set ``template_folders`` — and that look like skeletons (their name is just "templates", or
    their notes hold template syntax: :func:`notes2anki.template_folders.looks_like_templates`): folder →
    (cards, notes). ``init`` writes them under ``template_folders`` rather than proposing them as decks (see
    :mod:`notes2anki.template_folders`). The other folders named like templates (``CS/C++ templates`` of real
    cards) are appended to ``rejected``. ``scanned``: ``(config, vault)`` when read already."""
    from .template_folders import looks_like_templates, unnamed_template_like

    config, vault = _scanned(root, scanned)
    out = {}
    for folder, notes in sorted(unnamed_template_like(vault, config).items()):
        if looks_like_templates(folder, notes):
            out[folder] = (sum(len(n.cards) for n in notes), len(notes))
        elif rejected is not None:
            rejected.append(folder)
    return out


TEMPLATE_FOLDERS = ("# Folders of note templates that Obsidian's settings (Templates, Templater) do not name: their",
                    "# cards are not built, get no ID (a template's ID would be copied into every note made from it)",
                    "# and related never suggests them.")


def template_lines(config, suggested: dict[str, tuple[int, int]], mark: str, rejected=()) -> list[str]:
    """The ``template_folders`` key as ``init`` writes it: the value the configuration sets, else the
    folders ``suggested`` (:func:`template_suggestions`) with why, else a commented example. The folders
    named like templates that do not look like skeletons (``rejected``) are named in a comment; with none
    suggested the key is written ``[]``, so that ``ids`` writes their IDs as init judged them."""
    if "template_folders" in config.origin:
        return [*TEMPLATE_FOLDERS, f"template_folders = {toml_value(config.template_folders)}{mark}", ""]
    real = []
    if rejected:
        real = ["# Named like templates but proposed as decks: their notes hold no template syntax ({{title}},",
                "# {{date}}, <% ... %>) and their name is not just \"Templates\". If one holds templates, list it here:",
                *(f"#   {toml_value(f)}" for f in rejected)]
    if not suggested:
        return [*TEMPLATE_FOLDERS, *real, "template_folders = []" if rejected else '# template_folders = ["Templates"]',
                ""]
    lines = [*TEMPLATE_FOLDERS, *real,
             "# Suggested by init: each folder below has \"template\" in its name and holds cards, so it is not",
             "# proposed as a deck. If one holds real cards, remove it (template_folders = [] builds them all, and",
             "# lets ids write their IDs).",
             "template_folders = ["]
    lines += [f"  {toml_value(f)},  # {counted(cards, 'card')} in {counted(notes, 'note')}"
              for f, (cards, notes) in suggested.items()]
    return [*lines, "]", ""]


def suggest(root: Path) -> Suggestion:
    """The commented ``.notes2anki.toml`` for the vault at ``root``: the values the vault's configuration
    has now (the plugin's data.json, and an existing ``.notes2anki.toml`` when replacing it), else the
    defaults, each marked with the file it came from."""
    from .config import load_config

    root = Path(root)
    diags: list[Diagnostic] = []
    config = load_config(root, diags)
    from_plugin = any(src == PLUGIN_SETTINGS for src in config.origin.values())
    source = f"the plugin's settings ({PLUGIN_SETTINGS}) and " if from_plugin else ""
    lines = [f"# notes2anki settings for this vault. Written by `notes2anki init` from {source}defaults;",
             "# edit freely (README: Configuration). Priority: defaults < the plugin's data.json < this file",
             "# < command-line options. A line starting with # is a comment.", ""]

    def source(key: str) -> str:
        """Where ``key``'s value came from, in words ("from the plugin"), or "" for a default."""
        return {PLUGIN_SETTINGS: "from the plugin", CONFIG_FILE: f"from the previous {CONFIG_FILE}"}.get(
            config.origin.get(key), "")

    def mark(key: str) -> str:  # after a value: its own trailing comment
        return f"  # {source(key)}" if source(key) else ""

    def said(key: str) -> str:  # inside a comment's sentence: in brackets, never a second `#`
        return f" ({source(key)})" if source(key) else ""

    for key, comment in KEYS:
        value = getattr(config, key)
        if key == "ignore":  # written patterns are added to the defaults
            value = [p for p in value if p not in DEFAULT_IGNORE]
        lines += [f"# {comment}", f"{key} = {toml_value(value)}{mark(key)}", ""]
    for key, comment in SET_ONLY_KEYS:
        if key in config.origin:
            lines += [f"# {comment}", f"{key} = {toml_value(getattr(config, key))}{mark(key)}", ""]
    scanned = None  # (config, vault), read once for the folder suggestions
    if "template_folders" not in config.origin or not config.folder_decks:
        scanned = _scanned(root)
    rejected: list[str] = []
    templates = {} if "template_folders" in config.origin else template_suggestions(root, scanned, rejected)
    lines += template_lines(config, templates, mark("template_folders"), rejected)
    folders: dict[str, tuple[int, int]] = {}
    known_types = note_type_fields(config.note_types)
    for key, comment in TABLES:
        value = getattr(config, key) or {}
        if key == "folder_decks" and not value:
            folders = top_folders(root, templates, scanned)
            lines += [f"# {comment}", "# Suggested: one deck per top folder that holds cards. A TARGET DECK line or a",
                      "# frontmatter deck still wins; only the cards now in the default deck would move",
                      "# (a folder none of whose cards would move is commented out).", f"[{key}]"]
            lines += [("" if d else "# ") + f"{toml_value(f)} = {toml_value(f)}  # {counted(n, 'card')}, {d} now in "
                      "the default deck" for f, (n, d) in folders.items()]
            lines.append("")
            continue
        lines += [f"# {comment}" + (f" ({source(key).capitalize()}.)" if source(key) else ""), f"[{key}]"]
        for k, v in value.items():
            entry = f"{toml_value(str(k) or '.')} = {toml_value(v)}"  # "": the whole vault, written "."
            if key in ("folder_decks", "folder_tags") and spelled_on_disk(root, str(k)) is None:  # a folder since gone:
                entry = f"# {entry}  # folder not found in the vault"  # every command would warn about it
            elif key in ("context_fields", "file_link_fields") and str(k) not in known_types:  # the plugin lists
                entry = f"# {entry}  # no such note type here"  # every type Anki has: check warned for each (tester 12-03)
            elif key in ("context_fields", "file_link_fields") and str(v) not in known_types[str(k)]:
                # the plugin's field of the type in Anki ("Obsidian Context" added to Basic there): check warned
                entry = f"# {entry}  # notes2anki's {k} has no such field ({', '.join(known_types[str(k)])})"
            lines.append(entry)
        lines.append("")
    for name, spec in config.note_types.items():
        lines += [f"# A note type of your Anki collection{said('note_types')}: its fields, in order.",
                  f"[note_types.{toml_value(name)}]"]
        lines += [f"{k} = {toml_value(v)}" for k, v in spec.items() if v not in (None, "", {}, [])]
        lines.append("")
    renamed = {f.name: getattr(config.syntax, f.name) for f in fields(Syntax)
               if getattr(config.syntax, f.name) != getattr(Syntax(), f.name)}
    if renamed:
        lines += [f"# Marker words of the card syntax, renamed{said('syntax')}.", "[syntax]"]
        lines += [f"{attr} = {toml_value(value)}" for attr, value in renamed.items()]
        lines.append("")
    from .semantic.scoring import DEFAULT_THRESHOLD  # the threshold dupes uses (numpy only, no model)

    kept = previous_sections(root)
    for name, values in kept.items():
        lines += [f"# [{name}] as the previous {CONFIG_FILE} set it.", f"[{name}]"]
        lines += [f"{toml_value(str(k))} = {toml_value(v)}" for k, v in values.items()]
        lines.append("")
    examples = [block for name, block in TAIL.items() if name not in kept]
    tail = "\n".join(["", TAIL_HEAD, *examples, ""]) if examples else ""
    text = "\n".join(lines).rstrip("\n") + "\n" + tail.format(dupes_threshold=f"{DEFAULT_THRESHOLD:.2f}")
    return Suggestion(text, from_plugin, folders, diags, templates)


def previous_sections(root: Path) -> dict[str, dict]:
    """The tables of the vault's existing ``.notes2anki.toml`` that :func:`suggest` does not write from the
    configuration (``[semantic]``, ``[dupes]``, ``[related]``, ``[topics]``, ``[sync]``, ``[report]``), as
    written there, so that ``init --force`` keeps them: losing ``[sync] vault_id`` would give every card
    without an ID a new identity, and Anki a second note of each. {} when there is no file or it cannot be
    read (``load_config`` has reported why)."""
    import tomllib

    from .config import _TABLES
    from .fileio import read_bounded

    try:
        data = tomllib.loads(read_bounded(config_path(root), 1 << 20, root=Path(root)).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: data[name] for name in _TABLES if isinstance(data.get(name), dict) and data[name]}


def config_path(root: Path) -> Path:
    """Where the vault at ``root`` keeps its settings: ``root/.notes2anki.toml``."""
    return Path(root) / CONFIG_FILE



MAX_BACKUPS = 100  # .notes2anki.toml.bak, .bak.1 … .bak.99: beyond, init --force refuses


def replace_refusal(root: Path) -> str | None:
    """Why ``init --force`` must not replace the vault's ``.notes2anki.toml``, or None when it may.

    A symbolic link (a settings file kept with one's dotfiles, a link to a shared file; dangling too) is
    refused: writing the new file would replace the link, not its target, and the link would be lost. A
    file that is not valid TOML is refused with its ``file:line``: the values it sets could not be read,
    and the new file would lose them (``[sync] vault_id`` is the identity of every card without an ID)."""
    import os

    path = config_path(root)
    if not path.is_symlink():
        return _syntax_refusal(root)
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return (f"{path} is a symbolic link (to {target}); init --force does not replace a link: edit the file "
            "it points to, or remove the link first (--stdout prints the suggested file)")


def _syntax_refusal(root: Path) -> str | None:
    """``file:line: why`` when the vault's ``.notes2anki.toml`` exists and cannot be read as TOML (a syntax
    error, not UTF-8, too large), else None."""
    import re
    import tomllib

    from .fileio import not_utf8, read_bounded

    path = config_path(root)
    try:
        if not path.is_file():
            return None
        tomllib.loads(read_bounded(path, 1 << 20, root=Path(root)).decode("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        line = m.group(1) if (m := re.search(r"line (\d+)", str(exc))) else "1"
        return (f"{path}:{line}: not valid TOML ({exc}); init --force does not replace a file it cannot read: "
                "the values it sets would be lost, [sync] vault_id among them (the identity of every card "
                "without an ID). Fix the syntax first, then run init --force again")
    except UnicodeDecodeError as exc:
        line, why = not_utf8(exc)
        return (f"{path}:{line}: {why}; init --force does not replace a file it cannot read: the values it sets "
                "would be lost, [sync] vault_id among them (the identity of every card without an ID). Fix it "
                "first (save it as UTF-8), then run init --force again")
    except (OSError, ValueError, RecursionError) as exc:
        why = f"not read: {getattr(exc, 'strerror', None) or exc or 'values nested too deeply'}"
    else:
        return None
    return (f"{path}:1: {why}; init --force does not replace a file it cannot read: the values it sets would "
            "be lost, [sync] vault_id among them. Fix the file first, then run init --force again")


def keep_previous(root: Path) -> Path | None:
    """Copy the vault's existing ``.notes2anki.toml`` (a regular file inside the vault, ≤ 1 MiB), bytes as
    they are, before ``init --force`` replaces it: the comments and layout a user wrote are not carried
    into the new file. The copy goes to ``.notes2anki.toml.bak``, or when that holds an earlier backup to
    ``.bak.1``, ``.bak.2`` … (no backup is ever replaced: the first one is the user's own file); a backup
    holding the same bytes already is used as it is. Returns the backup's path, None when there was
    nothing to keep. Raises OSError when it cannot be written (then the file must not be replaced)."""
    from .fileio import atomic_write, read_bounded

    source = config_path(root)
    try:
        if source.is_symlink() or not source.is_file():
            return None
        data = read_bounded(source, 1 << 20, root=Path(root))
    except (OSError, ValueError):
        return None
    for n in range(MAX_BACKUPS):
        backup = source.with_name(CONFIG_FILE + ".bak" + (f".{n}" if n else ""))
        if backup.is_symlink() or backup.exists():
            if _holds(backup, data, root):
                return backup
            continue
        atomic_write(backup, data)
        return backup
    raise OSError(f"{MAX_BACKUPS} backups ({CONFIG_FILE}.bak …) are there already; remove the old ones")


def _holds(path: Path, data: bytes, root: Path) -> bool:
    """Whether the regular file ``path`` holds exactly ``data``."""
    from .fileio import read_bounded

    try:
        return not path.is_symlink() and path.is_file() and read_bounded(path, 1 << 20, root=Path(root)) == data
    except (OSError, ValueError):
        return False
