"""Pins for ASVS 4.0.3 Level 2 controls that kpiboard meets through Django's defaults or its own
settings (docs/security.md, rows once "met, untested"). Each test fails if the control goes."""

from __future__ import annotations

import hashlib
import logging
import math
import re
from pathlib import Path
from typing import Any, cast

import django
import pytest
from django.conf import global_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import (
    MD5PasswordHasher,
    PBKDF2PasswordHasher,
    check_password,
    get_hasher,
    make_password,
)
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import CommandError, call_command
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone
from django_otp.oath import TOTP

import kpiboard.web.settings as production
from kpiboard.web.accounts.models import EncryptedTOTPDevice as TOTPDevice
from kpiboard.web.audit.models import AuditEvent
from kpiboard.web.collection.models import Return
from kpiboard.web.register.models import Indicator
from web.conftest import DEMO, OWNER_EMAIL, PASSWORD

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "kpiboard"
STATIC = SRC / "web" / "static"
FORM = "/returns/182/2024-10/"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
#: Pages that answer 200, by who opens them (None: nobody signed in).
PAGES: dict[str | None, list[str]] = {
    None: ["/accounts/login/", "/published/", "/open-data/", "/accounts/password/reset/"],
    "performance": ["/scorecard/", "/indicators/182/", "/register/", "/register/182/", "/review/"],
    "owner": ["/returns/", FORM, "/accounts/"],
}


def _production_hashers() -> list[str]:
    return list(getattr(production, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS))


def _sign_in(username: str, client: Client | None = None) -> tuple[Client, Any]:
    client = client or Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client, response


def _csrf(client: Client, page: str) -> str:
    return str(client.get(page).cookies["csrftoken"].value)


def _totp(device: TOTPDevice, steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def _source(pattern: str) -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(SRC.rglob(pattern))]


# V2 Authentication ----------------------------------------------------------------------------


def test_passwords_are_pbkdf2_sha256_salted_with_a_million_iterations(settings: Any) -> None:
    """2.4.1, 2.4.2, 2.4.3, 6.2.5: production's hasher (the test suite's is MD5, for speed)."""
    hashers = _production_hashers()
    settings.PASSWORD_HASHERS = hashers
    assert hashers[0] in {
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    }
    # Older ones are kept only to check, then upgrade, a hash; none is unsalted or MD5.
    assert not any(re.search(r"MD5|Unsalted|\.Crypt", name) for name in hashers), hashers
    hasher = get_hasher("default")
    assert isinstance(hasher, PBKDF2PasswordHasher)
    assert hasher.digest is hashlib.sha256
    assert hasher.iterations >= 1_000_000
    first, second = make_password(PASSWORD), make_password(PASSWORD)
    algorithm, iterations, salt, _digest = first.split("$")
    assert (algorithm, int(iterations)) == ("pbkdf2_sha256", hasher.iterations)
    assert len(salt) * math.log2(62) >= 128  # far beyond ASVS's 32 bits
    assert first != second
    assert salt != second.split("$")[2]
    assert PASSWORD not in first


def test_a_long_password_is_hashed_whole_not_truncated(settings: Any) -> None:
    """2.1.3: every character counts (bcrypt would stop at 72 bytes)."""
    settings.PASSWORD_HASHERS = _production_hashers()
    long = "lantern orchard quietly gravel " * 4  # 124 characters
    encoded = make_password(long)
    assert check_password(long, encoded)
    assert not check_password(long[:72], encoded)
    assert not check_password(long[:-1], encoded)


