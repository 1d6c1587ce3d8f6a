"""Ignore patterns: gitignore style as ``git`` matches ``.gitignore`` (the ``pathspec`` library), with
``{a,b}`` alternatives expanded first; the plugin's minimatch globs are converted by
:func:`plugin_glob_to_gitignore`. Every pattern is bounded (:data:`MAX_BRACE_EXPANSIONS`, stars) and
many patterns stay fast (:class:`IgnoreMatcher`: compiled once, matched once per path). Patterns and
paths are compared in Unicode NFC (:mod:`notes2anki.unicode_paths`).
"""
from __future__ import annotations

import re
from functools import lru_cache

import pathspec

from ..unicode_paths import nfc

MAX_BRACE_EXPANSIONS = 64  # one pattern with {a,b} alternatives may stand for at most this many
MAX_STARS_PER_PART = 3  # '*' within one path segment of a pattern (each adds a nested scan of the name)
MAX_GLOBSTARS = 3  # '**' segments in one pattern


class PatternError(ValueError):
    """An ignore pattern notes2anki will not use; ``str(exc)`` says why."""


def expand_braces(pattern: str, limit: int = MAX_BRACE_EXPANSIONS) -> list[str]:
    """``{a,b}`` alternatives expanded as minimatch and bash do (nested, in order); a brace without a
    top-level comma, an unbalanced one or an escaped one (``\\{``) stays literal. Ranges (``{1..3}``) are
    not expanded. Raises PatternError beyond ``limit`` patterns."""
    out: list[str] = []
    work = [pattern]
    while work:
        current = work.pop()
        group = _first_group(current)
        if group is None:
            out.append(current)
            continue
        start, end, parts = group
        work.extend(current[:start] + part + current[end + 1:] for part in reversed(parts))
        if len(out) + len(work) > limit:
            raise PatternError(f"{{…}} alternatives expand to more than {limit} patterns")
    return out


