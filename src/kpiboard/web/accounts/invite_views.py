"""Inviting a person (administrators), and the page the invitation's link opens, where the
person chooses their first password (ASVS 2.3.1). See :mod:`kpiboard.web.accounts.invitations`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kpiboard.web.access import require
from kpiboard.web.accounts import forms, invitations
from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record

__all__ = ["InvitationCompleteView", "InvitationConfirmView", "invite"]


def _local_passwords() -> bool:
    """Whether kpiboard's own passwords sign anyone in (not with KPIBOARD_LOCAL_PASSWORDS off:
    then people sign in with the council's identity provider, which makes their account)."""
    return bool(getattr(settings, "KPIBOARD_LOCAL_PASSWORDS", True))


@never_cache
@require("kpiboard.invite_people")
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    """An administrator invites someone: an account with no password, in a role, and a link by
    e-mail to choose one."""
    if not _local_passwords():
        messages.error(
            request,
            "People sign in with the council's identity provider here: their account is made "
            "the first time they sign in, and their role comes from their groups there.",
        )
        return redirect("account")
    form = forms.InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation = invitations.person_invite(
            request=request,
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
            base=f"{request.scheme}://{request.get_host()}",
        )
        name = invitation.user.get_username()
        if invitation.sent:
            messages.success(
                request,
                f"{'Invitation sent again' if invitation.again else 'Invitation sent'} to "
                f"{invitation.user.email}: {name} chooses a password through its link, within "
                f"{invitations.INVITATION_HOURS} hours.",
            )
        else:
            messages.error(
                request,
                f"The account {name} is made, but the invitation could not be e-mailed. Check "
                "the mail settings, then invite them again with the same username and address.",
            )
        return redirect("invite")
    return render(
        request,
        "registration/invite.html",
        {"form": form, "hours": invitations.INVITATION_HOURS},
    )


@method_decorator(never_cache, name="dispatch")
class InvitationConfirmView(auth_views.PasswordResetConfirmView):
    """The invitation's link: Django's reset page with the invitation's token, for choosing a
    first password; recorded. The person then signs in."""

    form_class = forms.SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    token_generator = invitations.invitation_tokens
    success_url = reverse_lazy("invitation_complete")
    extra_context = {"invitation": True, "hours": invitations.INVITATION_HOURS}

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _local_passwords():
            return redirect("login")
        return super().dispatch(*args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(
            self.request,
            Action.PASSWORD_RESET,
            f"user {form.user.get_username()}",
            "a first password chosen through an invitation link",
            actor=form.user,
        )
        return response


class InvitationCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/invitation_complete.html"