def test_an_old_hash_is_replaced_by_the_current_algorithm_at_sign_in(
    settings: Any, people: dict[str, Any]
) -> None:
    """6.2.4: the algorithm can be swapped; Django re-hashes at the next sign-in."""
    settings.PASSWORD_HASHERS = [
        *_production_hashers(),
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    owner = people["owner"]
    owner.password = MD5PasswordHasher().encode(PASSWORD, "oldsalt")
    owner.save(update_fields=["password"])
    _sign_in(owner.username)
    owner.refresh_from_db()
    assert owner.password.startswith("pbkdf2_sha256$")
    assert check_password(PASSWORD, owner.password)


def test_no_password_expiry_or_history(client_as: Any, people: dict[str, Any]) -> None:
    """2.1.10: no validator of age or history; a password set years ago still signs in, and
    choosing the same password again is accepted."""
    validators = cast(list[dict[str, Any]], production.AUTH_PASSWORD_VALIDATORS)
    names = {str(v["NAME"]).rsplit(".", 1)[-1] for v in validators}
    assert not {n for n in names if re.search(r"(?i)history|expir|age|rotat|reuse", n)}, names
    owner = people["owner"]
    owner.last_login = timezone.now().replace(year=2019)
    owner.save(update_fields=["last_login"])
    client, signed_in = _sign_in(owner.username)
    assert "password" not in signed_in["Location"]
    changed = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert changed.status_code == 302, changed.content


def test_password_fields_allow_paste_and_password_managers(client_as: Any) -> None:
    """2.1.11: plain password inputs with the autocomplete hints managers use; no paste blocking."""
    sign_in = Client().get(reverse("login")).content.decode()
    assert re.search(r'type="password"[^>]*autocomplete="current-password"', sign_in)
    change = client_as("owner").get(reverse("password_change")).content.decode()
    assert len(re.findall(r'type="password"[^>]*autocomplete="new-password"', change)) == 2
    scripts = "".join(p.read_text() for p in STATIC.rglob("*.js") if ".min." not in p.name)
    for page in (sign_in, change):
        assert not re.search(r"(?i)on(paste|copy|cut|drop)=", page)
        assert not re.search(r'(?i)autocomplete="off"', page)
    assert "paste" not in scripts


def _input_names(page: str) -> set[str]:
    return set(re.findall(r'<input[^>]*name="([^"]+)"', page))


def test_no_password_hints_or_secret_questions() -> None:
    """2.5.2: the sign-in and reset forms ask for nothing but the account and its password."""
    fields = {f.name for f in get_user_model()._meta.get_fields()}
    assert not {f for f in fields if re.search(r"(?i)hint|question|answer|memorable", f)}
    login = Client().get(reverse("login")).content.decode()
    reset = Client().get(reverse("password_reset")).content.decode()
    assert _input_names(login) <= {"csrfmiddlewaretoken", "username", "password", "next"}
    assert _input_names(reset) <= {"csrfmiddlewaretoken", "email"}


def test_no_built_in_accounts_and_demo_accounts_only_with_debug(settings: Any) -> None:
    """2.5.4, 14.2.2: no migration makes an account, and seed_demo refuses with DEBUG off."""
    for file, text in _source("migrations/*.py"):
        assert not re.search(r"create_(super)?user|set_password|make_password", text), file
    settings.DEBUG = False
    before = get_user_model().objects.count()
    with pytest.raises(CommandError, match="DEBUG must be on"):
        call_command("seed_demo", str(DEMO))
    assert get_user_model().objects.count() == before


def test_totp_codes_live_30_seconds_with_one_step_of_tolerance(people: dict[str, Any]) -> None:
    """2.8.1: six digits, a 30-second step, one step either side, nothing older."""
    device = TOTPDevice.objects.create(user=people["owner"], name="app", confirmed=True)
    assert (device.step, device.tolerance, device.digits) == (30, 1, 6)
    assert not device.verify_token(_totp(device, steps=-3))
    fresh = TOTPDevice.objects.create(user=people["reader"], name="app", confirmed=True)
    assert fresh.verify_token(_totp(fresh, steps=-1))


def test_deleting_a_device_ends_its_verified_sessions_at_once(
    settings: Any, people: dict[str, Any]
) -> None:
    """2.8.6: a lost phone's device deleted by an administrator holds every session it verified."""
    settings.KPIBOARD_REQUIRE_2FA_FOR = ["administrator", "performance team"]
    perf = people["performance"]
    device = TOTPDevice.objects.create(user=perf, name="app", confirmed=True)
    client, _ = _sign_in(perf.username)
    done = client.post(reverse("two_factor_verify"), {"code": _totp(device)})
    assert done.status_code == 302
    assert client.get("/review/").status_code == 200
    device.delete()
    held = client.get("/review/")
    assert held.status_code == 302
    assert held["Location"].startswith(reverse("two_factor_setup"))


# V3 Session management ------------------------------------------------------------------------


def test_signing_in_gives_a_new_random_session_key_each_time(people: dict[str, Any]) -> None:
    """3.2.1, 3.2.2, 3.2.4: a key set before signing in is not kept (no fixation); each key is
    32 characters of [a-z0-9] (about 165 bits) and never repeats."""
    client = Client()
    client.get(reverse("login"))
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = str(planted)
    _sign_in("helen", client)
    first = client.cookies["sessionid"].value
    assert first != planted
    assert not Session.objects.filter(session_key=planted).exists()
    second = _sign_in("helen")[0].cookies["sessionid"].value
    for key in (first, second):
        assert re.fullmatch(r"[a-z0-9]{32}", key)
    assert first != second


def test_the_key_changes_again_after_the_second_factor(people: dict[str, Any]) -> None:
    """3.2.1: the session a password opened is not the one the code completes."""
    device = TOTPDevice.objects.create(user=people["owner"], name="app", confirmed=True)
    client, _ = _sign_in("helen")
    after_password = client.cookies["sessionid"].value
    assert client.post(reverse("two_factor_verify"), {"code": _totp(device)}).status_code == 302
    assert client.cookies["sessionid"].value != after_password
    assert not Session.objects.filter(session_key=after_password).exists()


def test_signing_out_ends_the_session_on_the_server(people: dict[str, Any]) -> None:
    """3.3.1: the old cookie, replayed after signing out, opens nothing."""
    client, _ = _sign_in("helen")
    key = client.cookies["sessionid"].value
    assert client.get("/returns/").status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key
    answer = replay.get("/returns/")
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("login"))


