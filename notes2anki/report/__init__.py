"""The report page (`notes2anki report VAULT -o report.html`): :func:`assemble` gathers what the page shows
(:mod:`.data`), :func:`render` turns it into one self-contained HTML page (:mod:`.page`)."""
from .data import ReportData, assemble, project
from .page import render

__all__ = ["ReportData", "assemble", "project", "render"]
