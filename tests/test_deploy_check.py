"""`manage.py check --deploy` with production settings reports nothing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "join.alliance-for-care.org",
    "DJANGO_SECURE_COOKIES": "true",
    "DJANGO_SSL_REDIRECT": "true",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_BEHIND_PROXY": "true",
    "DJANGO_HSTS_PRELOAD": "true",
    "EMAIL_BACKEND": "anymail.backends.amazon_ses.EmailBackend",
    "AWS_SES_REGION_NAME": "eu-west-1",
    "AWS_STORAGE_BUCKET_NAME": "alliance-attachments",
    "AWS_S3_REGION_NAME": "eu-west-1",
    "ANYMAIL_WEBHOOK_SECRET": "webhook-user:long-random-webhook-passphrase",
}
PRODUCTION_VARIABLES = ("DJANGO_", "EMAIL_", "AWS_", "ANYMAIL_", "MAILGUN_")


def deploy_check(**overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(PRODUCTION_VARIABLES)}
    env.update(PRODUCTION)
    env.update(overrides)
    env = {k: v for k, v in env.items() if v is not None}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_reports_an_esp_without_a_webhook_secret():
    """The tracking webhook answers 404 without the secret: reports would be lost."""
    result = deploy_check(ANYMAIL_WEBHOOK_SECRET=None)
    assert result.returncode != 0
    assert "notifications.E001" in result.stdout + result.stderr
    assert "ANYMAIL_WEBHOOK_SECRET" in result.stdout + result.stderr


def test_deploy_check_reports_the_esp_in_use_without_its_webhook_key():
    result = deploy_check(EMAIL_BACKEND="anymail.backends.mailgun.EmailBackend")
    assert result.returncode != 0
    assert "notifications.E002" in result.stdout + result.stderr
    assert (
        deploy_check(
            EMAIL_BACKEND="anymail.backends.mailgun.EmailBackend",
            MAILGUN_WEBHOOK_SIGNING_KEY="signing-key",
        ).returncode
        == 0
    )


def test_deploy_check_warns_with_the_laptop_defaults():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "security.W004" in result.stdout + result.stderr  # no HSTS