def test_session_cookie_is_samesite_httponly_and_secure_in_production(
    settings: Any, people: dict[str, Any]
) -> None:
    """3.4.3 (and 3.4.1, 3.4.2 on the wire): with production's cookie settings."""
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert getattr(production, "SESSION_COOKIE_SAMESITE", "Lax") in {"Lax", "Strict"}
    settings.SESSION_COOKIE_SECURE = True
    _, response = _sign_in("helen")
    cookie = response.cookies["sessionid"]
    assert cookie["samesite"] in {"Lax", "Strict"}
    assert cookie["httponly"]
    assert cookie["secure"]


def test_session_tokens_never_appear_in_addresses(settings: Any, people: dict[str, Any]) -> None:
    """3.1.1: cookie sessions only; a reset link's token leaves the address before the form."""
    assert (
        "signed_cookies" not in production.SESSION_ENGINE
        if hasattr(production, "SESSION_ENGINE")
        else True
    )
    client, response = _sign_in("helen")
    key = client.cookies["sessionid"].value
    assert key not in response["Location"]
    assert key not in client.get("/returns/").content.decode()
    settings.TASKS = IMMEDIATE
    Client().post(reverse("password_reset"), {"email": OWNER_EMAIL})
    match = re.search(r"(/accounts/password/reset/[^/\s]+/([^/\s]+)/)", str(mail.outbox[0].body))
    assert match
    link, token = match.groups()
    reset = Client().get(link)
    assert reset.status_code == 302
    assert token not in reset["Location"]


def test_a_tampered_reset_link_is_refused_quietly(settings: Any, people: dict[str, Any]) -> None:
    """6.2.1: Django's HMAC check fails closed: a token changed in one character is refused with
    the site's page (no error, no clue which part was wrong) and changes nothing."""
    settings.TASKS = IMMEDIATE
    Client().post(reverse("password_reset"), {"email": OWNER_EMAIL})
    match = re.search(r"(/accounts/password/reset/[^/\s]+/)([^/\s]+)/", str(mail.outbox[0].body))
    assert match
    prefix, token = match.groups()
    forged = token[:-1] + ("a" if token[-1] != "a" else "b")
    answer = Client().get(f"{prefix}{forged}/", follow=True)
    assert answer.status_code == 200
    assert b"This link no longer works" in answer.content
    assert b"Choose a new password" not in answer.content
    people["owner"].refresh_from_db()
    assert people["owner"].check_password(PASSWORD)


