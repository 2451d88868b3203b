"""The four roles and who may do what (django groups + ``rules`` predicates).

=================  =============================================================================
administrator      everything, including people and roles (Django admin)
performance team   runs the cycle: the register, review of returns, import and export, reminders
indicator owner    enters figures, commentary and actions for the indicators they own, no others
reader             reads everything that has been approved (committee members, senior managers)
=================  =============================================================================

An indicator's owner is the person whose e-mail address is the indicator's ``owner`` (the
``owner`` column of indicators.csv), so a register imported from files needs no second mapping.
Every permission is a named rule here; views ask for it by name, and the permission tests assert
the whole matrix.
"""

from __future__ import annotations

from typing import Any

from rules.permissions import add_perm
from rules.predicates import is_authenticated, is_group_member, is_superuser, predicate

ADMINISTRATOR = "administrator"
PERFORMANCE = "performance team"
OWNER = "indicator owner"
READER = "reader"
ROLES = (ADMINISTRATOR, PERFORMANCE, OWNER, READER)


def _in_group(name: str) -> Any:
    return is_group_member(name)


is_administrator = is_superuser | _in_group(ADMINISTRATOR)
is_performance = is_administrator | _in_group(PERFORMANCE)
is_owner_role = _in_group(OWNER)
is_reader = _in_group(READER)
is_signed_in = is_authenticated & (is_performance | is_owner_role | is_reader)


@predicate
def owns_indicator(user: Any, indicator: Any) -> bool:
    """The indicator (or the return or action of one) is the user's to fill in."""
    if indicator is None or not user.is_authenticated or not user.email:
        return False
    indicator = getattr(indicator, "indicator", indicator)
    return bool(indicator.owner) and indicator.owner.strip().lower() == user.email.strip().lower()


def _same_address(one: str, other: str) -> bool:
    return bool(one) and one.strip().lower() == (other or "").strip().lower()


@predicate
def owns_proposal(user: Any, proposal: Any) -> bool:
    """The proposal (or the comment on one) names the user as its owner."""
    proposal = getattr(proposal, "proposal", proposal)
    if proposal is None or not user.is_authenticated:
        return False
    return _same_address(proposal.owner, user.email)


@predicate
def drafts_proposal(user: Any, proposal: Any) -> bool:
    """The user drafted the proposal or owns it."""
    if proposal is None or not user.is_authenticated:
        return False
    return proposal.drafted_by_id == user.pk or _same_address(proposal.owner, user.email)


@predicate
def proposal_seen(user: Any, proposal: Any) -> bool:
    """Anything put forward is seen by every signed-in role; a draft by who drafts it."""
    if proposal is None:
        return False
    return proposal.state != "draft" or bool(drafts_proposal.test(user, proposal))


# Reading
add_perm("kpiboard.view_register", is_signed_in)
add_perm("kpiboard.view_drafts", is_performance | (is_owner_role & owns_indicator))
add_perm("kpiboard.view_history", is_performance | (is_owner_role & owns_indicator))
# The register and its lifecycle
add_perm("kpiboard.change_register", is_performance)
add_perm("kpiboard.decide_indicator", is_performance)
# Data collection
# The performance team enters or corrects a return for an owner who is away: recorded as
# "entered by X for Y", and approved by someone else (separation of duties, in the views).
add_perm("kpiboard.enter_return", (is_owner_role & owns_indicator) | is_performance)
add_perm("kpiboard.see_my_returns", is_owner_role | is_performance)
add_perm("kpiboard.review_returns", is_performance)
add_perm("kpiboard.remind_owners", is_performance)
add_perm("kpiboard.record_action", is_performance | (is_owner_role & owns_indicator))
# Bulk data
add_perm("kpiboard.import_data", is_performance)
add_perm("kpiboard.export_data", is_performance)
# Report runs and publication (published reports and open data need no permission: they are
# public)
add_perm("kpiboard.run_reports", is_performance)
add_perm("kpiboard.publish", is_performance)
# Proposed strategic indicators (kpiboard.web.proposals): every signed-in role reads a round; the
# performance team opens, closes and decides; owners and the performance team draft; a draft is
# its author's, its owner's and the performance team's alone.
add_perm("kpiboard.view_proposals", is_signed_in)
add_perm("kpiboard.manage_rounds", is_performance)
add_perm("kpiboard.draft_proposal", is_performance | is_owner_role)
add_perm("kpiboard.view_proposal", is_performance | (is_signed_in & proposal_seen))
add_perm("kpiboard.edit_proposal", is_performance | (is_owner_role & drafts_proposal))
add_perm("kpiboard.view_proposal_history", is_performance | (is_owner_role & drafts_proposal))
add_perm("kpiboard.record_comment", is_performance)
add_perm("kpiboard.respond_to_comment", is_performance | (is_owner_role & owns_proposal))
add_perm("kpiboard.decide_proposal", is_performance)
# People: inviting someone makes an account in any role, an administrator's among them
add_perm("kpiboard.invite_people", is_administrator)
