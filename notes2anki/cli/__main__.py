"""``python -m notes2anki.cli``: the same as the ``notes2anki`` command."""
from . import main

main(prog_name="notes2anki")