# V4 Access control, V12 Files ----------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "/.git/config",
        "/.git/HEAD",
        "/.DS_Store",
        "/.env",
        "/static/",
        "/static/kpiboard/",
        "/static/../settings.py",
        "/static/kpiboard/../../settings.py",
        "/static/%2e%2e/settings.py",
        "/pyproject.toml",
        "/settings.py",
        "/staticfiles/",
    ],
)
def test_no_listing_no_repository_and_no_code_is_served(address: str) -> None:
    """4.3.2, 12.5.1: nothing but the site's pages and its collected static files answers."""
    response = Client().get(address)
    assert response.status_code == 404, (address, response.status_code)
    assert b"Index of" not in response.content
    assert b"SECRET_KEY" not in response.content


def test_static_files_are_only_the_kinds_expected() -> None:
    """12.5.1: the folder the web tier serves holds scripts, styles, fonts and images only."""
    allowed = {
        "",
        ".scss",
        ".js",
        ".css",
        ".woff",
        ".woff2",
        ".png",
        ".svg",
        ".ico",
        ".map",
        ".txt",
        ".json",
    }
    kinds = {p.suffix for p in STATIC.rglob("*") if p.is_file()}
    assert kinds <= allowed, kinds - allowed
    assert all(
        p.name.startswith("LICENSE") for p in STATIC.rglob("*") if p.is_file() and not p.suffix
    )
    assert Client().get("/static/kpiboard/charts.js").status_code == 200


# V5 Validation, sanitisation and encoding -----------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "/scorecard/?period=2024-10&period=0000-01",
        "/scorecard/directorate/snp/?status=red&status=<x>&sort=status&sort=name",
        "/register/?lifecycle=live&lifecycle=x&committee=srp&committee=1",
        "/review/?period=2024-10&period=2024-11",
        "/indicators/182/?period=2024-10&period=abc",
    ],
)
def test_repeated_parameters_are_read_as_one_value_not_a_crash(
    address: str, client_as: Any
) -> None:
    """5.1.1: HTTP parameter pollution gives a page or a 400, never a 500."""
    assert client_as("performance").get(address).status_code in {200, 400, 404}


def test_model_forms_name_their_fields_and_ignore_the_rest(client_as: Any) -> None:
    """5.1.2: no ModelForm takes ``__all__`` or ``exclude``; an owner posting ``state``,
    ``submitted_by`` or ``reviewed_by`` with a draft sets none of them."""
    import kpiboard.web.collection.forms
    import kpiboard.web.register.forms  # noqa: F401

    forms = [
        f
        for f in _subclasses(ModelForm)
        if f.__module__.startswith("kpiboard.") and f._meta.model is not None
    ]
    assert forms
    for form in forms:
        assert isinstance(form._meta.fields, (list, tuple)), form
        assert not form._meta.exclude, form
    owner = client_as("owner")
    page = owner.get(FORM)
    data = {
        "csrfmiddlewaretoken": page.cookies["csrftoken"].value,
        "version": "",
        "numerator": "70",
        "denominator": "90",
        "action": "save",
        "state": "approved",
        "submitted_by": "1",
        "reviewed_by": "1",
        "author": "Someone Else",
    }
    assert owner.post(FORM, data).status_code == 302
    saved = Return.objects.get(indicator__ref="182", period="2024-10")
    assert saved.state != "approved"
    assert saved.reviewed_by is None
    assert saved.author != "Someone Else"


def _subclasses(cls: type) -> list[Any]:
    found: list[Any] = []
    sub: Any
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_a_header_injected_address_sends_nothing(settings: Any) -> None:
    """5.2.3: a CR/LF in an address is refused by the form and by Django's mail itself."""
    settings.TASKS = IMMEDIATE
    answer = Client().post(
        reverse("password_reset"), {"email": f"{OWNER_EMAIL}\r\nBcc: thief@evil.example"}
    )
    assert answer.status_code in {200, 302}
    assert not [m for m in mail.outbox if "evil.example" in str(m.message())]
    message = mail.EmailMessage("Hello\r\nBcc: thief@evil.example", "body", to=[OWNER_EMAIL])
    with pytest.raises(mail.BadHeaderError):
        message.message()


