"""With a warm embedding cache, `related` and `topics` answer without loading a model or importing torch."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TOPICS_VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "topics_vault"

# through the `notes2anki` command group, as the console script runs it (so every command module is imported)
SCRIPT = """
import json, sys
from notes2anki.cli import main
try:
    main.main({args!r}, prog_name="notes2anki", standalone_mode=False)
    code = 0
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers", "onnxruntime", "sklearn", "scipy")
               if m in sys.modules)
sys.stderr.write("\\nRESULT " + json.dumps({{"code": code, "heavy": heavy}}) + "\\n")
"""


def run_fresh_process(command: str, args: list[str], cache_dir: Path):
    env = dict(os.environ, NOTES2ANKI_CACHE_DIR=str(cache_dir))
    proc = subprocess.run([sys.executable, "-c", SCRIPT.format(args=[command, *args])],
                          capture_output=True, text=True, env=env, timeout=300)
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("RESULT ")]
    assert line, proc.stderr
    return json.loads(line[-1][7:]), proc.stdout


@pytest.mark.parametrize("args", [["[[Mitosis]]", "--json"], ["--all", "--json"],
                                  ["--card", "biology/Mitochondria.md:27", "--json"]])
def test_related_on_a_warm_cache_imports_no_torch(related_index, cache_dir, args):
    # related_index has embedded every note chunk into the session cache; a --card query embeds a card text,
    # which is one of those chunks
    result, stdout = run_fresh_process("related", [str(TOPICS_VAULT), *args], cache_dir)
    assert result == {"code": 0, "heavy": []}
    assert json.loads(stdout)


def test_topics_on_a_warm_cache_imports_no_torch(fixture_topics, cache_dir):
    result, stdout = run_fresh_process("topics", [str(TOPICS_VAULT), "--json"], cache_dir)
    assert result["code"] == 0 and not {"torch", "sentence_transformers", "transformers"} & set(result["heavy"])
    assert json.loads(stdout) == fixture_topics.as_json()
    # the clustering is now in the result cache: the next run neither embeds nor clusters
    result, again = run_fresh_process("topics", [str(TOPICS_VAULT), "--json"], cache_dir)
    assert result == {"code": 0, "heavy": []}
    assert again == stdout


def test_a_cold_cache_does_load_the_model(tmp_path):
    """The check above is meaningful: the same command on an empty cache imports torch."""
    result, stdout = run_fresh_process("related", [str(TOPICS_VAULT), "Mitosis", "--json", "-k", "1"], tmp_path)
    assert result["code"] == 0 and "torch" in result["heavy"]
    assert json.loads(stdout)["related"][0]["note"] == "biology/Meiosis.md"
