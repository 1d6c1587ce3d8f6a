"""What a warm run imports (issue 13: a warm `related` in ≤ 0.5 s): with every note in the parse cache and the
note vectors stored, `related` imports neither pydantic (only a configuration file is validated with it)
nor the Markdown parser (markdown-it-py, PyYAML: only a note that must be parsed needs them)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from test_warm_runs import cli as run_cli

REPO = Path(__file__).resolve().parent.parent

RUN = textwrap.dedent("""
    import json, sys
    from notes2anki.cli import main
    code = None
    try:
        main.main(sys.argv[1:], prog_name="notes2anki")
    except SystemExit as exc:
        code = exc.code
    heavy = ("pydantic", "markdown_it", "mdit_py_plugins", "yaml", "torch", "onnxruntime", "sklearn")
    print("\\n" + json.dumps({"exit": code, "imported": sorted(m for m in heavy if m in sys.modules)}))
""")

NOTES = {
    "cells.md": "# Cells\n\nMitosis splits one cell into two identical cells. See [[Genes]].\n\n"
                "START\nBasic\nWhat does mitosis produce?\nBack: Two identical cells\nEND\n",
    "genes.md": "# Genes\n\nA gene is a stretch of DNA that codes for a protein.\n",
    "stars.md": "# Stars\n\nA star fuses hydrogen into helium in its core.\n",
}


def cli(args: list[str], tmp: Path) -> tuple[dict, str]:
    return run_cli(args, tmp, RUN)


def vault_of(tmp: Path, config: str | None = None) -> Path:
    vault = tmp / "vault"
    vault.mkdir()
    for name, text in NOTES.items():
        (vault / name).write_text(text, "utf-8")
    if config is not None:
        (vault / ".notes2anki.toml").write_text(config, "utf-8")
    return vault


def test_a_warm_related_imports_neither_pydantic_nor_the_markdown_parser(tmp_path):
    vault = vault_of(tmp_path)
    # three tiny notes: their cosines (0.18, 0.13) are under related's 0.25 floor, not the point here
    first, first_out = cli(["related", str(vault), "cells", "--json", "--min-score", "-1"], tmp_path)
    assert first["exit"] == 0 and "markdown_it" in first["imported"]  # the first run parses the notes
    warm, warm_out = cli(["related", str(vault), "cells", "--json", "--min-score", "-1"], tmp_path)
    assert warm["exit"] == 0
    assert warm["imported"] == []
    assert json.loads(warm_out) == json.loads(first_out)
    assert json.loads(warm_out)["related"][0]["note"] == "genes.md"


def test_a_configuration_file_is_still_validated_and_its_tables_used(tmp_path):
    vault = vault_of(tmp_path, "[related]\nk = 1\n")
    cli(["related", str(vault), "cells", "--json", "--min-score", "-1"], tmp_path)
    warm, warm_out = cli(["related", str(vault), "cells", "--json", "--min-score", "-1"], tmp_path)
    assert "pydantic" in warm["imported"]  # a file to validate
    assert len(json.loads(warm_out)["related"]) == 1  # [related] k = 1
    (vault / ".notes2anki.toml").write_text("[related]\nk = 1\n[dupes]\nthreshold = 2.0\n", "utf-8")
    checked, out = cli(["check", str(vault)], tmp_path)
    assert checked["exit"] == 2 and "dupes.threshold" in out and "should be 1 or less" in out


def test_config_tables_not_set_read_their_defaults_without_pydantic(tmp_path):
    code = textwrap.dedent("""
        import sys
        from dataclasses import replace
        from notes2anki.config import Config, load_config
        config = load_config(sys.argv[1])
        before = repr(config)
        copy = config.with_overrides(default_deck="Elsewhere")
        assert "pydantic" not in sys.modules, "pydantic imported before a table was read"
        assert copy.default_deck == "Elsewhere" and config.default_deck == "Default"
        assert config.dupes.threshold is None and config.related.k is None and config.semantic.model is None
        assert config.related.exclude == [] and config.dupes.ignore == [] and config.sync.vault_id is None
        assert replace(Config(), default_deck="x").topics.k is None
        assert repr(config) == before == repr(replace(config))  # the parse cache's settings hash does not move
        assert "pydantic" not in sys.modules, "pydantic imported to read a default"
        print("ok")
    """)
    vault = vault_of(tmp_path)
    proc = subprocess.run([sys.executable, "-c", code, str(vault)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert proc.stdout.strip() == "ok", proc.stderr


def test_the_table_names_the_file_reader_knows_are_the_schemas():
    from notes2anki import config, config_files, config_schema

    assert set(config_schema.SECTIONS) == set(config._TABLES) == config_files._TABLES - {"build", "syntax",
                                                                                        "note_types"}


def test_the_defaults_of_an_unset_table_are_the_schemas():
    from notes2anki import config_schema
    from notes2anki.config import TableDefaults

    for name, model in config_schema.SECTIONS.items():
        defaults = model()
        assert set(model.model_fields) == set(TableDefaults(name)._values), name
        for key in model.model_fields:
            assert getattr(TableDefaults(name), key) == getattr(defaults, key), (name, key)