def test_commentary_is_text_never_a_template(client_as: Any) -> None:
    """5.2.5: template syntax in what people type is shown, not run."""
    owner = client_as("owner")
    page = owner.get(FORM)
    owner.post(
        FORM,
        {
            "csrfmiddlewaretoken": page.cookies["csrftoken"].value,
            "version": "",
            "numerator": "72",
            "denominator": "90",
            "commentary": "Total {{ 6|add:43 }} {% now 'Y' %} {{ settings.SECRET_KEY }}",
            "action": "submit",
        },
    )
    review = client_as("performance").get("/review/").content.decode()
    assert "Total {{ 6|add:43 }}" in review, review
    assert re.search(r"\{% now (&#x27;|')Y(&#x27;|') %\}", review)
    assert "Total 49" not in review


@pytest.mark.parametrize("value", ["x' OR '1'='1", "x'; DROP TABLE register_indicator; --"])
def test_sql_metacharacters_are_only_data(value: str, client_as: Any) -> None:
    """5.3.4: quotes and SQL in addresses, filters and saved text change no query."""
    client = client_as("performance")
    count = Indicator.objects.count()
    assert client.get(f"/register/{value}/").status_code in {400, 404}
    assert client.get("/register/", {"committee": value, "lifecycle": value}).status_code in {
        200,
        400,
    }
    assert client.get(f"/returns/182/{value}/").status_code in {400, 404}
    Indicator.objects.filter(ref="182").update(name=value)
    assert value in Indicator.objects.get(ref="182").name
    assert Indicator.objects.count() == count


