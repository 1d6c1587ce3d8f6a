"""Grouping diagnostics by kind, for the terminal summary and the report page (one rule for both)."""
from __future__ import annotations

import re

from .model import Diagnostic

# A quoted name: '…' only where a quote opens and closes a word — an apostrophe inside a word ("the card's
# text … the card's note") is no quote (the report's heading paired the two, tester r16).
_QUOTED = re.compile(r"(?<!\w)'[^'\n]*'(?!\w)|\"[^\"]*\"|`[^`]*`|«[^»]*»|“[^”]*”")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def normalised(message: str) -> str:
    """``message`` with quoted names → ``'…'`` and numbers → ``N`` (what messages of one kind share)."""
    return " ".join(_NUMBER.sub("N", _QUOTED.sub("'…'", message)).split())


_PART = re.compile(f"{_QUOTED.pattern}|{_NUMBER.pattern}")


def shared_form(messages: list[str]) -> str:
    """What ``messages`` (of one :func:`normalised` kind) say alike: their normalised form, with each quoted
    name or number that every message holds the same kept as written (``run `ids` again`` stays, where
    :func:`normalised` gives ``run '…' again``)."""
    parts = [_PART.findall(m) for m in messages]
    if not messages or any(len(p) != len(parts[0]) for p in parts):
        return normalised(messages[0]) if messages else ""
    same = [all(p[i] == parts[0][i] for p in parts) for i in range(len(parts[0]))]
    pieces = iter(zip(parts[0], same))

    def keep(match: re.Match) -> str:
        text, alike = next(pieces)
        return text if alike else ("N" if _NUMBER.fullmatch(text) else "'…'")

    return " ".join(_PART.sub(keep, messages[0]).split())


def heading(kind: str, diagnostics: list[Diagnostic]) -> str:
    """What a group of :func:`by_kind` is headed by, on the terminal summary and the report page alike:
    its one message as written, else the kind code and what all its messages say (:func:`shared_form`:
    fixed words such as ``'START'`` kept, only what differs blanked)."""
    if len(diagnostics) == 1:
        return diagnostics[0].message
    said = shared_form([d.message for d in diagnostics])
    return f"{kind}: {said}" if getattr(diagnostics[0], "kind", "") and said != kind else said


def kind_of(d: Diagnostic) -> str:
    """What groups messages: the diagnostic's ``kind`` when it has one, else its :func:`normalised` message
    (``unknown note type 'Basik'`` → ``unknown note type '…'``)."""
    return getattr(d, "kind", "") or normalised(d.message)


def by_kind(diagnostics: list[Diagnostic]) -> list[tuple[str, str, list[Diagnostic]]]:
    """``(severity, kind, diagnostics)`` per kind and wording, each list in (file, line) order: errors first,
    then the largest groups, then by kind.

    Messages of one ``kind`` that say different things (two near misses: a code fence never closed, an
    ``END`` that closes no card) are two groups, so that one text describes every place of its group
    truly: the wording compared is :func:`normalised` (names and numbers blanked)."""
    groups: dict[tuple[str, str, str], list[Diagnostic]] = {}
    for d in sorted(set(diagnostics), key=lambda d: (d.file, d.line, d.message)):
        kind = kind_of(d)
        wording = normalised(d.message) if getattr(d, "kind", "") else ""
        groups.setdefault((d.severity, kind, wording), []).append(d)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0] != "error", -len(kv[1]), kv[0][1], kv[0][2]))
    return [(severity, kind, ds) for (severity, kind, _), ds in ordered]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1: ``counted(1, "warning")`` → "1 warning",
    ``counted(2, "warning")`` → "2 warnings", ``counted(1200, "card")`` → "1200 cards" (no thousands
    separator: scripts read summary lines). ``plural``: the irregular form
    (``counted(2, "match", "matches")``); by default ``noun + "s"``. Summaries use this so that no line
    reads "1 warnings"."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def listed(items) -> str:
    """Quoted names joined for a sentence: "'A'", "'A' and 'B'", "'A', 'B' and 'C'"."""
    quoted = [repr(item) for item in items]
    return " and ".join(quoted) if len(quoted) < 3 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def named(noun: str, items, plural: str | None = None) -> str:
    """``noun`` (plural for more than one) and the quoted names: "field 'Back'", "fields 'Front' and 'Back'"."""
    items = list(items)
    return f"{noun if len(items) == 1 else (plural or noun + 's')} {listed(items)}"


