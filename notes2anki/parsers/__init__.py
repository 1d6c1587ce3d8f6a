"""Parsers: vault walking, block syntax, frontmatter, Markdown → HTML, media and link resolution."""
from .vault import load_vault, parse_note

__all__ = ["load_vault", "parse_note"]
