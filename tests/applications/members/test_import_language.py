"""The import command speaks the operator's language (--language, else the
environment), writes plain progress lines when not on a terminal, and every
message about a bad cell quotes the bad value."""

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from applications.members.imports import members_import
from applications.models import Organisation

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).with_name("members_sample.csv")


def sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write(tmp_path, rows) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "members.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


def run(*args):
    out, err = StringIO(), StringIO()  # not terminals
    try:
        call_command("import_members", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), str(error)
    return out.getvalue(), err.getvalue(), ""


@pytest.fixture
def bad_file(tmp_path):
    rows = sample_rows()
    rows[2]["contact_email"] = "secretariat@@kdcwu"  # row 4
    return write(tmp_path, rows)


@pytest.mark.parametrize(
    ("language", "problem", "outcome", "checking"),
    [
        (
            "en",
            "row 4, contact_email: Not a valid e-mail address: “secretariat@@kdcwu”.",
            "Nothing was imported (12 rows read, 1 with problems)",
            "Checking: 10% (2 of 12 rows)",
        ),
        (
            "es",
            "fila 4, contact_email: No es una dirección de correo válida: “secretariat@@kdcwu”.",
            "No se importó nada",
            "Verificando: 10% (2 de 12 filas)",
        ),
        (
            "fr",
            "ligne 4, contact_email : Adresse électronique non valide : « secretariat@@kdcwu ».",
            "Rien n'a été importé",
            "Vérification : 10% (2 sur 12 lignes)",
        ),
    ],
)
def test_language_option_sets_every_message(bad_file, language, problem, outcome, checking):
    out, err, error = run(bad_file, f"--language={language}")
    assert problem in out.splitlines()
    assert error.startswith(outcome)
    assert err.splitlines()[0] == checking
    assert Organisation.objects.count() == 0


def test_the_language_comes_from_the_environment(bad_file, monkeypatch):
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    out, _err, error = run(bad_file)
    assert error.startswith("Rien n'a été importé")
    monkeypatch.setenv("LANG", "es_MX.UTF-8")
    out, _err, error = run(bad_file)
    assert "fila 4, contact_email" in out
    # A language the site does not speak: the site's own (English in the tests).
    monkeypatch.setenv("LANG", "C.UTF-8")
    out, _err, error = run(bad_file)
    assert error.startswith("Nothing was imported")
    # --language wins over the environment.
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    out, _err, error = run(bad_file, "--language", "es")
    assert "fila 4" in out and "ligne 4" not in out


def test_an_unknown_language_is_refused():
    with pytest.raises(CommandError, match="invalid choice: 'de'"):
        call_command("import_members", str(SAMPLE), "--language=de", stdout=StringIO())


def test_progress_is_a_plain_line_per_tenth_when_not_on_a_terminal():
    out, err, error = run(str(SAMPLE), "--language=en")
    assert not error
    assert "\r" not in err
    lines = err.splitlines()
    assert lines == [
        f"{phase}: {tenth * 10}% ({done} of 12 rows)"
        for phase in ("Checking", "Importing")
        for tenth, done in zip(range(1, 11), (2, 3, 4, 5, 6, 8, 9, 10, 11, 12), strict=True)
    ]
    assert Organisation.objects.count() == 12


def test_progress_on_a_large_roll_stays_at_ten_lines_a_phase(tmp_path):
    rows = sample_rows()
    many = [
        dict(rows[0], key=f"K-{n}", name=f"Organización {n}", contact_email=f"c{n}@x.example.org")
        for n in range(500)
    ]
    out, err, error = run(write(tmp_path, many), "--language=en", "--dry-run")
    assert not error
    assert err.splitlines() == [f"Checking: {t}% ({t * 5} of 500 rows)" for t in range(10, 101, 10)]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("country", "Narnia"),
        ("constituency", "Gremio de magos"),
        ("contact_email", "nadie@"),
        ("contact_email", "100%(value)s@x"),  # a "%" is text, never a placeholder
        ("website", "http://exa mple.org"),
        ("website", "exa%mple org"),  # quoted as typed, without the https:// added
        ("language", "klingon"),
        ("priority_areas", "astrología"),
        ("public_listing", "quizás"),
        ("member_since", "30/03/2021"),
        ("member_since", "2999-01-01"),
        ("acronym", "SIGLA-DEMASIADO-LARGA-PARA-EL-CAMPO"),
        ("contacts", "communications|Ana|ana@@x|en"),
        ("contacts", "astronauta|Ana|ana@x.org|en"),
        ("contacts", "communications|Ana|ana@x.org|klingon"),
        ("contacts", "solo-un-campo"),
    ],
)
def test_every_message_about_a_bad_cell_quotes_the_value(column, value):
    rows = sample_rows()
    rows[2][column] = value
    out = io.StringIO(newline="")
    columns = list(rows[0]) + (["contacts"] if column == "contacts" else [])
    writer = csv.DictWriter(out, fieldnames=columns, restval="")
    writer.writeheader()
    writer.writerows(rows)

    report = members_import(data=out.getvalue().encode())

    [problem] = report.problems
    assert (problem.row, problem.field) == (4, column)
    quoted = value if column != "contacts" else value.split("|")[0]
    if column == "contacts" and "@@" in value:
        quoted = "ana@@x"
    if column == "contacts" and "klingon" in value:
        quoted = "klingon"
    assert f"“{quoted}”" in problem.message, problem.message


def test_a_very_long_bad_value_is_quoted_by_its_start():
    rows = sample_rows()
    rows[2]["country"] = "Reino de " + "muy " * 50 + "lejano"
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    [problem] = members_import(data=out.getvalue().encode()).problems
    assert "“Reino de muy muy" in problem.message and "lejano" not in problem.message
    assert "…”" in problem.message


def test_a_duplicate_pair_imports_its_first_row_with_partial(tmp_path):
    rows = sample_rows()
    rows.append(dict(rows[2], name="Otra versión", contact_email="otra@kdcwu.example.org"))
    out, _err, error = run(write(tmp_path, rows), "--partial", "--language=en")
    assert not error
    assert (
        f"row 14, key: The key “{rows[2]['key']}” is already on row 4: only that first row "
        "is imported."
    ) in out.splitlines()
    assert not [line for line in out.splitlines() if line.startswith("row 4,")]
    kept = Organisation.objects.get(import_key=rows[2]["key"])
    assert kept.name == rows[2]["name"] and kept.contact_email == rows[2]["contact_email"]
    assert Organisation.objects.count() == 12


class Terminal(StringIO):
    def isatty(self):
        return True


def test_the_bar_is_drawn_only_when_both_outputs_are_a_terminal():
    out, err = StringIO(), Terminal()  # stdout to a log, stderr on the screen
    call_command("import_members", str(SAMPLE), "--dry-run", stdout=out, stderr=err)
    assert "\r" not in err.getvalue() and "Checking: 100% (12 of 12 rows)" in err.getvalue()
    out, err = Terminal(), Terminal()
    call_command("import_members", str(SAMPLE), "--dry-run", stdout=out, stderr=err)
    assert err.getvalue().count("\r") == 12
