"""notes2anki: flashcards written in an Obsidian vault → an Anki deck, plus semantic tools."""
__version__ = "0.1.0"
