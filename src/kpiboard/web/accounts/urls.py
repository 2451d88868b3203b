"""The person's own account, under /accounts/ (signing in and out are in the site's urls.py)."""

from django.urls import path

from kpiboard.web.accounts import (
    data_views,
    invite_views,
    security_key_views,
    session_views,
    strength_views,
    views,
)

urlpatterns = [
    path("", views.account, name="account"),
    path("your-data/", data_views.personal_data_download, name="personal_data_download"),
    path("sessions/<int:pk>/end/", session_views.session_end, name="session_end"),
    path("sessions/end-others/", session_views.sessions_end_others, name="sessions_end_others"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/strength/", strength_views.strength_signed_in, name="password_strength"),
    path(
        "password/reset/<uidb64>/strength/",
        strength_views.strength_for_reset,
        name="password_reset_strength",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invite/", invite_views.invite, name="invite"),
    path("invite/done/", invite_views.InvitationCompleteView.as_view(), name="invitation_complete"),
    path(
        "invite/<uidb64>/<token>/",
        invite_views.InvitationConfirmView.as_view(),
        name="invitation_confirm",
    ),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/code/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/remove/", views.two_factor_remove, name="two_factor_remove"),
    path("security-keys/add/", security_key_views.security_key_add, name="security_key_add"),
    path(
        "security-keys/add/options/",
        security_key_views.security_key_add_options,
        name="security_key_add_options",
    ),
    path(
        "security-keys/sign-in/",
        security_key_views.security_key_sign_in,
        name="security_key_sign_in",
    ),
    path(
        "security-keys/sign-in/options/",
        security_key_views.security_key_sign_in_options,
        name="security_key_sign_in_options",
    ),
    path(
        "security-keys/<int:pk>/remove/",
        security_key_views.security_key_remove,
        name="security_key_remove",
    ),
]
