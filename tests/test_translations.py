"""The Spanish and French catalogues are complete, and the compiled .mo match them.

No database and no third-party library: a tiny .po parser, Python's own
``gettext`` reader for the .mo files, and GNU ``msgfmt`` (the tool Django's
``compilemessages`` runs) for its statistics and for a byte-for-byte rebuild.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["es", "fr"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*\w+\s*\}\}")
MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="GNU gettext (msgfmt) is not installed")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included; obsolete (``#~``) entries are skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key: tuple[str, int] | None = None
    last = ""

    def start(number: int) -> Entry:
        new = Entry(line=number)
        entries.append(new)
        return new

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            entry, key = None, None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if entry is None or last not in ("#", ""):
                entry = start(number)
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            last = "#"
            continue
        if line.startswith("#"):
            if entry is None or last != "#":
                entry = start(number)
            last = "#"
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        if match:
            name, index, text = match.group(1), int(match.group(2) or 0), match.group(3)
            if entry is None or (name in ("msgid", "msgctxt") and last.startswith("msgstr")):
                entry = start(number)
            key = (name, index)
            last = name
            _append(entry, key, ast.literal_eval(text))
        elif line.startswith('"') and entry is not None and key is not None:
            _append(entry, key, ast.literal_eval(line))
        else:
            raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    return entries


def _append(entry: Entry, key: tuple[str, int], text: str) -> None:
    name, index = key
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.mo"


def nplurals(entries: list[Entry]) -> int:
    header = next(e for e in entries if e.is_header).msgstr[0]
    match = re.search(r"nplurals\s*=\s*(\d+)", header)
    assert match, "the header has no Plural-Forms"
    return int(match.group(1))


def where(path: Path, entry: Entry) -> str:
    return f"{path.relative_to(LOCALE)}:{entry.line} {entry.msgid[:60]!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    path = po_path(language)
    entries = parse_po(path)
    messages = [e for e in entries if not e.is_header]
    assert len(messages) > 100, f"{path} looks empty: run makemessages"
    forms = nplurals(entries)

    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {where(path, entry)}")
    for entry in messages:
        expected = range(forms) if entry.msgid_plural is not None else range(1)
        missing = [i for i in expected if not entry.msgstr.get(i, "").strip()]
        if missing:
            problems.append(f"untranslated {missing}: {where(path, entry)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    path = po_path(language)
    problems = []
    for entry in parse_po(path):
        if entry.is_header:
            continue
        singular = sorted(PLACEHOLDER.findall(entry.msgid))
        plural = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for index, text in entry.msgstr.items():
            # As msgfmt checks it: the first form keeps the singular's placeholders,
            # the others the plural's (a singular may leave out %(counter)s).
            wanted = singular if int(index) == 0 else plural
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"msgstr[{index}] placeholders differ: {where(path, entry)}")
    assert not problems, "\n".join(problems)


@needs_msgfmt
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_reports_no_untranslated_or_fuzzy(language):
    result = subprocess.run(
        [MSGFMT, "--check", "--statistics", "-o", os.devnull, str(po_path(language))],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
        check=False,
    )
    report = result.stderr + result.stdout
    assert result.returncode == 0, report
    assert re.search(r"\b\d+ translated messages?\b", report), report
    assert "fuzzy" not in report and "untranslated" not in report, report


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_holds_exactly_the_po_messages(language):
    """What Django will load from the .mo is what the .po says, message for message."""
    with mo_path(language).open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)
    expected = {}
    for entry in parse_po(po_path(language)):
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.is_header:
            # msgfmt leaves POT-Creation-Date out of the .mo, so the .mo is reproducible.
            lines = entry.msgstr[0].splitlines(keepends=True)
            expected[key] = "".join(x for x in lines if not x.startswith("POT-Creation-Date:"))
        elif entry.msgid_plural is None:
            expected[key] = entry.msgstr[0]
        else:
            expected.update({(key, i): text for i, text in entry.msgstr.items()})
    stale = sorted(
        str(k) for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)
    )
    assert not stale, (
        f"locale/{language}/LC_MESSAGES/django.mo does not match the .po; run "
        f"`manage.py compilemessages --ignore=.venv`. Differing: {stale[:10]}"
    )


@needs_msgfmt
@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_is_the_compiled_po(language, tmp_path):
    """Rebuild the .mo the way compilemessages does and compare the bytes."""
    rebuilt = tmp_path / "django.mo"
    subprocess.run(
        [MSGFMT, "--check-format", "-o", str(rebuilt), str(po_path(language))],
        capture_output=True,
        check=True,
    )
    assert rebuilt.read_bytes() == mo_path(language).read_bytes(), (
        f"locale/{language}/LC_MESSAGES/django.mo is stale; run "
        "`manage.py compilemessages --ignore=.venv`"
    )
