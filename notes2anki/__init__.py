"""notes2anki: flashcards written in an Obsidian vault → an Anki deck, plus semantic tools."""
import os as _os

# ONNX Runtime (1.2x+) writes a device id and telemetry events to ~/.cache/Microsoft/DeveloperTools as soon as
# it is imported, outside notes2anki's cache folders and meant for upload (tester 12-02); only this variable,
# read at its import, stops it. Set here, before any of the package's modules can import it.
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__version__ = "0.1.0"
