"""A person's own data: everything kpiboard holds about them, for them to download (ASVS 8.3.2,
a subject access request answered by the site itself), and erasing it on request, by an
administrator with the council's data protection officer (``kpiboard erase_user``).

The download is one JSON document: the account, its roles, its second factor (when set up and last
used, never its secret), where it is signed in, its API tokens and its identity provider link
(never a token's digest), the audit log's rows by or about the account, and the returns it
entered, submitted or reviewed with their commentary, and the actions it raised.

Erasure keeps what the council must keep (who approved which figure, the audit trail) but no
longer says who that was: the account is deactivated and renamed to a pseudonym, its name and
address emptied, everything that would let it sign in again removed (password, sessions, API
tokens, second factors, the link to the identity provider), and the audit rows and the returns'
author names it left now name the pseudonym. The last active administrator cannot be erased.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kpiboard.web.accounts import roles, sessions
from kpiboard.web.audit.models import Action, AuditEvent
from kpiboard.web.audit.records import record

__all__ = [
    "ErasureRefusedError",
    "person_erase",
    "personal_data",
    "personal_data_json",
    "pseudonym",
]

RETURN_FIELDS = (
    "period",
    "value",
    "numerator",
    "denominator",
    "note",
    "commentary",
    "author",
    "state",
    "reason",
    "submitted_at",
    "reviewed_at",
    "surprise",
    "surprise_reason",
)


def _model(label: str) -> Any:
    """A model of an app that may not be installed (the API, the identity provider), or None."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _about(user: Any) -> Q:
    """The audit rows by the account or about it (``user helen``)."""
    name = user.get_username()
    return Q(actor=user) | Q(actor_name=name) | Q(target=f"user {name}")


def _returns(user: Any) -> QuerySet[Any]:
    from kpiboard.web.collection.models import Return

    return (
        Return.objects.filter(Q(submitted_by=user) | Q(reviewed_by=user) | Q(entered_by=user))
        .select_related("indicator", "submitted_by", "reviewed_by", "entered_by")
        .order_by("indicator__ref", "period_start")
    )


def _parts(user: Any, row: Any) -> list[str]:
    return [
        part
        for part, who in (
            ("entered", row.entered_by_id),
            ("submitted", row.submitted_by_id),
            ("reviewed", row.reviewed_by_id),
        )
        if who == user.pk
    ]


def personal_data(user: Any) -> dict[str, Any]:
    """Everything kpiboard holds about ``user``, as plain data."""
    from kpiboard.web.accounts.models import EncryptedTOTPDevice, SecurityKey
    from kpiboard.web.register.models import RemedialAction

    data: dict[str, Any] = {
        "made": timezone.now(),
        "account": {
            "username": user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "active": user.is_active,
            "joined": user.date_joined,
            "last_signed_in": user.last_login,
            "has_password": user.has_usable_password(),
        },
        "roles": sorted(user.groups.values_list("name", flat=True))
        + (["superuser"] if user.is_superuser else []),
        "second_factors": [
            {
                "kind": "authenticator app",
                "name": device.name,
                "confirmed": device.confirmed,
                "set_up": device.created_at,
                "last_used": device.last_used_at,
            }
            for device in EncryptedTOTPDevice.objects.filter(user=user)
        ]
        + [
            {
                "kind": "security key",
                "name": key.name,
                "confirmed": key.confirmed,
                "set_up": key.created_at,
                "last_used": key.last_used_at,
            }
            for key in SecurityKey.objects.filter(user=user)
        ],
        "sessions": [
            {
                "signed_in": row.signed_in_at,
                "last_seen": row.last_seen,
                "address": row.address,
                "browser": row.user_agent,
            }
            for row in sessions.sessions_active(user)
        ],
        "audit_events": [
            {
                "at": event.at,
                "who": event.actor_name,
                "address": event.address,
                "action": event.get_action_display(),
                "target": event.target,
                "detail": event.detail,
            }
            for event in AuditEvent.objects.filter(_about(user)).order_by("at", "pk")
        ],
        "returns": [
            {
                "indicator": row.indicator.ref,
                "your_part": _parts(user, row),
                **{name: getattr(row, name) for name in RETURN_FIELDS},
            }
            for row in _returns(user)
        ],
        "actions_raised": [
            {
                "indicator": action.indicator.ref,
                "period": action.period,
                "action": action.what,
                "who": action.who,
                "due": action.due,
                "state": action.state,
            }
            for action in RemedialAction.objects.filter(created_by=user).select_related("indicator")
        ],
    }
    tokens = _model("api.ApiToken")
    if tokens is not None:
        data["api_tokens"] = [
            {
                "name": token.name,
                "starts": token.prefix,
                "scope": token.scope,
                "made": token.created,
                "expires": token.expires,
                "last_used": token.last_used,
                "revoked": token.revoked,
            }
            for token in tokens.objects.filter(user=user)
        ]
    provider = _model("oidc.ProviderAccount")
    if provider is not None:
        data["identity_provider"] = [
            {"issuer": link.issuer, "subject": link.subject, "linked": link.linked_at}
            for link in provider.objects.filter(user=user)
        ]
    return data


