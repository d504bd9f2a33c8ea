"""SpamAssassin's local rules (Debian's ``spamassassin``, installed by ``make
test``; no network tests) on every email template in es, en and fr, built as the
outbox sends it: each scores below 1.0 (issue 16, item 11).

All messages are scored by one Perl process through Mail::SpamAssassin, so the
rules are compiled once (a ``spamassassin`` run per email would take 2 s each).
"""

import shutil
import subprocess
from types import SimpleNamespace

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from applications import links
from applications.replies import reply_receive
from notifications.services import (
    call_context,
    email_pairs,
    letter_context,
    nomination_context,
    render_email,
    reply_context,
)
from tests import factories

pytestmark = pytest.mark.django_db

LIMIT = 1.0
SCORER = r"""
use strict; use warnings;
use Mail::SpamAssassin;
my $sa = Mail::SpamAssassin->new({local_tests_only => 1, dont_copy_prefs => 1,
                                  userstate_dir => $ENV{SA_STATE}});
$sa->compile_now(0);
foreach my $path (@ARGV) {
    open(my $fh, '<', $path) or die "$path: $!";
    my @lines = <$fh>; close($fh);
    my $mail = $sa->parse(\@lines);
    my $status = $sa->check($mail);
    printf "%s\t%.2f\t%s\n", $path, $status->get_score(), $status->get_names_of_tests_hit();
    $status->finish(); $mail->finish();
}
"""


def _member_email_context(member) -> dict:
    """What the emails about a member and about one of its contacts show, together."""
    from notifications.services import contact_context, member_context

    contact = member.contacts.get()
    contact.pending_email = "nueva@miembro.example.org"
    return {**member_context(member), **contact_context(contact), "member_note": "Motivo."}


@pytest.fixture
def contexts(make_letter, approver, settings):
    settings.SITE_URL = "https://join.alliance-for-care.org"  # links as in production
    settings.COMMITTEE_CALENDAR_URL = "https://calendar.alliance-for-care.org/"
    letter = make_letter("reviewed", organisation_name="Cuidados & Derechos")
    letter.decided_by = approver
    letter.message_to_applicant = "Gracias por su paciencia."
    letter.decision_reason = "Cumple los criterios."
    letter.consent_public_listing = True
    open_call = factories.call()
    nomination = factories.nomination_in_state(
        "awaiting_consent", call=open_call, nominee_name="Ana Pérez"
    )
    nomination.decision_reason = "Cumple los criterios."
    member = factories.member(name="Red de Cuidados del Norte")
    reply = reply_receive(  # an applicant's answer, as the inbound webhook stores it
        sender="ana@cuidados.example.org",
        recipients=[links.reply_address(letter)],
        subject="Re: su carta",
        text="Adjuntamos la carta firmada.",
        files=[],
    )
    return {
        "reply": reply_context(reply),
        "letter": letter_context(letter),
        "nomination": nomination_context(nomination),
        "call": {
            **call_context(open_call),
            "member": member,
            "nominate_url": settings.SITE_URL + "/nominate/abc/",
        },
        "task": {
            **letter_context(letter),
            "task_title": "Screening",
            "due": timezone.localdate(),
            "assignee": "Sofía",
            "task_url": settings.SITE_URL + "/review/letter/1/screen/2/",
        },
        "digest": {
            "items": [SimpleNamespace(created_at=timezone.now(), subject="Nueva carta")],
            "inbox_url": settings.SITE_URL + "/review/",
            "letters_url": settings.SITE_URL + "/staff/letters/",
        },
        "member": _member_email_context(member),
        "file": {
            "file": SimpleNamespace(signature="Eicar-Test-Signature"),
            "file_name": "plan.pdf",
            "belongs_to": "Red Sur",
            "owner_url": settings.SITE_URL + "/staff/letters/1/",
            "site_url": settings.SITE_URL,
        },
    }


def test_every_email_scores_below_one_with_spamassassins_local_rules(contexts, tmp_path, settings):
    perl = shutil.which("perl")
    if not shutil.which("spamassassin") or not perl:
        pytest.skip("SpamAssassin is not installed (make test installs Debian's spamassassin)")
    files = {}
    for event, audience in email_pairs():
        kind = "digest" if event == "staff_digest" else event.split("_")[0]
        for language in ("es", "en", "fr"):
            rendered = render_email(
                event=event,
                audience=audience,
                language=language,
                context=contexts[kind],
                text=None,
            )
            email = EmailMultiAlternatives(
                subject=rendered["subject"],
                body=rendered["body_text"],
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=["ana.perez@example.org"],
                headers={"X-Alliance-Outbox-Key": f"{event}:letter:1:1:ana.perez@example.org"},
            )
            email.attach_alternative(rendered["body_html"], "text/html")
            path = tmp_path / f"{event}.{audience}.{language}.eml"
            path.write_bytes(email.message().as_bytes())
            files[str(path)] = f"{event}/{audience}/{language}"
    (tmp_path / "state").mkdir()
    done = subprocess.run(
        [perl, "-e", SCORER, *files],
        capture_output=True,
        text=True,
        timeout=600,
        env={"SA_STATE": str(tmp_path / "state"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    scores = {}
    for line in done.stdout.splitlines():
        path, score, rules = line.split("\t")
        scores[files[path]] = (float(score), rules)
    assert len(scores) == len(files)
    worst = max(scores.items(), key=lambda item: item[1][0])
    print(
        f"\nspamassassin: emails={len(scores)} max_score={worst[1][0]:.2f} ({worst[0]}: "
        f"{worst[1][1]}) limit={LIMIT}"
    )
    over = {name: found for name, found in scores.items() if found[0] >= LIMIT}
    assert not over, over
