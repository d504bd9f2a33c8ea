"""Import member organisations from a CSV file: ``manage.py import_members FILE``."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from applications.members.imports import members_import, problem_text, summary


def environment_language() -> str:
    """The operator's language as the environment gives it (LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG, in gettext's order: "fr_FR.UTF-8" is French), if it is one
    of the site's; else the site's LANGUAGE_CODE."""
    known = {code for code, _name in settings.LANGUAGES}
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for value in os.environ.get(variable, "").split(":"):
            code = value.split(".")[0].split("_")[0].split("-")[0].lower()
            if code in known:
                return code
    return settings.LANGUAGE_CODE


class ProgressBar:
    """On a terminal, a textual bar redrawn in place for every row; elsewhere (a
    log, a pipe, a cron mail) one plain line each time another tenth is done."""

    WIDTH = 30

    def __init__(self, out, *, terminal: bool):
        self.out = out
        self.terminal = terminal
        self.labels = {"check": _("Checking"), "write": _("Importing")}
        self.shown: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        label = self.labels.get(phase, phase)
        if not self.terminal:
            tenth = 10 * done // total if total else 10
            if tenth > self.shown.get(phase, 0):
                self.shown[phase] = tenth
                self.out.write(
                    _("%(phase)s: %(percent)s%% (%(done)s of %(total)s rows)")
                    % {"phase": label, "percent": tenth * 10, "done": done, "total": total},
                    style_func=str,
                )
                self.out.flush()
            return
        filled = self.WIDTH * done // total if total else self.WIDTH
        bar = "#" * filled + "." * (self.WIDTH - filled)
        end = "\n" if done >= total else ""
        self.out.write(f"\r{label:<10} [{bar}] {done}/{total}{end}", style_func=str, ending="")
        self.out.flush()


class Command(BaseCommand):
    help = _lazy(
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
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=None,
            help=_("the language of the messages (default: from the environment, LANG)"),
        )

    def handle(self, *args, file, dry_run, partial, language=None, **options):
        with translation.override(language or environment_language()):
            self.run(file=file, dry_run=dry_run, partial=partial)

    def run(self, *, file, dry_run, partial):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from error

        # A bar only when both outputs are a terminal: once either goes to a log or
        # a pipe, redrawing in place would fill it with carriage returns.
        terminal = self.stdout.isatty() and self.stderr.isatty()
        progress = ProgressBar(self.stderr, terminal=terminal)
        report = members_import(data=data, dry_run=dry_run, partial=partial, progress=progress)
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
