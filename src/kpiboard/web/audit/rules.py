"""Who may read the audit log and lift sign-in locks: administrators only."""

from rules.permissions import add_perm

from kpiboard.web.accounts.roles import is_administrator

add_perm("kpiboard.view_audit", is_administrator)
add_perm("kpiboard.lift_lockouts", is_administrator)
