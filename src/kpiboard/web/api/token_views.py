"""/accounts/tokens/: a person makes, lists and revokes their own API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kpiboard.web.access import signed_in
from kpiboard.web.api.models import ApiToken
from kpiboard.web.api.token_forms import TokenForm
from kpiboard.web.api.tokens import token_create, token_revoke
from kpiboard.web.audit.records import record


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The person's tokens, and the form for a new one. A new token is shown once, on the page
    the form's post answers with (never in a redirect's session)."""
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        expires = timezone.now() + dt.timedelta(days=form.cleaned_data["expires_in"])
        token, raw = token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires=expires,
        )
        record(
            request,
            "token_created",
            f"API token {token.prefix}… of user {request.user.get_username()}",
            f"name: {token.name}\nscope: {token.scope}\nexpires: {expires:%Y-%m-%d %H:%M}",
        )
        made = (token, raw)
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=signed_in(request))
    return render(
        request,
        "api/tokens.html",
        {"form": form, "made": made, "tokens": tokens, "now": timezone.now()},
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the person's own tokens (another's is not found)."""
    token = ApiToken.objects.filter(user=signed_in(request), pk=pk).first()
    if token is None:
        raise Http404("No such token")
    if token_revoke(token=token):
        record(
            request,
            "token_revoked",
            f"API token {token.prefix}… of user {request.user.get_username()}",
            f"name: {token.name}",
        )
        messages.success(request, f"The token ‘{token.name}’ is revoked: it no longer works.")
    return redirect("api_tokens")
