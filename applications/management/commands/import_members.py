"""Import member organisations from a CSV file: ``manage.py import_members FILE``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from applications.members.imports import members_import, problem_text, summary


class ProgressBar:
    """A textual bar on stderr, redrawn in place for every row."""

    WIDTH = 30

    def __init__(self, out):
        self.out = out
        self.labels = {"check": _("Checking"), "write": _("Importing")}

    def __call__(self, phase: str, done: int, total: int) -> None:
        filled = self.WIDTH * done // total if total else self.WIDTH
        bar = "#" * filled + "." * (self.WIDTH - filled)
        end = "\n" if done >= total else ""
        label = self.labels.get(phase, phase)
        self.out.write(f"\r{label:<10} [{bar}] {done}/{total}{end}", style_func=str, ending="")
        self.out.flush()


class Command(BaseCommand):
    help = _(
        "Import member organisations from a CSV file (columns: see the README). All or "
        "nothing unless --partial; a re-import updates the members whose key matches. "
        "Sends no email."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the CSV file (UTF-8 or Latin-1, “,” or “;”)"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("check the file and report, write nothing"),
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help=_("import the valid rows even if other rows have problems"),
        )

    def handle(self, *args, file, dry_run, partial, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from error

        report = members_import(
            data=data, dry_run=dry_run, partial=partial, progress=ProgressBar(self.stderr)
        )
        if report.encoding:
            self.stdout.write(
                _("Read %(file)s as %(encoding)s, columns separated by “%(delimiter)s”.")
                % {"file": file, "encoding": report.encoding, "delimiter": report.delimiter}
            )
        for problem in report.problems:
            self.stdout.write(problem_text(problem))
        if report.blocked:
            raise CommandError(summary(report))
        self.stdout.write(self.style.SUCCESS(summary(report)))
