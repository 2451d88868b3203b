"""From the provider's claims to a kpiboard account with the roles its groups give.

On every sign-in the person's roles become exactly those their groups map to
(``KPIBOARD_OIDC_ROLE_GROUPS``): the provider is the one place people are given and lose roles.
A change is written to the audit log, old → new, naming the provider. Someone whose groups give
no role is refused (an account that had roles loses them first, so nothing is left behind).

Which account: the one already linked to the provider's identifier for the person (``sub``);
otherwise, once, the one account with the same e-mail address (so a site that had passwords
moves over without new accounts), or a new one. An address the provider says is unverified is
never used to find or make an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from kpiboard.web.accounts import roles as kpiboard_roles
from kpiboard.web.audit.models import Action
from kpiboard.web.audit.records import record
from kpiboard.web.oidc.config import ProviderConfig
from kpiboard.web.oidc.models import ProviderAccount

__all__ = ["SignInRefusedError", "groups_in", "person_for", "roles_for"]


@dataclass
class SignInRefusedError(Exception):
    """The provider vouched for the person, but kpiboard will not sign them in: a title and a
    paragraph for them, and a line for the audit log."""

    title: str
    message: str
    detail: str


def groups_in(claims: dict[str, Any], claim: str) -> list[str]:
    """The groups named by ``claim`` (a dotted path reaches into objects, as Keycloak's
    ``realm_access.roles``); a single string counts as one group.

    >>> groups_in({"realm_access": {"roles": ["kpi-team"]}}, "realm_access.roles")
    ['kpi-team']
    >>> groups_in({"groups": "kpi-team"}, "groups"), groups_in({}, "groups")
    (['kpi-team'], [])
    """
    value: Any = claims
    for part in claim.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, (str, int))]
    return []


def roles_for(groups: list[str], role_groups: tuple[tuple[str, str], ...]) -> list[str]:
    """The roles ``groups`` give, in the order of roles.ROLES. Group names compare exactly
    (Entra ID sends object ids, which are lower case; a name is as the provider spells it)."""
    held = set(groups)
    given = {role for group, role in role_groups if group in held}
    return [role for role in kpiboard_roles.ROLES if role in given]


def person_for(request: HttpRequest, provider: ProviderConfig, claims: dict[str, Any]) -> Any:
    """The account to sign in, its roles set from ``claims``; or :class:`SignInRefusedError`."""
    overage = claims.get("_claim_names")
    if isinstance(overage, dict) and provider.groups_claim in overage:
        raise SignInRefusedError(
            "Your account is in too many groups",
            f"{provider.name} did not send your groups because you are in too many of them. "
            "Ask your administrator to send only the groups assigned to kpiboard.",
            f"through {provider.name}: the groups claim was left out (too many groups)",
        )
    subject = str(claims["sub"])
    roles = roles_for(groups_in(claims, provider.groups_claim), provider.role_groups)
    with transaction.atomic():
        link = (
            ProviderAccount.objects.select_for_update()
            .select_related("user")
            .filter(issuer=provider.issuer, subject=subject)
            .first()
        )
        user = link.user if link is not None else None
        if user is None and roles:
            user = _account_for(provider, claims, subject)
        if user is None:
            raise _no_role(provider, claims)
        _set_roles(request, provider, user, roles)
        ProviderAccount.objects.filter(user=user).update(last_signed_in=timezone.now())
    if not roles:
        raise _no_role(provider, claims)
    if not user.is_active:
        raise SignInRefusedError(
            "Your kpiboard account is switched off",
            "Your account has been switched off. Ask your administrator if you need it.",
            f"through {provider.name}: the account is switched off",
        )
    return user


def _no_role(provider: ProviderConfig, claims: dict[str, Any]) -> SignInRefusedError:
    who = str(claims.get("email") or claims.get(provider.username_claim) or claims["sub"])
    return SignInRefusedError(
        "You do not have access to kpiboard",
        f"You signed in with {provider.name} as {who}, but you are in none of the groups that "
        "give a role in kpiboard. Ask your administrator or the performance team to add you "
        "to the right group.",
        f"through {provider.name}: none of the person's groups gives a role",
    )


def _account_for(provider: ProviderConfig, claims: dict[str, Any], subject: str) -> Any:
    """Link the account with the person's e-mail address, or make one; then link it."""
    users = get_user_model().objects
    email = str(claims.get("email") or "").strip()
    if not email or claims.get("email_verified") is False:
        raise SignInRefusedError(
            "Your e-mail address is missing",
            f"{provider.name} did not send a verified e-mail address for you, and kpiboard "
            "needs one to know which indicators are yours. Ask your administrator to send the "
            "email claim.",
            f"through {provider.name}: no verified e-mail address (sub {subject})",
        )
    same = list(users.filter(email__iexact=email, provider_account__isnull=True)[:2])
    if len(same) > 1:
        raise SignInRefusedError(
            "Two kpiboard accounts have your e-mail address",
            "An administrator must remove or change one of them before you can sign in.",
            f"through {provider.name}: two accounts have the address {email}",
        )
    if same:
        user = same[0]
    else:
        username = str(claims.get(provider.username_claim) or email).strip()[:150]
        if users.filter(username__iexact=username).exists():
            raise SignInRefusedError(
                "Another kpiboard account has your name",
                f"An account named {username} exists already, with another e-mail address. "
                "An administrator can give it your address, and your next sign-in will use it.",
                f"through {provider.name}: the username {username} is taken by another account",
            )
        user = users.create_user(
            username=username,
            email=email,
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
        )  # no password: set_unusable_password()
    ProviderAccount.objects.create(user=user, issuer=provider.issuer, subject=subject)
    return user


def _set_roles(request: HttpRequest, provider: ProviderConfig, user: Any, roles: list[str]) -> None:
    """Make the person's role groups exactly ``roles`` (other groups are left alone), and
    record the change, old → new. Written through the relation's table, so that the audit
    receiver does not also record it without naming the provider."""
    through = user.groups.through
    before = sorted(
        user.groups.filter(name__in=kpiboard_roles.ROLES).values_list("name", flat=True)
    )
    if before != sorted(roles):
        existing = Group.objects.filter(name__in=kpiboard_roles.ROLES)
        groups = {group.name: group for group in existing}
        for role in roles:
            if role not in groups:
                groups[role] = Group.objects.create(name=role)
        through.objects.filter(user=user, group__name__in=kpiboard_roles.ROLES).delete()
        through.objects.bulk_create([through(user=user, group=groups[role]) for role in roles])
        record(
            request,
            Action.ROLE_CHANGED,
            f"user {user.get_username()}",
            f"{', '.join(before) or 'no role'} → {', '.join(sorted(roles)) or 'no role'} "
            f"(the groups claim at sign-in through {provider.name})",
            actor_name=f"{provider.name} (identity provider)"[:150],
        )
    # The Django admin is for administrators (as `kpiboard seed_demo` sets it up); a superuser
    # keeps it whatever their groups.
    staff = kpiboard_roles.ADMINISTRATOR in roles or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])  # recorded by the audit receiver of the flags