def of_these(part: int, whole: int, noun: str, plural: str | None = None) -> str:
    """``part`` of ``whole`` things: "3 of these 4 cards", or "this card" when there is one."""
    return f"this {noun}" if whole == 1 else f"{part} of these {counted(whole, noun, plural)}"


_TEXT_SNIFF = 65_536  # bytes of an existing messages file read to judge whether it is plain text


def messages_file_problem(path, vault_root) -> str | None:
    """Why ``--messages-file PATH`` must not be written, as a message naming it; None when it may be.

    Refused (checked before the command does anything, so nothing of the vault is ever overwritten):
    ``-`` (messages already go to stderr; ``./-`` names a file called ``-``); a path inside the vault
    ``vault_root`` (symlinks judged by their target: the vault is the user's data, a note must never be
    replaced by messages); a folder that does not exist or is not a folder; an existing file that is not a
    regular file or not plain UTF-8 text (something else than a messages file we wrote before) — a
    character device such as ``/dev/null`` or ``/dev/stderr`` is allowed.
    """
    import codecs
    import os
    import stat
    from pathlib import Path

    from .fileio import is_inside

    if str(path) == "-":
        return ("--messages-file -: messages already go to standard error; give a file name "
                "(./- for a file named '-')")
    path = Path(path)
    if is_inside(Path(vault_root), path):
        return f"--messages-file {path}: is inside the vault (notes2anki only reads the vault); choose a file outside it"
    parent = Path(os.path.realpath(path)).parent
    if not parent.is_dir():
        return f"--messages-file {path}: folder {parent} does not exist"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"--messages-file {path}: cannot be checked: {exc.strerror or exc}"
    if stat.S_ISCHR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return f"--messages-file {path}: exists and is not a regular file; not overwritten"
    try:
        with open(path, "rb") as fh:
            head = fh.read(_TEXT_SNIFF)
    except OSError as exc:
        return f"--messages-file {path}: cannot be read: {exc.strerror or exc}"
    try:
        if b"\0" in head:
            raise UnicodeDecodeError("utf-8", head, 0, 1, "NUL byte")
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _TEXT_SNIFF)
    except UnicodeDecodeError:
        return f"--messages-file {path}: exists and is not a plain text file; not overwritten"
    return None


def no_note_problem(vault: str, notes: int, scan_directory: str = "", ignore_source: str = "") -> str | None:
    """Why a command stops on an empty vault (exit 2; README: every command, ``build`` and ``report``
    unless ``--allow-empty``): ``notes`` .md notes were read in ``vault`` (as typed on the command line)
    under ``scan_directory``, after the ignore patterns of ``ignore_source`` (a settings file, or "").
    None when there is at least one note."""
    if notes:
        return None
    where = f" under {scan_directory!r}" if scan_directory else ""
    where += f" (after the ignore patterns of {ignore_source})" if ignore_source else ""
    return f"No note (.md file) in {vault}{where}; nothing to do. Is this the vault folder?"


def write_messages(path, diagnostics: list[Diagnostic]) -> str | None:
    """Write ``diagnostics`` to ``path`` (``--messages-file``), one ``file:line: severity: message`` a
    line, errors first, each once; None, or why it could not be written (a message naming ``path``)."""
    from pathlib import Path

    ordered = sorted(dict.fromkeys(diagnostics), key=lambda d: (d.severity != "error", d.file, d.line))
    try:
        Path(path).write_text("".join(f"{d}\n" for d in ordered), encoding="utf-8")
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    return None
