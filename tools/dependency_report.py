"""Third-party imports of notes2anki/ compared with the dependencies pyproject.toml declares.

    python tools/dependency_report.py

Every ``import X`` / ``from X import ...`` in ``notes2anki/**/*.py`` (function bodies included) whose top
module is neither in the standard library (``sys.stdlib_module_names``) nor notes2anki itself is mapped
to the distribution that installs it (``importlib.metadata.packages_distributions()``; a module no
installed distribution provides is taken to be its own distribution name) and looked up in
``[project] dependencies``. A distribution declared only in an optional extra (not ``test``) is accepted
when every import of it is lazy (inside a function), so the package still imports without the extra.

Exit codes: 0 every import is declared, 1 problems (listed, one per line with ``file:line``).
tests/test_dependencies.py runs the same check.
"""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_EXTRAS = {"test", "tests", "dev"}  # extras that a user's install never has


@dataclass(frozen=True)
class Import:
    """One import statement of a third-party module: ``file`` relative to the repo root, 1-based ``line``,
    and whether it runs only when a function is called (``lazy``) rather than when the module loads."""

    module: str  # the top-level module name, e.g. "sklearn"
    file: str
    line: int
    lazy: bool


def normalise(dist: str) -> str:
    """PEP 503 form of a distribution name: ``PyYAML`` → ``pyyaml``, ``huggingface_hub`` → ``huggingface-hub``."""
    return re.sub(r"[-_.]+", "-", dist).lower()


class _Collector(ast.NodeVisitor):
    def __init__(self, file: str):
        self.file, self.depth, self.found = file, 0, []

    def _scope(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _scope

    def visit_If(self, node: ast.If) -> None:
        # `if TYPE_CHECKING:` imports never run
        typing_only = isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING" or (
            isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        if typing_only:
            self.depth += 1
            for child in node.body:
                self.visit(child)
            self.depth -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def _add(self, name: str, node: ast.AST) -> None:
        top = name.split(".")[0]
        if top and top not in sys.stdlib_module_names and top not in ("notes2anki", "__future__"):
            self.found.append(Import(top, self.file, node.lineno, self.depth > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self._add(node.module, node)


def third_party_imports(package: Path = ROOT / "notes2anki", root: Path = ROOT) -> list[Import]:
    """Every third-party import statement under ``package``, in file then line order."""
    found: list[Import] = []
    for path in sorted(package.rglob("*.py")):
        collector = _Collector(path.relative_to(root).as_posix())
        collector.visit(ast.parse(path.read_text("utf-8"), filename=str(path)))
        found.extend(collector.found)
    return found


def declared(pyproject: Path = ROOT / "pyproject.toml") -> tuple[set[str], dict[str, set[str]]]:
    """``(required, extras)``: normalised distribution names of ``[project] dependencies`` and, per
    optional extra, of ``[project.optional-dependencies]``."""
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]

    def names(requirements: list[str]) -> set[str]:
        return {normalise(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", r).group(1)) for r in requirements}

    extras = {extra: names(reqs) for extra, reqs in project.get("optional-dependencies", {}).items()}
    return names(project.get("dependencies", [])), extras


@lru_cache(maxsize=1)
def _installed() -> dict[str, list[str]]:
    return packages_distributions()  # scans every installed distribution's file list: slow, so once


def distributions(module: str) -> list[str]:
    """Normalised names of the installed distributions that provide top-level ``module`` (the module's
    own name when none is installed)."""
    return [normalise(d) for d in _installed().get(module, [module])]


def problems(package: Path = ROOT / "notes2anki", pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """One ``file:line: ...`` message per import whose distribution is not properly declared."""
    required, extras = declared(pyproject)
    user_extras = {dist for extra, dists in extras.items() if extra not in TEST_EXTRAS for dist in dists}
    out = []
    for imp in third_party_imports(package, pyproject.parent):
        dists = distributions(imp.module)
        if any(d in required for d in dists):
            continue
        where = f"{imp.file}:{imp.line}: import of {imp.module!r} (distribution {' or '.join(dists)})"
        if any(d in user_extras for d in dists):
            if not imp.lazy:
                out.append(f"{where} is only in an optional extra but runs when the module loads: "
                           "import it inside the function that needs it")
            continue
        out.append(f"{where} is not declared in pyproject.toml [project] dependencies")
    return out


def unused(package: Path = ROOT / "notes2anki", pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """Declared required distributions that no module of ``package`` imports (informational: some are
    declared to pin what a library we use pulls in, e.g. torch for sentence-transformers)."""
    required, _ = declared(pyproject)
    used = {d for imp in third_party_imports(package, pyproject.parent) for d in distributions(imp.module)}
    return sorted(required - used)


def main() -> int:
    """Print the imported modules with their distributions, the problems, and unused declarations."""
    by_module: dict[str, list[Import]] = {}
    for imp in third_party_imports():
        by_module.setdefault(imp.module, []).append(imp)
    for module, imports in sorted(by_module.items()):
        files = sorted({i.file for i in imports})
        print(f"{module:22} {', '.join(distributions(module)):24} {len(files)} file(s)")
    bad = problems()
    for message in bad:
        print(f"PROBLEM {message}")
    for dist in unused():
        print(f"note: {dist} is declared but not imported by notes2anki/")
    print(f"\n{len(bad)} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
