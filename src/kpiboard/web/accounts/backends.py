"""Django's model permissions, for what they decide: never kpiboard's own.

Every ``kpiboard.*`` permission is a rule on the person's role (accounts/roles.py, answered by
django-rules' backend). Django asks every backend in turn until one says yes, so a role that is
refused one of them (a reader asked whether they may review returns, on every page's navigation)
also reached ``ModelBackend``, which read the person's permissions and their groups' from the
database: two queries a request for an answer that could only be no, as no application is
labelled ``kpiboard`` and so no database permission can carry the name. The admin's own
permissions (``auth.change_user`` and the like) are still Django's to decide.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

#: This backend's path, as AUTHENTICATION_BACKENDS names it and a session records it.
PERMISSIONS_BACKEND = "kpiboard.web.accounts.backends.ModelPermissionsBackend"
#: The prefix of the permissions that accounts/roles.py's rules alone decide.
RULES_ONLY = "kpiboard."


class ModelPermissionsBackend(ModelBackend):
    """``ModelBackend`` that leaves ``kpiboard.*`` permissions to the rules."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if perm.startswith(RULES_ONLY):
            return False
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if app_label + "." == RULES_ONLY:
            return False
        return super().has_module_perms(user_obj, app_label)
