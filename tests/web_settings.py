"""Settings for the test suite: the project's own, configured the way production is (DEBUG off)
but served over plain HTTP by the test server, with a throwaway secret key."""

import os

os.environ.setdefault("SECRET_KEY", "kpiboard-test-suite-only")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")

from kpiboard.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
