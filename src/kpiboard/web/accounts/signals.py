"""A second factor set up or removed, however it happens (the person's own account page, an
administrator in the admin), goes in the audit log, and its holder is e-mailed (ASVS 2.2.3,
2.5.5, 7.1.3).

- **Set up**: a device (``EncryptedTOTPDevice``, django-otp's ``TOTPDevice`` with its secret
  sealed) saved as confirmed that was not before. One that replaces an earlier one is recorded
  as such; the earlier one going then is not a removal.
- **Security keys** (``SecurityKey``): each one added or removed, whatever else the person has.
- **Removed**: a confirmed device deleted while its holder has no other one. Deleting the whole
  account is not a removal of the person's second factor (the account's deletion is what
  matters), and a device being set up and abandoned is neither.

The e-mail goes when the change is made while serving a request (the admin, the person's own
pages); a change from a command or the shell is recorded but sends nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver
from simple_history.models import HistoricalRecords

from kpiboard.web import notifications
from kpiboard.web.accounts.models import EncryptedTOTPDevice, SecurityKey
from kpiboard.web.audit.records import record

#: Sent when someone's password is reset through an e-mailed link, or their second factor is
#: removed (``user``, ``request``, ``why``): either may mean another had the credential, so
#: whatever it let them make (API tokens, web/api/signals.py) stops working too. Other apps
#: listen; this one knows none of them.
credentials_reset = Signal()


def _acting() -> Any:
    """The request being served (for who made the change), or None (a command, the shell)."""
    return getattr(HistoricalRecords.context, "request", None)


def _tell(user: Any, added: bool) -> None:
    if _acting() is not None and user.email:
        notifications.send("second_factor_changed", [user.email], {"user": user, "added": added})


def _others(device: EncryptedTOTPDevice) -> bool:
    """Whether the device's holder has another confirmed second factor."""
    return bool(
        EncryptedTOTPDevice.objects.filter(user_id=device.user_id, confirmed=True)
        .exclude(pk=device.pk)
        .exists()
    )


@receiver(pre_save, sender=EncryptedTOTPDevice, dispatch_uid="kpiboard_second_factor_before")
def _before(sender: Any, instance: EncryptedTOTPDevice, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        instance._kpiboard_was_confirmed = False
        return
    was = sender.objects.filter(pk=instance.pk).values_list("confirmed", flat=True).first()
    instance._kpiboard_was_confirmed = bool(was)


@receiver(post_save, sender=EncryptedTOTPDevice, dispatch_uid="kpiboard_second_factor_added")
def _added(sender: Any, instance: EncryptedTOTPDevice, raw: bool = False, **kwargs: Any) -> None:
    was = instance.__dict__.pop("_kpiboard_was_confirmed", False)
    if raw or not instance.confirmed or was:
        return
    user = instance.user
    detail = "an authenticator app"
    if _others(instance):
        detail += ", in place of the earlier one"
    record(_acting(), "second_factor_added", f"user {user.get_username()}", detail)
    _tell(user, added=True)


@receiver(post_delete, sender=EncryptedTOTPDevice, dispatch_uid="kpiboard_second_factor_removed")
def _removed(sender: Any, instance: EncryptedTOTPDevice, origin: Any = None, **kwargs: Any) -> None:
    if not instance.confirmed or _others(instance) or _whole_account(origin):
        return
    user = get_user_model().objects.filter(pk=instance.user_id).first()
    if user is None:
        return
    _removal(user, EncryptedTOTPDevice, "an authenticator app", why="a second factor removed")


@receiver(post_save, sender=SecurityKey, dispatch_uid="kpiboard_security_key_added")
def _key_added(
    sender: Any, instance: SecurityKey, created: bool, raw: bool = False, **kw: Any
) -> None:
    if raw or not created:
        return
    user = instance.user
    detail = f"a security key ({instance.name})"
    record(_acting(), "second_factor_added", f"user {user.get_username()}", detail)
    _tell(user, added=True)


@receiver(post_delete, sender=SecurityKey, dispatch_uid="kpiboard_security_key_removed")
def _key_removed(sender: Any, instance: SecurityKey, origin: Any = None, **kwargs: Any) -> None:
    """Each key is told of and recorded, whatever else the person has: a key removed may be a
    key lost or stolen, so the API tokens made in its sessions stop working too."""
    if _whole_account(origin):
        return
    user = get_user_model().objects.filter(pk=instance.user_id).first()
    if user is None:
        return
    _removal(user, SecurityKey, f"a security key ({instance.name})", why="a security key removed")


def _removal(user: Any, sender: Any, detail: str, *, why: str) -> None:
    """A second factor gone, the app or a key alike: recorded, its holder told, and whatever it
    let be made (API tokens) revoked."""
    record(_acting(), "second_factor_removed", f"user {user.get_username()}", detail)
    _tell(user, added=False)
    credentials_reset.send(sender, user=user, request=_acting(), why=why)


def _whole_account(origin: Any) -> bool:
    """Whether the deletion began with an account (its devices go with it)."""
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return bool(origin is not None and issubclass(model, get_user_model()))
