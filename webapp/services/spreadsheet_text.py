"""Text cells that a spreadsheet never runs as a formula, for every CSV the app writes.

A cell starting with = + - @, a TAB or a CR could be taken as a formula by Excel or
LibreOffice (OWASP «CSV injection»): such a cell gets a leading apostrophe, which a
spreadsheet shows as text. The importer takes the apostrophe off again, so a plan
exported as CSV imports back unchanged.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def inert(value):
    """The cell as a spreadsheet shows it as text; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """Undo inert(): the text as it was before it was written to a CSV."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable], *, bom: bool = True) -> bytes:
    """CSV in UTF-8 (with a BOM by default, so that Excel reads the diacritics), every cell inert."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([inert(value) for value in row] for row in rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")