def test_chart_data_is_json_that_cannot_close_its_script(client_as: Any) -> None:
    """5.3.6, 5.5.4: data for charts goes through json_script (<, > and & escaped) and is read
    with JSON.parse; the site's own scripts never evaluate strings."""
    hostile = "</script><script>alert(1)</script>"
    Indicator.objects.filter(ref="182").update(name=hostile)
    page = client_as("performance").get("/indicators/182/").content.decode()
    assert 'type="application/json"' in page
    assert "<script>alert(1)" not in page
    charts = (STATIC / "kpiboard" / "charts.js").read_text()
    assert "JSON.parse(" in charts
    own = [p for p in STATIC.rglob("*.js") if "vendor" not in p.parts and ".min." not in p.name]
    for script in own:
        text = script.read_text()
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*['\"]", text), script


def test_sessions_are_server_side_json_and_messages_signed(client_as: Any) -> None:
    """1.5.2, 5.5.1: the session cookie is only a key to a database row holding JSON; the
    messages cookie, if used, is signed, and a forged one is ignored."""
    engine = getattr(production, "SESSION_ENGINE", global_settings.SESSION_ENGINE)
    serializer = getattr(production, "SESSION_SERIALIZER", global_settings.SESSION_SERIALIZER)
    assert engine == "django.contrib.sessions.backends.db"
    assert serializer == "django.contrib.sessions.serializers.JSONSerializer"
    client, _ = _sign_in("helen")
    assert Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()
    forged = Client()
    forged.cookies["messages"] = '[["__json_message",0,25,"<script>x</script>"]]'
    assert b"<script>x</script>" not in forged.get(reverse("login")).content


# V7 Errors and logging -----------------------------------------------------------------------


def test_a_refused_password_is_in_no_log_or_audit_row(caplog: Any) -> None:
    """7.1.1: the password typed is in no log line, audit row or axes record; no session key is
    logged."""
    from axes.models import AccessAttempt

    secret = "Tr0ub4dor&3-not-the-password"
    caplog.set_level(logging.DEBUG)
    Client().post(reverse("login"), {"username": "helen", "password": secret})
    client, _ = _sign_in("helen")
    key = client.cookies["sessionid"].value
    text = caplog.text
    assert secret not in text
    assert key not in text
    for event in AuditEvent.objects.all():
        assert secret not in f"{event.target} {event.detail} {event.actor_name}"
    for attempt in AccessAttempt.objects.all():
        assert secret not in f"{attempt.post_data} {attempt.get_data}"


def test_times_are_kept_in_utc() -> None:
    """7.3.4: USE_TZ, and an audit row's time is aware UTC."""
    assert production.USE_TZ is True
    Client().post(reverse("login"), {"username": "helen", "password": "wrong wrong wrong"})
    event = AuditEvent.objects.latest("at")
    offset = event.at.utcoffset()
    assert offset is not None
    assert offset.total_seconds() == 0


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internals: /srv/kpiboard/settings.py line 42")


urlpatterns = [path("boom/", _boom), path("", include("kpiboard.web.urls"))]


def test_an_unhandled_error_shows_a_plain_page_without_a_trace(settings: Any) -> None:
    """7.4.3, 14.3.3: the last-resort handler with DEBUG off: no traceback, no internals, no
    framework name or version."""
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    for leak in ("Traceback", "secret internals", "RuntimeError", "settings.py", "Django"):
        assert leak not in body, leak
    assert django.get_version() not in body


# V8 Data protection ---------------------------------------------------------------------------


def test_forms_carry_few_hidden_parameters_and_few_cookies(client_as: Any) -> None:
    """8.1.3: a return form hides only its CSRF token and row version; the site sets only the
    session and CSRF cookies."""
    client, _response = _sign_in("helen")
    page = client.get(FORM)
    hidden = set(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"', page.content.decode()))
    hidden |= set(re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"', page.content.decode()))
    assert hidden <= {"csrfmiddlewaretoken", "version", "next"}, hidden
    assert set(client.cookies) <= {"sessionid", "csrftoken", "messages"}, set(client.cookies)


# V14 Configuration ----------------------------------------------------------------------------


def _every_page(client_as: Any) -> list[tuple[str, Any]]:
    answers = []
    for role, pages in PAGES.items():
        client = client_as(role) if role else Client()
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (role, page, response.status_code)
            answers.append((page, response))
        answers.append(("/nowhere/", client.get("/nowhere/")))
    return answers


def test_no_framework_or_version_in_headers_or_pages(client_as: Any) -> None:
    """14.3.3: no Server or X-Powered-By from the app, and no version in any page."""
    for page, response in _every_page(client_as):
        assert not response.has_header("Server"), page
        assert not response.has_header("X-Powered-By"), page
        assert not response.has_header("X-AspNet-Version"), page
        body = response.content.decode()
        assert f"Django {django.get_version()}" not in body, page
        assert f"Django/{django.get_version()}" not in body, page


def test_no_response_allows_another_origin_except_open_data(client_as: Any) -> None:
    """14.5.3: only the public open-data files carry CORS, ``*`` without credentials; no page
    answers a preflight from another origin."""
    for page, response in _every_page(client_as):
        assert not response.has_header("Access-Control-Allow-Origin"), page
        assert not response.has_header("Access-Control-Allow-Credentials"), page
    for data in ("/open-data/figures.csv", "/open-data/figures.json"):
        response = Client().get(data, HTTP_ORIGIN="https://evil.example")
        assert response["Access-Control-Allow-Origin"] == "*"
        assert not response.has_header("Access-Control-Allow-Credentials")
    preflight = client_as("performance").options(
        "/register/",
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert not preflight.has_header("Access-Control-Allow-Origin")
    assert "null" not in preflight.get("Access-Control-Allow-Origin", "")


def test_an_origin_header_grants_nothing(client_as: Any, people: dict[str, Any]) -> None:
    """14.5.2: claiming the site's own Origin opens nothing to a stranger; a foreign Origin on a
    signed-in POST with a valid token is refused by the CSRF check."""
    stranger = Client().get("/review/", HTTP_ORIGIN="http://testserver")
    assert stranger.status_code == 302
    assert stranger["Location"].startswith(reverse("login"))
    owner = client_as("owner")
    token = _csrf(owner, FORM)
    data = {"csrfmiddlewaretoken": token, "version": "", "numerator": "1", "denominator": "2"}
    refused = owner.post(FORM, {**data, "action": "save"}, HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403
    assert not Return.objects.filter(indicator__ref="182", period="2024-10").exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete", "trace"])
@pytest.mark.parametrize(
    "address",
    ["/accounts/logout/", "/review/remind/", "/review/approve/", "/register/import/confirm/"],
)
def test_methods_not_in_use_are_refused_and_logged(
    method: str, address: str, people: dict[str, Any], caplog: Any
) -> None:
    """14.5.1: a method a view does not use answers 405, logged on django.request."""
    client = Client()  # CSRF checks off, so the method itself is judged
    client.force_login(people["performance"])
    caplog.set_level(logging.WARNING, logger="django.request")
    response = getattr(client, method)(address)
    assert response.status_code == 405, (method, address, response.status_code)
    assert any("Method Not Allowed" in r.getMessage() for r in caplog.records)
