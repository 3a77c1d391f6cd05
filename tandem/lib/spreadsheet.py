"""Text safe to put in a spreadsheet cell. Pure Python: used by every CSV and XLSX Tandem writes.

A cell that begins with "=", "+", "-", "@", a tab or a carriage return can run as a formula when a
spreadsheet opens the file (CSV injection); a leading apostrophe makes it plain text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """Text a spreadsheet cannot run: a leading apostrophe if it starts like a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
