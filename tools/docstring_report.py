"""Public functions and classes of notes2anki/ that have no docstring.

    python tools/docstring_report.py [--fail] [PATH ...]

Public: a module-level function or class whose name has no leading underscore, and a method (or
property) without a leading underscore of such a class; dunder methods, nested functions and
``@overload`` stubs are not counted. PATH (files or folders, default ``notes2anki``) narrows the report.
Prints ``file:line kind name`` per missing docstring, then the count per folder and in all.
Exit code 0, or 1 with ``--fail`` when anything is missing.
"""
from __future__ import annotations

import ast
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Public:
    """One public definition: ``file`` relative to the repo root, 1-based ``line``, ``kind`` (function,
    class or method), its ``name`` (``Class.method`` for methods) and whether it has a docstring."""

    file: str
    line: int
    kind: str
    name: str
    documented: bool


def _public(name: str) -> bool:
    return not name.startswith("_")


def _is_overload(node: ast.AST) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "overload" or isinstance(d, ast.Attribute) and d.attr == "overload"
               for d in getattr(node, "decorator_list", []))


def definitions(path: Path, root: Path = ROOT) -> list[Public]:
    """The public definitions of one Python file, in source order."""
    path = path.resolve()
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    out: list[Public] = []
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, functions) and _public(node.name) and not _is_overload(node):
            out.append(Public(rel, node.lineno, "function", node.name, ast.get_docstring(node) is not None))
        elif isinstance(node, ast.ClassDef) and _public(node.name):
            out.append(Public(rel, node.lineno, "class", node.name, ast.get_docstring(node) is not None))
            for item in node.body:
                if isinstance(item, functions) and _public(item.name) and not _is_overload(item):
                    out.append(Public(rel, item.lineno, "method", f"{node.name}.{item.name}",
                                      ast.get_docstring(item) is not None))
    return out


def collect(paths: list[Path], root: Path = ROOT) -> list[Public]:
    """Public definitions of every ``.py`` file under ``paths`` (files or folders), by file then line."""
    files = sorted({f for p in paths for f in ([p] if p.is_file() else p.rglob("*.py"))})
    return [d for f in files for d in definitions(f, root)]


def main(argv: list[str]) -> int:
    """Print the undocumented public definitions and the counts; see the module docstring for ``argv``."""
    fail = "--fail" in argv
    paths = [Path(a).resolve() for a in argv if a != "--fail"] or [ROOT / "notes2anki"]
    found = collect(paths)
    missing = [d for d in found if not d.documented]
    for d in missing:
        print(f"{d.file}:{d.line} {d.kind} {d.name}")
    per_folder_all = Counter(str(Path(d.file).parent) for d in found)
    per_folder_missing = Counter(str(Path(d.file).parent) for d in missing)
    print()
    for folder in sorted(per_folder_all):
        print(f"{folder:24} {per_folder_missing[folder]:4} of {per_folder_all[folder]:4} without a docstring")
    print(f"{'in all':24} {len(missing):4} of {len(found):4} without a docstring")
    return 1 if fail and missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
