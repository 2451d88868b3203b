"""What the audit log records by itself, from Django's signals.

- **Sign-ins, failures and sign-outs**: ``user_logged_in``, ``user_login_failed`` (the username
  tried; whether the password was wrong or the sign-in was refused unseen because of a lock) and
  ``user_logged_out``. Locks and their lifting are recorded by :mod:`kpiboard.web.throttling`.
- **Role and permission changes**, old → new, however they are made (the admin, the shell, a
  command): a person's groups (their roles), their own permissions, a group's permissions, and
  their superuser, staff and active flags. Django's ``set()``, which the admin uses, removes then
  adds: the changes to one person within one transaction are one row, ``reader → performance
  team``, not two. Who made the change is the signed-in person of the request being served
  (django-simple-history's middleware keeps it), or nobody for a command.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import connection
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from kpiboard.web.audit.models import Action, AuditEvent
from kpiboard.web.audit.records import record

User = get_user_model()

#: The flags of an account that give or take away rights.
FLAGS = ("is_superuser", "is_staff", "is_active")


# -- signing in ----------------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="kpiboard_audit_sign_in")
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(request if request is not None else user, Action.SIGN_IN, f"user {user.get_username()}")


@receiver(user_login_failed, dispatch_uid="kpiboard_audit_sign_in_failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    refused = bool(getattr(request, "kpiboard_refused_while_locked", False))
    detail = (
        "refused without checking the password: signing in is locked"
        if refused
        else "wrong username or password"
    )
    record(request, Action.SIGN_IN_FAILED, f"user {username}", detail, actor_name=username)


@receiver(user_logged_out, dispatch_uid="kpiboard_audit_sign_out")
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(
            request, Action.SIGN_OUT, f"user {user.get_username()}", actor_name=user.get_username()
        )


# -- roles and permissions -----------------------------------------------------------------------


def _acting() -> Any:
    """The request being served, for who made a change, or None (a command, the shell)."""
    return getattr(HistoricalRecords.context, "request", None)


def _transaction() -> Any:
    """The outermost transaction of the code making the change (not the test suite's), or None
    outside one: the changes to one person within it are one audit row."""
    for block in connection.atomic_blocks:
        if not getattr(block, "_from_testcase", False):
            return block
    return None


def _shown(names: list[str], nothing: str) -> str:
    return ", ".join(names) if names else nothing


def _roles(user: Any) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def _user_permissions(user: Any) -> list[str]:
    return sorted(
        f"{app}.{code}"
        for app, code in user.user_permissions.values_list("content_type__app_label", "codename")
    )


def _group_permissions(group: Any) -> list[str]:
    return sorted(
        f"{app}.{code}"
        for app, code in group.permissions.values_list("content_type__app_label", "codename")
    )


class _Change:
    """One audit row kept up to date while a transaction changes one thing's set of names."""

    def __init__(self, before: list[str], block: Any) -> None:
        self.before, self.block = before, block
        self.event_pk: int | None = None

    def write(self, after: list[str], action: str, target: str, nothing: str) -> None:
        detail = f"{_shown(self.before, nothing)} → {_shown(after, nothing)}"
        if self.event_pk is not None:
            AuditEvent.objects.filter(pk=self.event_pk).update(detail=detail)
        elif after != self.before:
            self.event_pk = record(_acting(), action, target, detail).pk


def _change_for(holder: Any, key: str, names: Any) -> _Change:
    """The change in progress on ``holder`` (an object, in memory) within this transaction, or a
    new one from its names now."""
    block = _transaction()
    change = getattr(holder, key, None)
    if not isinstance(change, _Change) or block is None or change.block is not block:
        change = _Change(names(), block)
        setattr(holder, key, change)
    return change


_WHAT = {
    # the relation: (how to read a holder's names, the action, the words for none)
    "groups": (_roles, Action.ROLE_CHANGED, "no role"),
    "user_permissions": (
        _user_permissions,
        Action.PERMISSION_CHANGED,
        "no permissions of their own",
    ),
    "permissions": (_group_permissions, Action.PERMISSION_CHANGED, "no permissions"),
}


def _target(holder: Any) -> str:
    if isinstance(holder, Group):
        return f"group {holder.name}"
    return f"user {holder.get_username()}"


def _relation_changed(
    relation: str, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any
) -> None:
    names, audit_action, nothing = _WHAT[relation]
    if not reverse:
        holders = [instance]
    elif action == "pre_clear":
        holders = list(getattr(instance, _reverse_accessor(relation, instance)).all())
        instance._kpiboard_audit_cleared = holders
    elif action == "post_clear":
        holders = getattr(instance, "_kpiboard_audit_cleared", [])
    else:
        holders = list(model.objects.filter(pk__in=pk_set or ()))
    # A reverse change (a group's people, a permission's groups) is one row per person or group.
    store = instance.__dict__.setdefault("_kpiboard_audit_reverse", {}) if reverse else None
    for holder in holders:
        key = f"_kpiboard_audit_{relation}"
        if store is not None:
            holder = store.setdefault((type(holder), holder.pk), holder)
        if action.startswith("pre_"):
            _change_for(holder, key, lambda h=holder: names(h))
        else:
            change = getattr(holder, key, None) or _Change(names(holder), _transaction())
            change.write(names(holder), audit_action, _target(holder), nothing)
    if reverse and action.startswith("post_"):
        instance.__dict__.pop("_kpiboard_audit_reverse", None)


def _reverse_accessor(relation: str, instance: Any) -> str:
    return {"groups": "user_set", "user_permissions": "user_set", "permissions": "group_set"}[
        relation
    ]


def _connect() -> None:
    for relation, through in (
        ("groups", User.groups.through),
        ("user_permissions", User.user_permissions.through),
        ("permissions", Group.permissions.through),
    ):

        def changed(
            sender: Any,
            instance: Any,
            action: str,
            reverse: bool,
            model: Any,
            pk_set: Any,
            relation: str = relation,
            **kwargs: Any,
        ) -> None:
            _relation_changed(relation, instance, action, reverse, model, pk_set)

        m2m_changed.connect(
            changed, sender=through, weak=False, dispatch_uid=f"kpiboard_audit_{relation}"
        )


_connect()


@receiver(pre_save, sender=User, dispatch_uid="kpiboard_audit_flags_before")
def _flags_before(sender: Any, instance: Any, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if (
        instance.pk is None
        or kwargs.get("raw")
        or (fields is not None and not set(fields) & set(FLAGS))
    ):
        return  # a new account, a fixture, or a save of other fields (last_login at each sign-in)
    before = sender.objects.filter(pk=instance.pk).values(*FLAGS).first()
    instance._kpiboard_audit_flags = before


@receiver(post_save, sender=User, dispatch_uid="kpiboard_audit_flags_after")
def _flags_after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_kpiboard_audit_flags", None)
    if created or not before:
        return
    words = {"is_superuser": "superuser", "is_staff": "staff (the admin)", "is_active": "active"}
    yes_no = {True: "yes", False: "no"}
    changed = [
        f"{words[flag]}: {yes_no[bool(before[flag])]} → {yes_no[bool(getattr(instance, flag))]}"
        for flag in FLAGS
        if bool(before[flag]) != bool(getattr(instance, flag))
    ]
    if changed:
        record(_acting(), Action.PERMISSION_CHANGED, _target(instance), "\n".join(changed))
