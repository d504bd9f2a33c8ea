"""Replies, continued (issue 13): a reply is stored whole or not at all when S3 is
down while its file is written (503, so the ESP posts it again; the retry is
stored once), the holder of the letter's open task is told in their own language,
and replies to the emails about a nomination land on the nomination."""

import pytest
from django.urls import reverse

from applications import links
from applications.models import LetterReply, ReplyAttachment
from notifications.models import OutboxMessage
from review.selectors import letter_open_task
from review.task_actions import task_assign
from tests import factories

from .test_inbound import PDF, SECRETARIAT, reply_mime, ses_received

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbound(settings, webhook_secret):
    settings.SECRETARIAT_EMAIL = SECRETARIAT
    settings.INBOUND_REPLIES = True


def test_s3_down_while_storing_a_reply_answers_503_keeps_nothing_and_the_retry_stores_once(
    inbound, make_letter, post_ses_inbound, s3_endpoint, aws, reviewer
):
    letter = make_letter("changes_requested", contact_email="ana@sur.example.org")
    reply_to = OutboxMessage.objects.get(event="letter_changes_requested").reply_to
    raw = reply_mime(reply_to, attachments=[("firmada.pdf", PDF, "application/pdf")])
    keys_before = set(aws.object_keys())

    s3_endpoint.stop()  # connection refused while the reply's file is written
    response = post_ses_inbound(ses_received(raw, reply_to))
    assert response.status_code == 503  # the ESP keeps the message and posts it again
    assert response["Retry-After"]
    assert not LetterReply.objects.exists()
    assert not ReplyAttachment.objects.exists()
    assert not OutboxMessage.objects.filter(event="reply_received").exists()

    s3_endpoint.start()
    # The ESP's retries of the same message (same Message-ID, new SNS envelope).
    for _attempt in range(2):
        assert post_ses_inbound(ses_received(raw, reply_to)).status_code == 200
    reply = LetterReply.objects.get()
    assert reply.letter == letter
    file = reply.attachments.get()
    assert set(aws.object_keys()) - keys_before == {file.key}
    assert aws.object_bytes(file.key) == PDF
    # One notice, not one per post.
    assert OutboxMessage.objects.filter(event="reply_received").count() == 1


def test_a_reply_tells_the_holder_of_the_open_task_with_a_link_to_the_letter(
    inbound, make_letter, post_ses_inbound, reviewer, reviewer2
):
    letter = make_letter("submitted", contact_email="ana@sur.example.org")
    task_assign(task=letter_open_task(letter=letter, node_name="screen"), user=reviewer2)
    reply_to = links.reply_address(letter)
    assert post_ses_inbound(ses_received(reply_mime(reply_to), reply_to)).status_code == 200

    reply = LetterReply.objects.get()
    [notice] = OutboxMessage.objects.filter(event="reply_received")
    assert notice.recipient == reviewer2.email  # only the holder, not the whole group
    assert notice.reply_to == ""  # a staff email: no applicant reply address
    page = reverse("review:letter_detail", args=[letter.pk])
    assert f"{page}#reply-{reply.pk}" in notice.body_text
    assert letter.organisation_name in notice.subject
    assert "ana@sur.example.org" in notice.body_text


def test_a_reply_on_a_task_nobody_holds_tells_the_secretariat(
    inbound, make_letter, post_ses_inbound, reviewer, reviewer2, approver
):
    letter = make_letter("changes_requested", contact_email="ana@sur.example.org")
    reply_to = links.reply_address(letter)
    assert post_ses_inbound(ses_received(reply_mime(reply_to), reply_to)).status_code == 200
    recipients = set(
        OutboxMessage.objects.filter(event="reply_received").values_list("recipient", flat=True)
    )
    assert recipients == {reviewer.email, reviewer2.email}  # the Secretariat, not the Committee


def test_an_unmatched_reply_tells_nobody(inbound, make_letter, post_ses_inbound, reviewer):
    make_letter("submitted")
    assert post_ses_inbound(ses_received(reply_mime(SECRETARIAT), SECRETARIAT)).status_code == 200
    assert LetterReply.objects.get().letter is None
    assert not OutboxMessage.objects.filter(event="reply_received").exists()


# -- Nominations ------------------------------------------------------------------


def test_emails_to_nominator_and_nominee_carry_the_nominations_signed_reply_address(
    inbound, reviewer
):
    nomination = factories.nomination_in_state("submitted", call=factories.call())
    rows = OutboxMessage.objects.filter(object_type="applications.nomination")
    public = rows.filter(audience__in=["nominator", "nominee"])
    assert public.exists()
    assert set(public.values_list("reply_to", flat=True)) == {links.reply_address(nomination)}
    assert links.reply_address(nomination).startswith(f"secretariat+n{nomination.pk}-")
    assert set(
        rows.exclude(audience__in=["nominator", "nominee"]).values_list("reply_to", flat=True)
    ) <= {""}


def test_a_reply_about_a_nomination_lands_on_it_and_on_its_staff_page(
    inbound, post_ses_inbound, client, reviewer, make_letter
):
    nomination = factories.nomination_in_state("submitted", call=factories.call())
    letter = make_letter("submitted")
    reply_to = links.reply_address(nomination)
    raw = reply_mime(reply_to, attachments=[("cv.pdf", PDF, "application/pdf")])
    assert post_ses_inbound(ses_received(raw, reply_to)).status_code == 200

    reply = LetterReply.objects.get()
    assert (reply.nomination, reply.letter, reply.match) == (nomination, None, "signed")
    assert not letter.replies.exists()
    client.force_login(reviewer)
    page = client.get(reverse("review:nomination_detail", args=[nomination.pk])).content.decode()
    assert "signed letter you asked for" in page
    assert reverse("review:reply_attachment", args=[reply.attachments.get().pk]) in page
    assert f'href="#reply-{reply.pk}"' in page  # in the history
    unmatched = client.get(reverse("review:unmatched_replies")).content.decode()
    assert "signed letter you asked for" not in unmatched
    # The notice goes to the Secretariat (nobody holds the screening yet).
    notice = OutboxMessage.objects.filter(event="reply_received").first()
    assert notice is not None and nomination.nominee_name in notice.subject


def test_a_nomination_tag_with_a_letters_number_or_a_forged_digest_is_unmatched(
    inbound, post_ses_inbound, make_letter
):
    nomination = factories.nomination_in_state("submitted", call=factories.call())
    letter = make_letter("submitted")
    digest = links.reply_address(nomination).split("@")[0].split("-")[-1]
    for to in (
        f"secretariat+l{letter.pk}-{digest}@alliance-for-care.org",  # its digest, as a letter
        f"secretariat+n{nomination.pk}-{'0' * 16}@alliance-for-care.org",
    ):
        assert post_ses_inbound(ses_received(reply_mime(to), to)).status_code == 200
    assert list(LetterReply.objects.values_list("letter", "nomination", "match")) == [
        (None, None, "forged"),
        (None, None, "forged"),
    ]
