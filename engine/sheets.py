"""CSV sheets uploaded by officers (staff lists, departments, rosters): decoded and split into rows, or refused.

Excel on Chinese Windows saves "CSV" as GBK unless told to use UTF-8, so GB18030 is accepted beside UTF-8
(with or without a byte-order mark). A file that is no text, or text the csv module cannot split (a NUL byte,
a stray carriage return inside a field), is refused with ValidationFailed naming the file, never a 500.
"""

from __future__ import annotations

import csv
import io

from .errors import ValidationFailed


def decode(content: bytes) -> str:
    """The sheet's text. Raises: ValidationFailed when it is neither UTF-8 nor GB18030."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationFailed("表格必须是 UTF-8 或 GB18030 编码的 CSV / the sheet must be CSV in UTF-8 or GB18030",
                                   {"file": [f"not text: {exc.reason} at byte {exc.start}"]}) from None


def rows(content: bytes) -> list[list[str]]:
    """Every row of the sheet as its cells, the header first. Raises: ValidationFailed."""
    text = decode(content)
    if "\x00" in text:
        raise ValidationFailed("表格不是有效的 CSV / the sheet is not valid CSV",
                               {"file": ["the file contains NUL characters (a binary file?)"]})
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValidationFailed("表格不是有效的 CSV / the sheet is not valid CSV", {"file": [str(exc)]}) from None


def records(content: bytes) -> list[dict[str | None, str | None]]:
    """The rows after the header as dicts keyed by the header's cells (csv.DictReader's shape)."""
    all_rows = rows(content)
    if not all_rows:
        return []
    header, body = all_rows[0], all_rows[1:]
    out = []
    for cells in body:
        if not cells:
            continue
        row: dict[str | None, str | None] = dict(zip(header, cells, strict=False))
        if len(cells) < len(header):
            row |= {h: None for h in header[len(cells):]}
        elif len(cells) > len(header):
            row[None] = cells[len(header):]  # type: ignore[assignment]
        out.append(row)
    return out
