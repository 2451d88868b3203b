"""The password reset e-mail, sent by the background worker (``kpiboard db_worker``).

A request for a reset link answers at once, the same way, whether or not an account has the
address: the lookup and the e-mail happen here, later. Sent in the request, the e-mail would make
the answer for a real address slower by the mail server's time, and that difference alone would
tell an attacker which addresses have accounts.
"""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from kpiboard.web.accounts import forms

__all__ = ["send_password_reset"]


@task()
def send_password_reset(email: str, domain: str, use_https: bool) -> None:
    """E-mail a reset link to each active account with the address ``email``, if any; the link
    names ``KPIBOARD_SITE_URL``, or else ``domain`` (the host the request was made to)."""
    form = forms.PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    form.save(
        domain_override=domain,
        use_https=use_https,
        subject_template_name="mail/password_reset_subject.txt",
        email_template_name="mail/password_reset.txt",
        extra_email_context={"site": getattr(settings, "KPIBOARD_SITE_URL", "")},
    )
