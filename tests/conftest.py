"""Fixtures: a real S3 and SES endpoint (moto server on 127.0.0.1), staff users,
letters in each state, and helpers to run the task worker and read sent mail."""

import email
import email.policy
import importlib
import os
import re
import socket
from email.header import decode_header, make_header

import boto3
import pytest
import requests
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadhandler import FileUploadHandler
from django.core.management import call_command
from moto.server import ThreadedMotoServer

from applications.roles import COMMITTEE, SECRETARIAT, SECRETARIAT_LEAD

from . import factories
from .processes import free_port

# Never let a test reach a real AWS account.
for _name, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ[_name] = _value

REGION = "us-east-1"
BUCKET = "alliance-attachments"
SENDER = "no-reply@alliance-for-care.org"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_server():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


class Aws:
    """The moto endpoint as tests see it: the bucket's objects and the mail SES got."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
        self.ses = boto3.client("sesv2", endpoint_url=endpoint, region_name=REGION)

    def reset(self):
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        self.s3.create_bucket(Bucket=BUCKET)
        self.ses.create_email_identity(EmailIdentity=SENDER)

    def object_keys(self) -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def object_bytes(self, key) -> bytes:
        return self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def sent(self) -> list[email.message.EmailMessage]:
        """Every message SES accepted, parsed, once each (moto lists each per recipient)."""
        data = requests.get(f"{self.endpoint}/moto-api/data.json", timeout=10).json()
        raws, seen = [], set()
        for region_messages in _walk_raw_messages(data.get("ses", {})):
            raw = region_messages.get("raw_data") or region_messages.get("RawData")
            if raw and raw not in seen:
                seen.add(raw)
                raws.append(email.message_from_string(raw, policy=email.policy.default))
        return raws


def _walk_raw_messages(node):
    if isinstance(node, dict):
        if "raw_data" in node or "RawData" in node:
            yield node
        else:
            for value in node.values():
                yield from _walk_raw_messages(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_raw_messages(value)


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"]))).strip()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def aws(moto_server, settings):
    """Attachments on moto's S3 and mail through anymail's SES backend to moto's SES."""
    aws = Aws(moto_server)
    aws.reset()
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "config.storage.AttachmentS3Storage",  # as in production
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_server,
                "region_name": REGION,
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "signature_version": "s3v4",
            },
        },
    }
    settings.EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = f"Global Alliance for Care <{SENDER}>"
    settings.ANYMAIL = {
        "AMAZON_SES_CLIENT_PARAMS": {
            "endpoint_url": moto_server,
            "region_name": REGION,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
    }
    return aws


@pytest.fixture(autouse=True)
def _fresh_process_cache():
    """Each test starts with empty per-process caches: what one test's database or
    settings gave (the dashboard's figures, a directory page, the blank letter
    form, the country options) never answers another's."""
    from django.core.cache import cache

    from applications import page_cache
    from applications.widgets import CachedOptionsSelect

    cache.clear()
    page_cache.clear()
    CachedOptionsSelect.clear_cache()


@pytest.fixture(autouse=True)
def _real_parts(aws):
    """Every test stores files and sends mail through the moto endpoint."""
    return aws


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in the default language: a request in French leaves French
    active in the thread (LocaleMiddleware activates it and nothing resets it), so
    without this a test's language would depend on the tests that ran before it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def run_worker(monkeypatch):
    """Run the django-tasks database worker until the queue is empty.

    The worker calls close_old_connections() between tasks, which closes a
    connection that is inside a transaction, i.e. the test's own. Django's test
    client disconnects the same call from its request signals for that reason;
    we do the same here, so the worker runs inside the test's transaction.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)

    return run


@pytest.fixture
def deliver(django_capture_on_commit_callbacks, run_worker):
    """Context manager: run on-commit callbacks of the block, then the worker."""
    from contextlib import contextmanager

    @contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_worker()

    return block


@pytest.fixture
def staff_groups(db):
    """The Secretariat, Committee and Secretariat lead groups of the review/0002, 0005,
    0007 and 0008 data migrations.

    A transactional test (live server, PostgreSQL race) flushes the database,
    groups included, so they are made again here from the migration's own list.
    """
    for module in (
        "0002_staff_groups",
        "0005_nomination_permissions",
        "0007_secretariat_lead_group",
        "0008_i14_reconfirmation_follow_up",
    ):
        migration = importlib.import_module(f"review.migrations.{module}")
        for name, perms in migration.GROUP_PERMISSIONS.items():
            group, _ = Group.objects.get_or_create(name=name)
            for perm in perms:
                app_label, codename = perm.split(".")
                group.permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )


def _staff(username, group, first_name):
    user = User.objects.create_user(
        username=username, password="pw-" + username, email=f"{username}@alliance.test"
    )
    user.first_name = first_name
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reviewer(staff_groups):
    return _staff("reviewer", SECRETARIAT, "Sofía")


@pytest.fixture
def reviewer2(staff_groups):
    return _staff("reviewer2", SECRETARIAT, "Lucía")


@pytest.fixture
def lead(staff_groups):
    """A Secretariat reviewer who is also a Secretariat lead (texts, settings, questions)."""
    user = _staff("lead", SECRETARIAT, "Paloma")
    user.groups.add(Group.objects.get(name=SECRETARIAT_LEAD))
    return user


@pytest.fixture
def approver(staff_groups):
    return _staff("approver", COMMITTEE, "Amadou")


@pytest.fixture
def approver2(staff_groups):
    return _staff("approver2", COMMITTEE, "Claire")


@pytest.fixture
def make_letter(db, reviewer, approver):
    """Build a letter in a given state through the real services and flow."""

    def make(state="submitted", **data):
        return factories.letter_in_state(state, reviewer=reviewer, approver=approver, **data)

    return make


def _reload_urlconf():
    from django.urls import clear_url_caches, set_urlconf

    import config.urls

    importlib.reload(config.urls)
    clear_url_caches()
    set_urlconf(None)


@pytest.fixture
def mounted_esp(settings):
    """Mount the webhooks of another ESP for one test: ``mounted_esp("mailgun")``.

    The URL patterns of anymail's webhooks are those of the ESP in use when
    config.urls is imported (notifications/webhooks.py), so the urlconf is
    rebuilt, and rebuilt again for the suite's ESP afterwards."""
    original = settings.EMAIL_BACKEND

    def mount(esp: str):
        settings.EMAIL_BACKEND = f"anymail.backends.{esp}.EmailBackend"
        _reload_urlconf()

    yield mount
    settings.EMAIL_BACKEND = original
    _reload_urlconf()


class KeptBytesSpy(FileUploadHandler):
    """Placed after the capping handler: records how much of each file it was given."""

    most = 0

    def receive_data_chunk(self, raw_data, start):
        KeptBytesSpy.most = max(KeptBytesSpy.most, start + len(raw_data))
        return raw_data

    def file_complete(self, file_size):
        return None


@pytest.fixture
def upload_spy(settings):
    KeptBytesSpy.most = 0
    settings.FILE_UPLOAD_HANDLERS = [
        settings.FILE_UPLOAD_HANDLERS[0],
        "tests.conftest.KeptBytesSpy",
        *settings.FILE_UPLOAD_HANDLERS[1:],
    ]
    return KeptBytesSpy


# Two processes for the suite (``make test`` runs ``pytest -n auto``) -------------------

# Tests that must share one process: the browser journeys (the last of them checks
# every page the others loaded). Every other module stays whole in one process, so
# that a module's fixtures are built once and the access matrix's last test sees
# every page its cells rendered.
SHARED_PROCESS = {"tests/e2e/": "browser journeys"}
# The longest units first, so that neither process is left alone with one at the end.
FIRST = ("browser journeys", "tests/test_access_matrix.py")


def unit_of(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return next((unit for prefix, unit in SHARED_PROCESS.items() if path.startswith(prefix)), path)


def pytest_xdist_make_scheduler(config, log):
    """Whole modules to each process, the browser journeys as one (xdist's own
    ``loadgroup`` marks no longer reach the scheduler under pytest 9)."""
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return unit_of(nodeid)

    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    if not hasattr(config, "workerinput"):  # an xdist worker: it collects and runs
        return
    items.sort(key=lambda item: FIRST.index(u) if (u := unit_of(item.nodeid)) in FIRST else 2)


_FIGURE = re.compile(r"\w=\S")


def pytest_terminal_summary(terminalreporter):
    """The figures tests print (``key=value``), gathered from every process's reports,
    so that a run shows them whether it ran in one process or several."""
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "outcome", None) != "passed":
                continue
            # A report carries the output of its test's earlier phases too: its own only.
            for name, output in getattr(report, "sections", ()):
                if name == f"Captured stdout {report.when}":
                    lines += [line.strip() for line in output.splitlines() if _FIGURE.search(line)]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


# -- S3 down: the attachments storage on an endpoint the test stops and starts ------


class StoppableS3:
    """An S3 endpoint that the test stops and starts again on the same port: a
    second moto server, sharing the buckets of the session's one (moto keeps its
    state per process), so ``aws.object_keys()`` sees what it stored."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.start()

    def start(self):
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self):
        if self.server is not None:
            self.server.stop()
            self.server = None


def attachments_at(settings, endpoint: str) -> None:
    """Point the private attachments storage at ``endpoint``."""
    storage = settings.STORAGES["attachments"]
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {**storage, "OPTIONS": {**storage["OPTIONS"], "endpoint_url": endpoint}},
    }


@pytest.fixture
def s3_endpoint(aws, settings):
    """The attachments storage on its own moto endpoint: ``.stop()`` is S3 down
    (connection refused), ``.start()`` S3 back, with the same buckets."""
    endpoint = StoppableS3()
    attachments_at(settings, endpoint.url)
    yield endpoint
    endpoint.stop()
