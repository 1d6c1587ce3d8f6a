"""Every message kind the code gives is described (`check`'s counts table reads `KINDS`) and listed in the
README's `check` kinds (tester r11: `delete-without-id` had an empty description and was not in the README)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from notes2anki import model
from notes2anki.model import KINDS

ROOT = Path(__file__).resolve().parent.parent
_KIND = re.compile(r"[a-z]+(?:-[a-z]+)*")


def _kinds_in_the_code() -> dict[str, str]:
    """Each kind given to a ``Diagnostic(file, line, severity, message, kind)`` (or ``kind=``) or to a
    parser's ``report(line, severity, kind, …)``, as a string or a module constant → where."""
    constants = {name: value for name, value in vars(model).items() if isinstance(value, str) and name.isupper()}
    constants["CONFIG_KIND"] = "config"
    found: dict[str, str] = {}
    for path in sorted((ROOT / "notes2anki").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            args = []
            if name == "Diagnostic":
                args = node.args[4:5] + [k.value for k in node.keywords if k.arg == "kind"]
            elif name == "report" and len(node.args) >= 3 and isinstance(node.args[1], ast.Constant) \
                    and node.args[1].value in ("error", "warning"):
                args = node.args[2:3]
            for arg in args:
                value = arg.value if isinstance(arg, ast.Constant) else constants.get(getattr(arg, "id", ""))
                if isinstance(value, str) and _KIND.fullmatch(value):
                    found.setdefault(value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_kind_the_code_gives_is_described():
    found = _kinds_in_the_code()
    assert {"no-end", "delete-without-id", "config", "skipped-path"} <= set(found)  # the walk finds them
    missing = {kind: where for kind, where in found.items() if not KINDS.get(kind, "").strip()}
    assert not missing, f"kinds without a description in model.KINDS: {missing}"


def test_every_kind_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### `check`"):readme.index("### `ids`")]
    absent = [kind for kind in KINDS if f"`{kind}`" not in section]
    assert not absent, f"kinds the README's `check` section does not list: {absent}"
