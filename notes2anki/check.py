"""`notes2anki check`: every problem a build would report, plus the near-miss lints, without writing.

The vault is read exactly as ``build`` reads it (same configuration, same parser, same identity
checks); nothing is packaged, no state or cache is written. Problems are grouped by
:attr:`notes2anki.model.Diagnostic.code`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, fatal_problems, load_config
from .decks.identity import assign_identities
from .model import Diagnostic
from .parsers import load_vault


@dataclass
class CheckReport:
    """The problems of one vault, in file:line order; ``notes`` and ``cards`` read, for the summary."""

    problems: list[Diagnostic] = field(default_factory=list)
    notes: int = 0
    cards: int = 0
    stopped: bool = False  # the configuration cannot be used: only its problems are listed
    scan_directory: str = ""  # the vault folder read ("" = the whole vault), for the empty-vault message
    ignore_source: str = ""  # the settings file whose ignore patterns applied ("" = none), for that message

    @property
    def errors(self) -> int:
        """How many problems are errors."""
        return sum(1 for d in self.problems if d.severity == "error")

    @property
    def warnings(self) -> int:
        """How many problems are warnings."""
        return sum(1 for d in self.problems if d.severity == "warning")

    def counts(self) -> dict[str, int]:
        """Kind code → number of problems, most frequent first (ties by code)."""
        counted = Counter(d.code for d in self.problems)
        return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))

    def by_kind(self) -> dict[str, list[Diagnostic]]:
        """Kind code → its problems (file:line order); kinds holding errors first, then by count."""
        groups: dict[str, list[Diagnostic]] = {}
        for d in self.problems:
            groups.setdefault(d.code, []).append(d)
        return dict(sorted(groups.items(), key=lambda kv: (all(d.severity != "error" for d in kv[1]),
                                                             -len(kv[1]), kv[0])))

    def needs_fixing(self, strict: bool = False) -> bool:
        """Errors (and, when ``strict``, warnings too) were found."""
        return bool(self.errors or (strict and self.warnings))

    def as_json(self) -> dict:
        """``{"problems": [{"file", "line", "severity", "kind", "message"}], "counts": {kind: n},
        "errors": n, "warnings": n, "notes": n, "cards": n, "stopped": bool}`` — a stable shape for CI and
        editors."""
        return {
            "problems": [{"file": d.file, "line": d.line, "severity": d.severity, "kind": d.code,
                          "message": d.message} for d in self.problems],
            "counts": self.counts(),
            "errors": self.errors,
            "warnings": self.warnings,
            "notes": self.notes,
            "cards": self.cards,
            "stopped": self.stopped,
        }


def check_vault(root: Path, config: Config | None = None) -> CheckReport:
    """Read the vault at ``root`` as a build would and collect every problem (configuration, parsing,
    lints, identities). Writes nothing; never raises on bad notes. A configuration problem that stops
    every command (``fatal_problems``) stops the check too: ``stopped`` is set and only the
    configuration's problems are listed."""
    root = Path(root)
    diags: list[Diagnostic] = []
    if config is None:
        config = load_config(root, diags)
    report = CheckReport()
    if fatal_problems(diags):  # as every command: a configuration that cannot be used stops here
        report.stopped = True
    else:
        vault = load_vault(root, config)
        diags += vault.diagnostics
        assign_identities([c for c in vault.cards if not c.delete], diags)
        from .semantic.dupe_settings import ignore_problems  # (light: no model, no numpy)

        diags += ignore_problems(config, vault.cards)  # a build checks duplicates by default: it says these too
        report.notes, report.cards = len(vault.notes), len(vault.cards)
        report.scan_directory = config.scan_directory
        report.ignore_source = config.origin.get("ignore", "")
    report.problems = sorted(dict.fromkeys(diags), key=lambda d: (d.file, d.line, d.severity, d.message))
    return report
