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


class NotifyBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = getattr(settings, "KPIBOARD_NOTIFY_API_KEY", "")
        self.template_id = getattr(settings, "KPIBOARD_NOTIFY_TEMPLATE_ID", "")
        if not (self.api_key and self.template_id):
            raise ImproperlyConfigured(
                "GOV.UK Notify needs KPIBOARD_NOTIFY_API_KEY and KPIBOARD_NOTIFY_TEMPLATE_ID"
            )

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
