"""Ending one's own sessions from *Your account* (ASVS 3.3.4): one other session, or every other
one. The session in use is ended by signing out, as anywhere else."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kpiboard.web.accounts import sessions
from kpiboard.web.accounts.models import SignedInSession

__all__ = ["session_end", "sessions_end_others"]


@never_cache
@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign out one other session of the person's own (another person's is not found)."""
    row = get_object_or_404(SignedInSession, pk=pk, user_id=request.user.pk)
    if row.session_key == request.session.session_key:
        messages.error(request, "To sign out of this session, use Sign out at the top.")
        return redirect("account")
    sessions.session_end(request, row, why="signed out from another session by its holder")
    messages.success(
        request, f"Signed out of {sessions.browser_summary(row.user_agent)} ({row.address})."
    )
    return redirect("account")


@never_cache
@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    """Sign out every session of the person's but this one."""
    ended = sessions.sessions_end_others(request)
    if ended:
        messages.success(
            request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}."
        )
    else:
        messages.success(request, "You were not signed in anywhere else.")
    return redirect("account")
