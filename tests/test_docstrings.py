"""Every public function, class and method of notes2anki/ has a docstring (tools/docstring_report.py)."""
from pathlib import Path

from tool_loader import load_tool

ROOT = Path(__file__).resolve().parent.parent
report = load_tool("docstring_report")


def test_every_public_definition_has_a_docstring():
    missing = [f"{d.file}:{d.line} {d.kind} {d.name}" for d in report.collect([ROOT / "notes2anki"])
               if not d.documented]
    assert missing == [], "public definitions without a docstring:\n" + "\n".join(missing)


def test_the_check_sees_what_it_must_and_skips_what_is_private(tmp_path):
    source = tmp_path / "mod.py"
    source.write_text('''
def public(x):
    return x

def _private(x):
    return x

class Thing:
    """Documented."""

    def method(self):
        return 1

    @property
    def prop(self):
        """Documented."""
        return 2

    def _hidden(self):
        return 3

    def __repr__(self):
        return "Thing"
''', encoding="utf-8")
    found = {d.name: d.documented for d in report.definitions(source, tmp_path)}
    assert found == {"public": False, "Thing": True, "Thing.method": False, "Thing.prop": True}
    assert report.main([str(source), "--fail"]) == 1