def _first_group(text: str) -> tuple[int, int, list[str]] | None:
    """(index of '{', index of its '}', the alternatives) of the first brace group with a comma."""
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "{":
            depth, j, commas = 0, i, []
            while j < len(text):
                ch = text[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif ch == "," and depth == 1:
                    commas.append(j)
                j += 1
            if j < len(text) and commas:
                bounds = [i] + commas + [j]
                return i, j, [text[a + 1:b] for a, b in zip(bounds, bounds[1:])]
        i += 1
    return None


def plugin_glob_to_gitignore(glob: str) -> list[str]:
    """One of the plugin's IGNORED_FILE_GLOBS (minimatch, matched against the whole vault path) as
    gitignore patterns: braces expanded, and a pattern without a ``/`` anchored at the vault root
    (minimatch's ``*.md`` only matches at the root; gitignore's would match at any depth).
    Raises PatternError."""
    negate = glob.startswith("!")
    body = glob[1:] if negate else glob
    out = []
    for one in expand_braces(body):
        if "/" not in one.rstrip("/"):
            one = "/" + one
        out.append(("!" if negate else "") + one)
    return out


def gitignore_patterns(patterns: list[str]) -> list[str]:
    """User patterns (gitignore style, ``{a,b}`` allowed) → plain gitignore lines. Raises PatternError
    naming the first pattern notes2anki will not use (checked by pathspec's own translation, without
    compiling anything)."""
    return [line for line, _ in _translated(patterns)]


def _translated(patterns) -> list[tuple[str, str | None]]:
    """(gitignore line, pathspec's regex for it — None for a line that matches nothing) per expanded
    pattern, in order. Raises PatternError."""
    out: list[tuple[str, str | None]] = []
    for pattern in map(nfc, patterns):  # matched to NFC paths (IgnoreMatcher.__call__)
        negate = pattern.startswith("!")
        for one in expand_braces(pattern[1:] if negate else pattern):
            _check_cost(one)
            line = ("!" if negate else "") + one
            try:
                regex, include = _PATTERN.pattern_to_regex(line)
            except ValueError as exc:  # pathspec's GitIgnorePatternError, e.g. a lone "!" or a trailing "\\"
                raise PatternError(str(exc)) from None
            if regex is not None and "[" in one:
                _check_brackets(regex)
            out.append((line, regex if include is not None else None))
    return out


def _check_brackets(regex: str) -> None:
    """A ``[…]`` set pathspec passes through to the regex: a reversed range (``[z-a]``, ``[9-0]``), an
    escape as a range end (``[\\d-a]``) or a POSIX class (``[[:alpha:]]``, which Python's re reads as a
    nested set) is a PatternError, never an error while matching."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        try:
            re.compile(regex)
        except FutureWarning:
            raise PatternError("POSIX character classes such as [[:alpha:]] are not supported; "
                               "write the characters out ([a-zA-Z])") from None
        except re.error as exc:
            raise PatternError(f"bad character set: {exc.msg}") from None


def _check_cost(pattern: str) -> None:
    parts = pattern.strip("/").split("/")
    if sum(1 for p in parts if p == "**") > MAX_GLOBSTARS:
        raise PatternError(f"more than {MAX_GLOBSTARS} '**' in one pattern")
    if any(p != "**" and p.count("*") > MAX_STARS_PER_PART for p in parts):
        raise PatternError(f"more than {MAX_STARS_PER_PART} '*' within one name")


# The pattern class GitIgnoreSpec uses (whatever its module in this pathspec version).
_PATTERN = type(pathspec.GitIgnoreSpec.from_lines(["x"]).patterns[0])
_NAMED_GROUP = re.compile(r"(?<!\\)((?:\\\\)*)\(\?P<\w+>")
BLOCK = 128  # patterns per pre-filter regex


class IgnoreMatcher:
    """gitignore-style lines compiled once, matched once per path, with pathspec's exact semantics.

    pathspec's GitIgnoreSpec tries every pattern on every path (20,000 patterns × 3,000 files: 60 million
    regex calls, 44 s). Here:

    * a pattern anchored at the vault root whose first folder is a plain name (``Archive/2019/*.md``) can
      only match paths under that folder, and a pattern that may match at any depth but starts with a
      plain name (``Drafts``, ``**/tmp/``, ``old.md``) only paths that hold that name as a part: patterns
      are filed by that name (:func:`_index_key`); so is one whose first part is ``*`` and a plain ending
      (``*.tmp.md``), by that ending; another glob by its longest plain text (``*a*a*ax0`` → ``ax0``). A
      path is tried only against the patterns filed under its first folder, under each of its parts, under
      the endings of its parts, under the texts it holds, and the unfiled ones (other globs);
    * the regexes of one such group (pathspec's own translation) are joined, ``BLOCK`` at a time, into one
      alternation each, compiled when a path first needs them: a path no block matches is not ignored
      after a few C-level searches;
    * for a block that matches, its patterns are built (once) and tried one by one, and those that match,
      in their order, go to a GitIgnoreSpec. A pattern that does not match a path never changes pathspec's
      verdict on it, so the answer is pathspec's (last match wins, ``!`` re-includes, a folder pattern
      ignores what is inside).
    """

    def __init__(self, translated: list[tuple[str, str | None]]):
        kept = [(line, regex) for line, regex in translated if regex is not None]
        self._lines = [line for line, _ in kept]
        self._regexes = [regex for _, regex in kept]
        self._groups: dict[tuple[str, str], list[int]] = {}  # _index_key -> pattern indices
        for index, line in enumerate(self._lines):
            self._groups.setdefault(_index_key(line), []).append(index)
        self._endings = sorted({len(name) for kind, name in self._groups if kind == "ending"})
        self._literals = sorted(name for kind, name in self._groups if kind == "literal")
        self._blocks: dict[tuple[str, str], list[tuple[list[int], re.Pattern | None]]] = {}
        self._patterns: dict[int, object] = {}  # index -> compiled pathspec pattern, built when first needed

    def __call__(self, rel: str) -> bool:
        """Whether the vault path ``rel`` is ignored (its NFC form matched to the NFC patterns: ``Café``
        typed composed matches the name a Mac or git stored decomposed, and the reverse)."""
        path = pathspec.util.normalize_file(nfc(rel))
        parts = path.split("/")
        keys = {("", ""), ("first", parts[0]), *(("part", part) for part in parts),
                *(("ending", part[-n:]) for part in parts for n in self._endings if len(part) >= n),
                *(("literal", text) for text in self._literals if text in path)}
        hits = sorted({i for key in keys for i in self._hits(key, path)})
        return bool(hits) and pathspec.GitIgnoreSpec([self._pattern(i) for i in hits]).match_file(path)

    def _hits(self, group: tuple[str, str], path: str):
        if group not in self._groups:
            return
        for indices, block in self._blocks_of(group):
            if block is None or block.search(path):
                yield from (i for i in indices if self._pattern(i).match_file(path) is not None)

    def _blocks_of(self, group: tuple[str, str]) -> list[tuple[list[int], re.Pattern | None]]:
        blocks = self._blocks.get(group)
        if blocks is None:
            blocks = self._blocks[group] = []
            indices = self._groups[group]
            for start in range(0, len(indices), BLOCK):
                chunk = indices[start:start + BLOCK]
                try:
                    block = re.compile("|".join("(?:" + _anonymous(self._regexes[i]) + ")" for i in chunk))
                except (re.error, RecursionError):  # never expected; then each pattern of the block is tried
                    block = None
                blocks.append((chunk, block))
        return blocks

    def _pattern(self, index: int):
        pattern = self._patterns.get(index)
        if pattern is None:
            pattern = self._patterns[index] = _PATTERN(self._lines[index])
        return pattern


def _index_key(line: str) -> tuple[str, str]:
    """Where a gitignore line is filed in :class:`IgnoreMatcher`: ``("first", name)`` when it is anchored at
    the root (a ``/`` at its start or middle) and its first part is a plain name, which every path it
    matches starts with (``Archive/*.md``, ``/Drafts``); ``("part", name)`` when it may match at any depth
    and its first part (after a leading ``**/``) is a plain name, which every path it matches holds as a
    part (``Drafts``, ``**/tmp/``, ``**/a/b``); ``("ending", text)`` when it may match at any depth and its
    first part is ``*`` then plain text, which a part of every path it matches ends with (``*.tmp.md``);
    ``("literal", text)`` for another glob without classes or escapes: its longest run of plain text (at
    least 2 characters), which every path it matches holds (``*a*a*ax0`` → ``ax0``: a path without it is
    never tried, so many star patterns against long names do not backtrack for minutes); else
    ``("", "")`` (classes, escapes, trailing spaces, short globs: tried on every path)."""
    body = line[1:] if line.startswith("!") else line
    anchored = "/" in body.rstrip("/") and not body.startswith("**/")
    rest = body[3:] if body.startswith("**/") else body[1:] if body.startswith("/") else body
    first = rest.split("/", 1)[0]
    if body != body.rstrip() or first in ("", ".", ".."):
        return ("", "")
    if not any(c in first for c in "*?[\\"):
        return ("first", first) if anchored else ("part", first)
    tail = first[1:]
    if not anchored and first.startswith("*") and tail and not any(c in tail for c in "*?[\\"):
        return ("ending", tail)
    if not any(c in body for c in "[\\"):  # other globs: by their longest plain text, which every match holds
        text = max(re.split(r"[*?/]+", rest), key=len)  # within one name: '/**/' may stand for nothing
        if len(text) >= 2:
            return ("literal", text)
    return ("", "")


def _anonymous(regex: str) -> str:
    """``regex`` with its named groups made plain groups (two patterns' ``(?P<ps_d>…)`` may not be joined)."""
    return _NAMED_GROUP.sub(lambda m: m.group(1) + "(?:", regex)


@lru_cache(maxsize=16)
def _matcher(patterns: tuple[str, ...]) -> IgnoreMatcher | None:
    """The matcher of user ``patterns`` (before brace expansion); None when one cannot be used (that was
    reported when the configuration was read)."""
    try:
        return IgnoreMatcher(_translated(patterns))
    except PatternError:
        return None


def is_ignored(rel: str, patterns: list[str]) -> bool:
    """Whether the vault path ``rel`` is ignored by gitignore-style ``patterns`` (last match wins;
    ``!p`` re-includes; a pattern matching a folder ignores everything inside it)."""
    matcher = _matcher(tuple(patterns))
    return matcher is not None and matcher(rel)


def path_filter(patterns: list[str]):
    """A predicate ``rel -> bool`` for gitignore-style ``patterns`` (e.g. ``[related] exclude``); raises
    PatternError for a pattern notes2anki will not use."""
    return IgnoreMatcher(_translated(patterns))
