"""GOV.UK Notify as Django's e-mail backend: ``EMAIL_BACKEND=kpiboard.web.notify.NotifyBackend``.

Notify sends from templates kept in the Notify service; kpiboard's messages go through one
template whose subject is ``((subject))`` and whose body is ``((body))``, named by
``KPIBOARD_NOTIFY_TEMPLATE_ID``, with the key in ``KPIBOARD_NOTIFY_API_KEY`` (both from the
environment). The wording stays in kpiboard's own mail templates.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

log = logging.getLogger(__name__)


#: What Notify needs from the settings, said once for the backend and ``check --deploy``.
NEEDS = "KPIBOARD_NOTIFY_API_KEY and KPIBOARD_NOTIFY_TEMPLATE_ID"


def configured() -> tuple[str, str] | None:
    """Notify's API key and template from the settings, or None unless both are set."""
    api_key = getattr(settings, "KPIBOARD_NOTIFY_API_KEY", "")
    template_id = getattr(settings, "KPIBOARD_NOTIFY_TEMPLATE_ID", "")
    return (api_key, template_id) if api_key and template_id else None


class NotifyBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        found = configured()
        if found is None:
            raise ImproperlyConfigured(f"GOV.UK Notify needs {NEEDS}")
        self.api_key, self.template_id = found

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(self.api_key)
        sent = 0
        for message in email_messages:
            for address in message.recipients():
                try:
                    client.send_email_notification(
                        email_address=address,
                        template_id=self.template_id,
                        personalisation={"subject": message.subject, "body": message.body},
                    )
                    sent += 1
                except Exception:
                    if not self.fail_silently:
                        raise
                    log.exception("GOV.UK Notify refused a message to %s", address)
        return sent
