"""Every third-party module notes2anki/ imports is a declared dependency (tools/dependency_report.py)."""
from tool_loader import load_tool

report = load_tool("dependency_report")


def test_every_third_party_import_is_declared():
    assert report.problems() == []


def test_the_check_finds_the_imports_it_must(tmp_path):
    """A scipy import inside a function, the case issue 15 found, is seen and mapped to its distribution."""
    found = {i.module: i for i in report.third_party_imports()}
    assert found["scipy"].file == "notes2anki/semantic/topic_clustering.py" and found["scipy"].lazy
    assert found["yaml"].lazy is False and report.distributions("yaml") == ["pyyaml"]
    assert "notes2anki" not in found and "json" not in found and "__future__" not in found


def test_undeclared_and_extra_only_imports_are_problems(tmp_path):
    pkg = tmp_path / "notes2anki"
    pkg.mkdir()
    (pkg / "a.py").write_text("import os\nimport yaml\nfrom scipy.cluster import hierarchy\n"
                              "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import numpy\n"
                              "def f():\n    import anki\n", encoding="utf-8")
    (pkg / "b.py").write_text("import anki.collection\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["PyYAML>=6", "numpy"]\n'
        '[project.optional-dependencies]\nsync = ["anki>=25"]\ntest = ["scipy"]\n', encoding="utf-8")
    messages = report.problems(pkg, tmp_path / "pyproject.toml")
    assert messages == [
        "notes2anki/a.py:3: import of 'scipy' (distribution scipy) is not declared in pyproject.toml "
        "[project] dependencies",
        "notes2anki/b.py:1: import of 'anki' (distribution anki) is only in an optional extra but runs when "
        "the module loads: import it inside the function that needs it",
    ]
