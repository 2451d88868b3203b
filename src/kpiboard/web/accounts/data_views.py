"""*Download your data* on *Your account* (ASVS 8.3.2): everything kpiboard holds about the person
(web/accounts/personal_data.py), as one JSON file; each download is in the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kpiboard.web.accounts.personal_data import personal_data_json
from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record

__all__ = ["personal_data_download"]


@never_cache
@login_required
@require_POST
def personal_data_download(request: HttpRequest) -> HttpResponse:
    """A POST (a button, with its CSRF token), so no link from elsewhere can start a download."""
    user = request.user
    body = personal_data_json(user)
    record(request, Action.PERSONAL_DATA_DOWNLOADED, f"user {user.get_username()}", "as JSON")
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="kpiboard-your-data-{stamp}.json"'
    return response
