from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kpiboard.web import notifications
from kpiboard.web.accounts import forms, security_keys, sessions, signals, tasks, two_factor
from kpiboard.web.audit.records import record


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        """After the password, the second factor's code (or setting one up) where it applies."""
        url = super().get_success_url()
        return two_factor.next_step(self.request.user, url) or url


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in people start at the organisation scorecard (its page links each role on to its
    work: returns to enter, returns to review); everyone else at the sign-in page."""
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("scorecard")


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The person's own account: their password, their second factor, where they are signed in
    (and how long sessions last)."""
    signed_in = sessions.sessions_active(request.user)
    current = request.session.session_key
    factors = two_factor.factors_of(request.user)
    return render(
        request,
        "registration/account.html",
        {
            "sessions": [
                {
                    "row": row,
                    "browser": sessions.browser_summary(row.user_agent),
                    "current": row.session_key == current,
                }
                for row in signed_in
            ],
            "others": sum(row.session_key != current for row in signed_in),
            "device": factors.device,
            "required": factors.required,
            # each key with whether it may be removed: the link is shown only where it may
            "keys": [(key, factors.may_remove(key)) for key in factors.keys],
            "app_removable": factors.device is not None and factors.may_remove(factors.device),
            "idle_minutes": settings.KPIBOARD_SESSION_IDLE_MINUTES,
            "max_minutes": settings.KPIBOARD_SESSION_MAX_MINUTES,
        },
    )


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Anyone signed in changes their own password (the current one first); their other
    sessions end, this one carries on, and they are told by e-mail."""

    form_class = forms.PasswordChangeForm
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Django has given this session a new key and made the others invalid; the list of
        # sessions follows, and the others are ended now rather than at their next request.
        sessions.session_key_followed(self.request)
        sessions.sessions_end_others(self.request, why="ended by a change of password")
        _tell(self.request.user, "password_changed")
        record(self.request, "password_changed", _target(self.request.user), "by themselves")
        messages.success(self.request, "Your password has been changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link: the background worker looks the address up and sends it
    (web/accounts/tasks.py), so the answer is the same, and as quick, for any address."""

    form_class = forms.PasswordResetForm
    template_name = "registration/password_reset_form.html"

    def form_valid(self, form: Any) -> HttpResponse:
        tasks.send_password_reset.enqueue(
            form.cleaned_data["email"], self.request.get_host(), self.request.is_secure()
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


@method_decorator(never_cache, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password through the e-mailed link: recorded, and the person told, as for a change
    from *Your account* (ASVS 2.2.3, 2.5.5)."""

    form_class = forms.SetPasswordForm
    template_name = "registration/password_reset_confirm.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        sessions.sessions_end_all(
            self.request, form.user, why="ended by a password reset", actor=form.user
        )
        signals.credentials_reset.send(
            PasswordResetConfirmView, user=form.user, request=self.request, why="a password reset"
        )
        _tell(form.user, "password_changed")
        record(
            self.request,
            "password_reset",
            _target(form.user),
            "a new password set through an e-mailed link",
            actor=form.user,
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


def next_url(request: HttpRequest) -> str:
    """``?next=`` if it is a path of this site; a bare word (``abc``) is not one, and redirect()
    would take it for the name of a view and fail."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return str(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the person's authenticator app, or one of
    their security keys (web/accounts/security_key_views.py takes its answer)."""
    device = two_factor.device_for(request.user)
    keys = security_keys.keys_for(request.user)
    if (device is None and not keys) or request.user.is_verified():  # type: ignore[union-attr]
        return redirect(next_url(request))
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        if two_factor.sign_in_with_code(request=request, code=form.cleaned_data["code"]):
            return redirect(next_url(request))
        form.add_error("code", _wrong_code(device))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": next_url(request), "device": device, "keys": keys},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) a second factor: a new secret for the app, then a code from it."""
    user = request.user
    if two_factor.has_second_factor(user) and not user.is_verified():  # type: ignore[union-attr]
        # Replacing (or adding to) a second factor takes the one in use first: a password alone
        # must not be enough to put an attacker's app in its place.
        return redirect(two_factor.next_step(user, request.GET.get("next", "")) or "account")
    if request.method == "POST" and request.POST.get("action") == "start":
        two_factor.device_start(user=user)
        query = request.GET.urlencode()
        return redirect(f"{request.path}?{query}" if query else request.path)
    device = two_factor.pending_device_for(user)
    if device is None:
        device = two_factor.device_start(user=user)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if two_factor.device_confirm(request=request, device=device, code=code):
            # Recorded, and the person told, by web/accounts/signals.py.
            messages.success(request, "Your second factor is set up: sign-ins now ask for a code.")
            return redirect(next_url(request) if request.GET.get("next") else "account")
        form.add_error("code", _wrong_code(device))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "secret": two_factor.secret_for_typing(device),
            "config_url": device.config_url,
            "required": two_factor.requires_two_factor(user),
            "replacing": two_factor.device_for(user) is not None,
            "next": request.GET.get("next", ""),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    """Stop using the authenticator app (security_key_views.security_key_remove removes a key)."""
    user: Any = request.user
    device = two_factor.device_for(user)
    if device is None:
        return redirect("account")
    return second_factor_remove(
        request,
        device,
        what="your authenticator app",
        kind="authenticator app",
        remove=lambda: two_factor.device_remove(user=user),
    )


def second_factor_remove(
    request: HttpRequest, factor: Any, *, what: str, kind: str, remove: Callable[[], object]
) -> HttpResponse:
    """Removing a second factor, the authenticator app or one security key alike: the one rule
    (:meth:`two_factor.Factors.may_remove`: not the last of someone whose role requires one), their
    password first, and one page. The removal is recorded, its holder e-mailed and their API
    tokens revoked however it is made (web/accounts/signals.py, web/api/signals.py)."""
    user: Any = request.user
    factors = two_factor.factors_of(user)
    if not factors.may_remove(factor):
        messages.error(
            request,
            "Your role must use a second factor and this is your last one: add another (an "
            "authenticator app or a security key) before you remove it.",
        )
        return redirect("account")
    form = forms.ConfirmPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        remove()
        messages.success(request, f"{what[:1].upper()}{what[1:]} has been removed.")
        return redirect("account")
    context = {
        "form": form,
        "what": what,
        "kind": kind,
        "last": factors.is_last(factor),
    }
    return render(request, "registration/second_factor_remove.html", context)


def _tell(user: Any, message: str, **context: Any) -> None:
    """E-mail the person that their sign-in changed, in case it was not them (ASVS 2.5.5)."""
    if user.email:
        notifications.send(message, [user.email], {"user": user, **context})


def _target(user: Any) -> str:
    return f"user {user.get_username()}"


def _wrong_code(device: Any) -> str:
    device.refresh_from_db()
    wait = two_factor.wait_seconds(device)
    if wait:
        return (
            f"That code is not right, and there have been too many wrong ones: wait {wait} "
            f"second{'s' if wait != 1 else ''} before trying again."
        )
    return "That code is not right. Enter the 6 digits your app shows now."
