from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def home(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is (part 2 puts the organisation scorecard here)."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if user.has_perm("kpiboard.review_returns"):
        return redirect("review")
    if user.has_perm("kpiboard.see_my_returns"):
        return redirect("my_returns")
    return redirect("register")
