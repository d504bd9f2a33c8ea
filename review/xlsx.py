"""Workbooks (XLSX) written while they are sent.

A workbook is a zip of XML parts. The fixed parts (content types, relations, the
workbook's list of sheets, the styles) are a few hundred bytes each; each sheet is
one XML part written a row at a time into a zip entry that is compressed as it
is written, and whatever the zip has produced is sent on every 64 KiB. Nothing
waits for the last row, nothing is kept but the current chunk: 200,000 letters
go out in seconds, in flat memory, the first bytes at once (a web worker's
timeout counts from them). A zip written to a stream that cannot seek carries
each entry's sizes after its data (a data descriptor), as every zip reader,
spreadsheet programs included, expects.

Cells:

- text is an inline string (``t="inlineStr"``): never a formula, whatever it
  starts with, so it needs no guard; characters XML cannot carry (control
  characters other than tab and line breaks) are left out, and text longer than
  a cell holds (32,767 characters) is cut there;
- numbers are numbers; ``None`` is an empty cell;
- dates and times are the spreadsheet's day numbers (days since 1899-12-30) with
  a ``yyyy-mm-dd`` or ``yyyy-mm-dd hh:mm`` format; a time is written as given
  (the caller gives local, naive times: spreadsheets have no time zones).

The header row is bold and stays in view (frozen) when the sheet scrolls.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

TEXT, NUMBER, DATE, DATETIME = "text", "number", "date", "datetime"
CHUNK_BYTES = 64 * 1024
ROWS_PER_WRITE = 200
CELL_MAX_CHARS = 32_767  # what a cell of Excel holds
SHEET_NAME_MAX = 31
EPOCH = datetime.datetime(1899, 12, 30)
EPOCH_DAY = EPOCH.date()

# Styles (cellXfs) by index: 0 plain, 1 date, 2 date and time, 3 header.
DATE_STYLE, DATETIME_STYLE, HEADER_STYLE = 1, 2, 3

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLES = (
    XML_HEAD + f'<styleSheet xmlns="{MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_HEAD = (
    XML_HEAD + f'<worksheet xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
SHEET_TAIL = "</sheetData></worksheet>"


def column_letters(count: int) -> list[str]:
    """A, B, … Z, AA, AB, … for the first ``count`` columns."""
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def text_xml(value) -> str:
    """A string as the content of an inline string's ``<t>``."""
    text = _NOT_XML.sub("", str(value))[:CELL_MAX_CHARS]
    return escape(text)


def sheet_names(titles: Iterable[str]) -> list[str]:
    """Names a spreadsheet accepts: no ``[]:*?/\\``, at most 31 characters, not
    empty, and different from each other (whatever the case)."""
    names, seen = [], set()
    for index, title in enumerate(titles, 1):
        base = _NOT_IN_SHEET_NAME.sub(" ", _NOT_XML.sub("", title)).strip(" '")
        base = base[:SHEET_NAME_MAX] or f"Sheet{index}"
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            suffix = f" ({n})"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        seen.add(name.lower())
        names.append(name)
    return names


class _Chunks:
    """What the zip writes, kept until it is taken: the stream the zip writes to.
    It cannot seek, so the zip puts each entry's sizes after its data."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def _day_number(value) -> float | int:
    """The spreadsheet's day number of a date (a whole number) or of a time."""
    if not isinstance(value, datetime.datetime):
        return (value - EPOCH_DAY).days
    delta = value.replace(tzinfo=None) - EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _cell_writer(kind: str, letter: str):
    """A function of (value, row number) giving the ``<c>`` element of one column."""
    if kind == NUMBER:
        return lambda value, r: f'<c r="{letter}{r}"><v>{value!r}</v></c>'
    if kind in (DATE, DATETIME):
        style = DATE_STYLE if kind == DATE else DATETIME_STYLE
        return lambda value, r: f'<c r="{letter}{r}" s="{style}"><v>{_day_number(value)!r}</v></c>'
    return lambda value, r: (
        f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">'
        f"{text_xml(value)}</t></is></c>"
    )


def _row_writer(kinds: list[str]):
    """A function of (values, row number) giving one ``<row>`` element; empty values
    (``None``, "") are left out, as empty cells are."""
    cells = [
        _cell_writer(kind, letter)
        for kind, letter in zip(kinds, column_letters(len(kinds)), strict=True)
    ]

    def row(values, r: int) -> str:
        return (
            f'<row r="{r}">'
            + "".join(
                write(value, r)
                for write, value in zip(cells, values, strict=True)
                if value is not None and value != ""
            )
            + "</row>"
        )

    return row


def _header_row(titles: list[str]) -> str:
    letters = column_letters(len(titles))
    return (
        '<row r="1">'
        + "".join(
            f'<c r="{letter}1" s="{HEADER_STYLE}" t="inlineStr"><is><t xml:space="preserve">'
            f"{text_xml(title)}</t></is></c>"
            for letter, title in zip(letters, titles, strict=True)
        )
        + "</row>"
    )


def _fixed_parts(names: list[str]) -> dict[str, str]:
    sheets = range(1, len(names) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in sheets
    )
    return {
        "[Content_Types].xml": XML_HEAD
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' + overrides + "</Types>",
        "_rels/.rels": XML_HEAD + f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": XML_HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
        "<sheets>"
        + "".join(
            f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
            for n, name in zip(sheets, names, strict=True)
        )
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": XML_HEAD
        + f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in sheets
        )
        + f'<Relationship Id="rId{len(names) + 1}" Type="{RELATIONSHIPS}/styles" '
        'Target="styles.xml"/></Relationships>',
        "xl/styles.xml": STYLES,
    }


def workbook_chunks(
    sheets: Iterable[tuple[str, list[tuple[str, str]], Iterable[tuple]]],
) -> Iterator[bytes]:
    """The bytes of a workbook, as they are made, from its sheets: each a title,
    its columns as (heading, kind) with kind one of TEXT, NUMBER, DATE, DATETIME,
    and its rows (an iterable read once, as the workbook is sent)."""
    sheets = list(sheets)
    out = _Chunks()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, xml in _fixed_parts(sheet_names(title for title, _c, _r in sheets)).items():
            book.writestr(name, xml)
        yield out.take()
        for number, (_title, columns, rows) in enumerate(sheets, 1):
            row_xml = _row_writer([kind for _heading, kind in columns])
            with book.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
                pending = [SHEET_HEAD, _header_row([heading for heading, _kind in columns])]
                for r, values in enumerate(rows, 2):
                    pending.append(row_xml(values, r))
                    if len(pending) >= ROWS_PER_WRITE:
                        part.write("".join(pending).encode())
                        pending.clear()
                        if out.size >= CHUNK_BYTES:
                            yield out.take()
                pending.append(SHEET_TAIL)
                part.write("".join(pending).encode())
            yield out.take()
    yield out.take()  # the zip's central directory
