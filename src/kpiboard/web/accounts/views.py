from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in people start at the organisation scorecard (its page links each role on to its
    work: returns to enter, returns to review); everyone else at the sign-in page."""
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("scorecard")
