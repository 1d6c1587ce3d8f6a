"""``python -m notes2anki.cli``: the same as the ``notes2anki`` command."""
from ..entry import main

main()
