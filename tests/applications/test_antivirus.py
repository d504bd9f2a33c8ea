"""Virus scanning (issue 16, item 9) against a real clamd (Debian's clamav-daemon,
installed by ``make test``), started for the session with a signature database
this fixture writes: one body signature for the EICAR test string, since no
signatures can be downloaded here. A PDF carrying that string is "infected".
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications import antivirus, uploads
from applications.antivirus import ScannedFile, ScanStatus
from applications.links import status_token
from applications.models import Attachment, Letter
from notifications.models import OutboxMessage
from tests.factories import form_data
from tests.files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE_NAME = "GAC.Test.EICAR"
# clamd reports a signature of a database of our own with this suffix.
SIGNATURE = f"{SIGNATURE_NAME}.UNOFFICIAL"
URL = reverse("applications:letter_create")
NOBODY = "tcp://127.0.0.1:9"  # the discard port: nothing listens there


def infected_pdf() -> bytes:
    return pdf_bytes("Letter of interest") + b"\n%" + EICAR + b"\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """A clamd of the tests' own, on a TCP port and a unix socket."""
    binary = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    if binary is None:
        pytest.skip("clamd is not installed (make test installs Debian's clamav-daemon)")
    root = tmp_path_factory.mktemp("clamd")
    (root / "db").mkdir()
    (root / "db" / "test.ndb").write_text(f"{SIGNATURE_NAME}:0:*:{EICAR.hex()}\n")
    port, sock = _free_port(), root / "clamd.sock"
    (root / "clamd.conf").write_text(
        "\n".join(
            [
                "Foreground yes",
                f"DatabaseDirectory {root / 'db'}",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"LocalSocket {sock}",
                f"LogFile {root / 'clamd.log'}",
                "Bytecode no",
                "StreamMaxLength 40M",
                "",
            ]
        )
    )
    process = subprocess.Popen(
        [binary, "-c", str(root / "clamd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        if sock.exists():
            break
        time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"clamd did not start: {(root / 'clamd.log').read_text()[-2000:]}")
    try:
        yield {"tcp": f"tcp://127.0.0.1:{port}", "unix": str(sock)}
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def scanning(settings, clamd):
    settings.CLAMD_ADDRESS = clamd["tcp"]
    return clamd


def post_letter(client, content, name="carta.pdf", **fields):
    data = form_data(**fields)
    data["signed_letter"] = upload(name, content)
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE="en")


def download(client, letter):
    attachment = letter.attachments.get()
    url = reverse("applications:letter_attachment", args=[status_token(letter), attachment.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_clamd_tells_the_eicar_string_from_a_clean_file(settings, clamd, transport):
    settings.CLAMD_ADDRESS = clamd[transport]
    assert antivirus.scan_chunks([pdf_bytes()]) is None
    assert antivirus.scan_chunks([infected_pdf()]) == SIGNATURE
    # Split across chunks, and across clamd's own INSTREAM chunks.
    big = b"x" * 200_000 + EICAR + b"y" * 100_000
    assert antivirus.scan_chunks([big[:100_005], big[100_005:]]) == SIGNATURE


def test_an_infected_letter_is_refused_at_submission_with_the_answers_kept(client, aws, scanning):
    response = post_letter(client, infected_pdf(), organisation_name="Red Norte de Cuidados")
    assert response.status_code == 400
    html = response.content.decode()
    assert f"“carta.pdf” was refused: our virus scan found {SIGNATURE} in it." in html
    assert 'value="Red Norte de Cuidados"' in html
    assert Letter.objects.count() == 0 and aws.object_keys() == []
    assert not ScannedFile.objects.exists()


def test_a_clean_letter_is_stored_clean_and_served(client, aws, scanning):
    assert post_letter(client, pdf_bytes()).status_code == 302
    letter = Letter.objects.get()
    (scanned,) = ScannedFile.objects.all()
    assert scanned.key == letter.attachments.get().key and scanned.status == ScanStatus.CLEAN
    response = download(client, letter)
    assert response.status_code == 302 and "X-Amz-Signature=" in response["Location"]


def test_with_clamd_down_a_file_waits_and_is_never_marked_clean(client, aws, settings, clamd):
    settings.CLAMD_ADDRESS = NOBODY
    assert post_letter(client, pdf_bytes()).status_code == 302  # the applicant is not stopped
    letter = Letter.objects.get()
    assert ScannedFile.objects.get().status == ScanStatus.PENDING
    held = download(client, letter)
    assert held.status_code == 503 and held["Retry-After"]
    assert "has not been checked yet" in held.content.decode()
    staff_url = reverse("review:attachment", args=[letter.attachments.get().pk])
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    assert client.get(staff_url).status_code == 503  # staff neither
    for _ in range(2):
        assert antivirus.scan_pending()["pending"] == 1
    scanned = ScannedFile.objects.get()
    assert scanned.status == ScanStatus.PENDING and scanned.attempts == 2
    settings.CLAMD_ADDRESS = clamd["tcp"]  # clamd is back: the next run releases it
    assert antivirus.scan_pending() == {"clean": 1, "infected": 0, "pending": 0}
    assert client.get(staff_url).status_code == 302


def test_an_infected_file_found_later_is_quarantined_and_the_secretariat_told(
    client, aws, settings, clamd, reviewer, django_capture_on_commit_callbacks
):
    settings.CLAMD_ADDRESS = NOBODY
    post_letter(client, infected_pdf(), name="plan.pdf", organisation_name="Red Sur")
    letter = Letter.objects.get()
    settings.CLAMD_ADDRESS = clamd["unix"]
    with django_capture_on_commit_callbacks():
        assert antivirus.scan_pending() == {"clean": 0, "infected": 1, "pending": 0}
    scanned = ScannedFile.objects.get()
    assert scanned.status == ScanStatus.INFECTED and scanned.signature == SIGNATURE
    held = download(client, letter)
    assert held.status_code == 410
    assert "found a virus in this file" in held.content.decode()
    (notice,) = OutboxMessage.objects.filter(event="file_quarantined")
    assert notice.recipient == reviewer.email
    assert "plan.pdf" in notice.subject
    assert SIGNATURE in notice.body_text and "Red Sur" in notice.body_text
    assert f"/staff/letters/{letter.pk}/" in notice.body_text
    assert antivirus.scan_pending()["infected"] == 0  # quarantined once
    from notifications.services import quarantine_context, render_email

    for language, words in (("es", "cuarentena"), ("fr", "quarantaine")):
        email = render_email(
            event="file_quarantined",
            audience="secretariat",
            language=language,
            context=quarantine_context(scanned),
        )
        assert words in email["subject"] and SIGNATURE in email["body_text"]
        assert "plan.pdf" in email["body_text"] and f'lang="{language}"' in email["body_html"]


def test_an_infected_logo_is_refused(scanning):
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(out, format="PNG")
    with pytest.raises(ValidationError, match="our virus scan found"):
        uploads.check_logo(upload("logo.png", out.getvalue() + EICAR, "image/png"))
    key = uploads.store_logo(uploads.check_logo(upload("logo.png", out.getvalue(), "image/png")))
    assert ScannedFile.objects.get(key=key).status == ScanStatus.CLEAN


def test_an_infected_nomination_file_is_refused(scanning):
    with pytest.raises(ValidationError, match="our virus scan found"):
        uploads.check_upload(upload("cv.pdf", infected_pdf()))


def test_files_stored_before_scanning_was_on_wait_for_the_periodic_scan(
    client, aws, settings, scanning
):
    settings.CLAMD_ADDRESS = ""
    assert post_letter(client, pdf_bytes()).status_code == 302
    letter = Letter.objects.get()
    assert not ScannedFile.objects.exists()
    settings.CLAMD_ADDRESS = scanning["tcp"]
    assert download(client, letter).status_code == 503
    assert antivirus.scan_pending()["clean"] == 1
    assert download(client, letter).status_code == 302


def test_the_periodic_scan_runs_on_the_worker_and_schedules_the_next(settings, scanning):
    from django_tasks_db.models import DBTaskResult

    from applications.tasks import schedule_virus_scan, virus_scan_pending

    assert schedule_virus_scan()
    assert not schedule_virus_scan()  # one waiting run at a time
    DBTaskResult.objects.all().delete()
    virus_scan_pending.call()
    (next_run,) = DBTaskResult.objects.filter(task_path=virus_scan_pending.module_path)
    assert next_run.run_after is not None


def test_without_clamd_address_nothing_is_scanned(client, aws):
    assert post_letter(client, infected_pdf()).status_code == 302
    assert not ScannedFile.objects.exists()
    assert download(client, Letter.objects.get()).status_code == 302
    assert Attachment.objects.count() == 1