def personal_data_json(user: Any) -> str:
    return json.dumps(personal_data(user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


class ErasureRefusedError(Exception):
    """Why an account cannot be erased (a message for the administrator)."""


def pseudonym(user: Any) -> str:
    """The name an erased account goes by: ``erased-42``, from its database id alone."""
    return f"erased-{user.pk}"


def _administrators() -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=roles.ADMINISTRATOR), is_active=True)
        .distinct()
    )


@transaction.atomic
def person_erase(*, user: Any, by: Any = None, reason: str = "") -> dict[str, int]:
    """Erase ``user`` as the module says; how many of each thing went or was renamed. Raises
    :class:`ErasureRefusedError` for the last active administrator, or an account already erased."""
    from kpiboard.web.accounts.models import EncryptedTOTPDevice, SecurityKey
    from kpiboard.web.collection.models import Return

    old_name = user.get_username()
    if old_name == pseudonym(user):
        raise ErasureRefusedError(f"The account {old_name} has already been erased.")
    admins = _administrators()
    if admins.filter(pk=user.pk).exists() and not admins.exclude(pk=user.pk).exists():
        raise ErasureRefusedError(
            f"{old_name} is the last active administrator: make someone else an administrator "
            "first, or no one could manage the site."
        )
    names = {old_name, user.get_full_name().strip(), user.email.strip()} - {""}
    new_name = pseudonym(user)
    counts = {
        "sessions": sessions.sessions_end_all(
            by, user, why="ended: the account is being erased", everywhere=True
        ),
        "second_factors": EncryptedTOTPDevice.objects.filter(user=user).delete()[0]
        + SecurityKey.objects.filter(user=user).delete()[0],
    }
    for label, key in (("api.ApiToken", "api_tokens"), ("oidc.ProviderAccount", "provider")):
        model = _model(label)
        counts[key] = model.objects.filter(user=user).delete()[0] if model is not None else 0
    staged = _model("register.StagedUpload")
    counts["staged_uploads"] = staged.objects.filter(user=user).delete()[0] if staged else 0

    # The audit trail and the returns keep their rows, naming the pseudonym.
    events = AuditEvent.objects.filter(_about(user))
    counts["audit_events"] = events.count()
    events.filter(Q(actor=user) | Q(actor_name=old_name)).update(actor_name=new_name)
    events.filter(target=f"user {old_name}").update(target=f"user {new_name}")
    if user.email:
        for event in AuditEvent.objects.filter(
            Q(actor=user) | Q(target=f"user {new_name}"), detail__icontains=user.email
        ):
            event.detail = event.detail.replace(user.email, new_name)
            event.save(update_fields=["detail"])
    authored = Return.objects.filter(author__in=names)
    counts["returns_renamed"] = authored.update(author=new_name)
    Return.history.filter(author__in=names).update(author=new_name)

    user.username = new_name
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    record(
        by,
        Action.PERSON_ERASED,
        f"user {new_name}",
        "; ".join(
            [
                *([f"reason: {reason}"] if reason else []),
                ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items()),
            ]
        ),
    )
    return counts
