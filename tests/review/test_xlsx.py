"""The workbook writer (review/xlsx.py), read back with openpyxl and zipfile."""

import datetime
import io
import zipfile

from openpyxl import load_workbook

from review import xlsx


def read(chunks):
    return load_workbook(io.BytesIO(b"".join(chunks)))


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_cells_keep_their_kinds():
    when = datetime.datetime(2026, 3, 4, 17, 45, 12, 250000)
    book = read(
        xlsx.workbook_chunks(
            [
                (
                    "Letters",
                    [
                        ("Number", xlsx.NUMBER),
                        ("Name", xlsx.TEXT),
                        ("Day", xlsx.DATE),
                        ("At", xlsx.DATETIME),
                    ],
                    [
                        (7, "=SUM(A1:A2)", datetime.date(2021, 7, 1), when),
                        (8, "+34 600 000 000", None, None),
                        (9.5, "  spaces kept  ", datetime.date(1900, 3, 1), when.replace(hour=0)),
                    ],
                )
            ]
        )
    )
    sheet = book["Letters"]
    assert rows_of(sheet) == [
        ["Number", "Name", "Day", "At"],
        [7, "=SUM(A1:A2)", datetime.datetime(2021, 7, 1), when],
        [8, "+34 600 000 000", None, None],
        [9.5, "  spaces kept  ", datetime.datetime(1900, 3, 1), when.replace(hour=0)],
    ]
    assert sheet["B2"].data_type == "s"  # a string, never a formula, and no guard
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["A1"].font.b and not sheet["A2"].font.b  # the header row is bold
    assert sheet.freeze_panes == "A2"  # and stays in view


def test_text_xml_cannot_carry_is_left_out_and_long_text_is_cut():
    book = read(
        xlsx.workbook_chunks(
            [
                (
                    "T",
                    [("Text", xlsx.TEXT)],
                    [
                        ("a\x00b\x07c\x1fd\tline\nbreak",),
                        ("<b>&amp;</b> \"'",),
                        ("x" * 40_000,),
                        ("Ünïcödé 🌍 שלום",),
                    ],
                )
            ]
        )
    )
    values = [row[0] for row in rows_of(book["T"])[1:]]
    assert values[0] == "abcd\tline\nbreak"
    assert values[1] == "<b>&amp;</b> \"'"
    assert values[2] == "x" * 32_767
    assert values[3] == "Ünïcödé 🌍 שלום"


def test_sheet_names_are_what_spreadsheets_accept():
    titles = ["Letters: 2026/27 [all]", "letters: 2026/27 [ALL]", "", "A" * 40]
    names = xlsx.sheet_names(titles)
    assert names[0] == "Letters  2026 27  all"
    assert names[1] != names[0] and names[1].lower() != names[0].lower()
    assert names[2] == "Sheet3"
    assert all(len(name) <= 31 for name in names)
    book = read(xlsx.workbook_chunks([(title, [("A", xlsx.TEXT)], [("x",)]) for title in titles]))
    assert book.sheetnames == names
    assert [rows_of(book[name]) for name in names] == [[["A"], ["x"]]] * 4


def test_a_big_sheet_goes_out_in_small_chunks_as_its_rows_are_read():
    """Sent as it is written: the first chunks before the last row is read, and no
    chunk much bigger than 64 KiB (the memory it keeps at 200,000 rows is in
    bench/dashboard.py)."""
    read_rows = [0]

    def rows():
        for n in range(60_000):
            read_rows[0] = n + 1
            yield (n, f"Organisation {n} de cuidados", datetime.date(2024, 1, 1))

    chunks = xlsx.workbook_chunks(
        [("Big", [("N", xlsx.NUMBER), ("Name", xlsx.TEXT), ("Day", xlsx.DATE)], rows())]
    )
    first, second = next(chunks), next(chunks)
    assert 0 < read_rows[0] < 15_000  # the first 64 KiB after some thousand rows
    body = [first, second, *chunks]
    assert read_rows[0] == 60_000
    assert len(body) > 10 and max(len(chunk) for chunk in body) < 256 * 1024
    sheet = read(body)["Big"]
    assert sheet.max_row == 60_001 and sheet["B60001"].value == "Organisation 59999 de cuidados"


def test_the_zip_is_whole_and_every_part_is_declared():
    body = b"".join(
        xlsx.workbook_chunks(
            [("One", [("A", xlsx.TEXT)], [("x",)]), ("Two", [("B", xlsx.NUMBER)], [(1,)])]
        )
    )
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        types = archive.read("[Content_Types].xml").decode()
        relations = archive.read("xl/_rels/workbook.xml.rels").decode()
    assert names == {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    }
    for part in ("/xl/workbook.xml", "/xl/styles.xml", "/xl/worksheets/sheet2.xml"):
        assert f'PartName="{part}"' in types
    assert 'Target="worksheets/sheet2.xml"' in relations and 'Target="styles.xml"' in relations
