"""Test settings: the real settings, with fast password hashing.

The S3 and SES endpoints are switched to a moto server by fixtures in
``tests/conftest.py``; the database follows ``DATABASE_URL``.
"""

from .settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SITE_URL = "http://testserver"
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Assertions read English unless a test asks for another language explicitly.
LANGUAGE_CODE = "en"
# The rate-limit counters of live-server tests are committed and outlive each
# test: a high limit keeps tests independent; tests/test_security.py lowers it.
RATE_LIMIT_PUBLIC_FORMS = "1000/m"
# The ESP of the tests (moto's SES, see the ``aws`` fixture). anymail's webhooks
# are mounted for the ESP in use only, when config.urls is first imported: the
# ``mounted_esp`` fixture of tests/conftest.py mounts another one for a test.
EMAIL_BACKEND = "anymail.backends.amazon_ses.EmailBackend"
# No second factor but in the tests that turn it on (tests/test_second_factor.py,
# the access matrix): logging staff in stays one call elsewhere.
STAFF_REQUIRE_2FA = False
