"""Paths people bookmark: /register/, /returns/, /review/, /accounts/login/."""

from django.contrib import admin
from django.urls import include, path

from kpiboard.web.accounts import views as accounts
from kpiboard.web.api.api import api
from kpiboard.web.collection import views as collection
from kpiboard.web.health import health, workers_health
from kpiboard.web.oidc import views as oidc
from kpiboard.web.register import narrative_views
from kpiboard.web.register import views as register

urlpatterns = [
    path("", accounts.home, name="home"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", oidc.SignOutView.as_view(), name="logout"),
    path("oidc/", include("kpiboard.web.oidc.urls")),
    path("accounts/tokens/", include("kpiboard.web.api.token_urls")),
    path("accounts/", include("kpiboard.web.accounts.urls")),
    path("api/v1/", api.urls),
    path("register/", register.register_list, name="register"),
    path("register/new/", register.indicator_edit, name="indicator_new"),
    path("register/import/", register.import_upload, name="import"),
    path("register/import/confirm/", register.import_confirm, name="import_confirm"),
    path("register/import/cancel/", register.import_cancel, name="import_cancel"),
    path("register/export/<str:kind>/", register.export_download, name="export"),
    path("reports/narrative/", narrative_views.narrative_edit, name="narrative_edit"),
    path("register/<str:ref>/", register.indicator_detail, name="indicator"),
    path("register/<str:ref>/edit/", register.indicator_edit, name="indicator_edit"),
    path("register/<str:ref>/decide/", register.indicator_decide, name="indicator_decide"),
    path("register/<str:ref>/targets/", register.target_save, name="target_save"),
    path("register/<str:ref>/neighbours/", register.neighbours_upload, name="neighbours_upload"),
    path(
        "register/<str:ref>/neighbours/confirm/",
        register.neighbours_confirm,
        name="neighbours_confirm",
    ),
    path("register/<str:ref>/history/", register.indicator_history, name="indicator_history"),
    path("register/<str:ref>/actions/new/", register.action_edit, name="action_new"),
    path("register/<str:ref>/actions/<int:pk>/", register.action_edit, name="action_edit"),
    path("returns/", collection.my_returns, name="my_returns"),
    path("returns/<str:ref>/<str:period>/", collection.return_form, name="return_form"),
    path(
        "returns/<str:ref>/<str:period>/preview/",
        collection.return_preview,
        name="return_preview",
    ),
    path("review/", collection.review_list, name="review"),
    path("review/outstanding/", collection.outstanding, name="outstanding"),
    path("review/remind/", collection.remind, name="remind"),
    path("review/approve/", collection.review_approve_many, name="review_approve_many"),
    path("review/<int:pk>/", collection.review_decide, name="review_decide"),
    path("admin/", admin.site.urls),
    # For the load balancer, and for monitoring the workers: plain text, 200 or 503 (web/health.py).
    path("health/", health, name="health"),
    path("health/workers/", workers_health, name="health_workers"),
    path("", include("kpiboard.web.dashboards.urls")),
    path("", include("kpiboard.web.reporting.urls")),
    path("", include("kpiboard.web.audit.urls")),
    path("", include("kpiboard.web.proposals.urls")),
    path("", include("kpiboard.web.odata.urls")),
]

#: The site's own page for an unexpected error, with a reference shared with the logs.
handler500 = "kpiboard.web.errors.server_error"
