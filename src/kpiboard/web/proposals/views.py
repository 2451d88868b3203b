"""The proposal cycle's pages: rounds, proposals, comments, responses and decisions. Views speak
HTTP only: who may do what is a named rule (kpiboard.web.accounts.roles), the writes are in
:mod:`kpiboard.web.proposals.services` and :mod:`kpiboard.web.proposals.adoption`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kpiboard.analysis.proposals import ProposalState
from kpiboard.web.access import require, signed_in
from kpiboard.web.audit.refusals import input_refused as refused
from kpiboard.web.concurrency import EditConflictError, save_versioned
from kpiboard.web.periods import current_period
from kpiboard.web.proposals import adoption, forms, models, selectors, services
from kpiboard.web.register import models as register
from kpiboard.web.register.dataset import organisation


def _round(request: HttpRequest, code: str, **_: Any) -> models.ProposalRound:
    return get_object_or_404(models.ProposalRound, code=code)


def _proposal(request: HttpRequest, code: str, ref: str, **_: Any) -> models.Proposal:
    return get_object_or_404(
        models.Proposal.objects.select_related("round", "directorate", "decided_by"),
        round__code=code,
        ref=ref,
    )


def _comment(request: HttpRequest, code: str, ref: str, pk: int) -> models.ProposalComment:
    return get_object_or_404(
        models.ProposalComment.objects.select_related("proposal__round"),
        pk=pk,
        proposal__round__code=code,
        proposal__ref=ref,
    )


def _current() -> Any:
    return current_period(organisation())


def _versioned_button(request: HttpRequest) -> int | None:
    form = forms.VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


# -- rounds --------------------------------------------------------------------------------------


@require("kpiboard.view_proposals")
def round_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "proposals/rounds.html",
        {
            "rounds": selectors.rounds_with_counts(request.user),
            "can_manage": request.user.has_perm("kpiboard.manage_rounds"),
        },
    )


@require("kpiboard.manage_rounds")
def round_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Open a round (its name, id and the period it is circulated in), or change one."""
    row = _round(request, code) if code else models.ProposalRound()
    form = forms.RoundForm(request.POST or None, instance=row, current=_current())
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        try:
            if row.pk:
                services.why(saved, "Round changed")
                save_versioned(saved, form.cleaned_data["version"], request.user)
            else:
                services.round_open(round=saved, user=request.user)
        except EditConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved {saved.name}")
            return redirect("proposal_round", code=saved.code)
    if form.errors:
        refused(request, "the round form was refused", form.errors)
    return render(request, "proposals/round_edit.html", {"form": form, "round": row})


@require("kpiboard.view_proposals")
def round_detail(request: HttpRequest, code: str) -> HttpResponse:
    row = _round(request, code)
    groups = selectors.round_by_directorate(row, request.user)
    return render(
        request,
        "proposals/round.html",
        {
            "round": row,
            "groups": groups,
            "counts": selectors.state_counts(groups),
            "can_manage": request.user.has_perm("kpiboard.manage_rounds"),
            "can_draft": row.is_open and request.user.has_perm("kpiboard.draft_proposal"),
        },
    )


@require_POST
@require("kpiboard.manage_rounds")
def round_state(request: HttpRequest, code: str, move: str) -> HttpResponse:
    row = _round(request, code)
    version = _versioned_button(request)
    try:
        if version is None:
            raise services.ProposalError("The form was incomplete: reload the page and try again")
        if move == "close":
            services.round_close(round=row, version=version, user=request.user)
        else:
            services.round_reopen(round=row, version=version, user=request.user)
    except (services.ProposalError, EditConflictError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{row.name} is {row.state}")
    return redirect("proposal_round", code=code)


# -- proposals -----------------------------------------------------------------------------------


@require("kpiboard.draft_proposal")
def proposal_new(request: HttpRequest, code: str) -> HttpResponse:
    row = _round(request, code)
    if not row.is_open:
        messages.error(request, f"{row.name} is closed: no new proposals")
        return redirect("proposal_round", code=code)
    user = signed_in(request)
    proposal = models.Proposal(round=row, drafted_by=user)
    if not user.has_perm("kpiboard.manage_rounds"):
        proposal.owner = user.email
    return _proposal_form(request, row, proposal)


@require("kpiboard.edit_proposal", _proposal)
def proposal_edit(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    proposal = _proposal(request, code, ref)
    editable = proposal.state == ProposalState.DRAFT.value or (
        proposal.state == ProposalState.PROPOSED.value
        and request.user.has_perm("kpiboard.manage_rounds")
    )
    if not proposal.round.is_open or not editable:
        messages.error(
            request,
            f"{proposal.ref} is {proposal.state} in a {proposal.round.state} round: "
            "it cannot be changed now",
        )
        return redirect("proposal", code=code, ref=ref)
    return _proposal_form(request, proposal.round, proposal)


def _proposal_form(
    request: HttpRequest, row: models.ProposalRound, proposal: models.Proposal
) -> HttpResponse:
    form = forms.ProposalForm(request.POST or None, instance=proposal, round=row)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if not saved.pk:
            saved.position = row.proposals.count()
        services.why(saved, "Drafted" if not saved.pk else "Changed")
        try:
            save_versioned(saved, form.cleaned_data["version"], request.user)
            form.save_m2m()
        except EditConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved {saved.ref} {saved.name}")
            return redirect("proposal", code=row.code, ref=saved.ref)
    if form.errors:
        refused(request, "the proposal form was refused", form.errors)
    ref = form.data.get("ref") if form.is_bound else proposal.ref
    return render(
        request,
        "proposals/proposal_edit.html",
        {
            "form": form,
            "round": row,
            "proposal": proposal,
            "existing": register.Indicator.objects.filter(ref=ref).first() if ref else None,
        },
    )


@require("kpiboard.view_proposal", _proposal)
def proposal_detail(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    proposal = _proposal(request, code, ref)
    return render(request, "proposals/proposal.html", _detail_context(request, proposal))


def _detail_context(
    request: HttpRequest, proposal: models.Proposal, comment_form: Any = None
) -> dict[str, Any]:
    user = request.user
    is_open = proposal.round.is_open
    state = proposal.state
    team = user.has_perm("kpiboard.manage_rounds")
    may_edit = user.has_perm("kpiboard.edit_proposal", proposal)
    may_respond = user.has_perm("kpiboard.respond_to_comment", proposal)
    return {
        "round": proposal.round,
        "proposal": proposal,
        "existing": register.Indicator.objects.filter(ref=proposal.ref).first(),
        "comments": list(proposal.comments.select_related("committee")),
        "comment_form": comment_form or forms.CommentForm(),
        "can_edit": is_open
        and may_edit
        and (
            state == ProposalState.DRAFT.value or (state == ProposalState.PROPOSED.value and team)
        ),
        "can_put_forward": is_open and may_edit and state == ProposalState.DRAFT.value,
        "can_comment": is_open
        and state != ProposalState.DRAFT.value
        and user.has_perm("kpiboard.record_comment"),
        "can_respond": is_open and may_respond,
        "can_decide": is_open
        and state == ProposalState.PROPOSED.value
        and user.has_perm("kpiboard.decide_proposal"),
        "can_history": user.has_perm("kpiboard.view_proposal_history", proposal),
    }


@require_POST
@require("kpiboard.edit_proposal", _proposal)
def proposal_put_forward(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    proposal = _proposal(request, code, ref)
    version = _versioned_button(request)
    try:
        if version is None:
            raise services.ProposalError("The form was incomplete: reload the page and try again")
        services.proposal_put_forward(proposal=proposal, version=version, user=request.user)
    except (services.ProposalError, EditConflictError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{proposal.ref} is put forward for comment")
    return redirect("proposal", code=code, ref=ref)


# -- comments and responses ----------------------------------------------------------------------


@require_POST
@require("kpiboard.record_comment")
def comment_new(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    proposal = _proposal(request, code, ref)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_record(proposal=proposal, user=request.user, **form.cleaned_data)
        except services.ProposalError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Comment from {form.cleaned_data['committee']} recorded")
            return redirect("proposal", code=code, ref=ref)
    else:
        refused(request, "the comment form was refused", form.errors)
        return render(request, "proposals/proposal.html", _detail_context(request, proposal, form))
    return redirect("proposal", code=code, ref=ref)


@require("kpiboard.respond_to_comment", _comment)
def comment_response(request: HttpRequest, code: str, ref: str, pk: int) -> HttpResponse:
    comment = _comment(request, code, ref, pk)
    form = forms.ResponseForm(
        request.POST or None,
        initial={"version": comment.version, "response": comment.response},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_respond(
                comment=comment,
                response=form.cleaned_data["response"],
                version=form.cleaned_data["version"],
                user=request.user,
            )
        except EditConflictError as error:
            form.add_error(None, str(error))
        except services.ProposalError as error:
            messages.error(request, str(error))
            return redirect("proposal", code=code, ref=ref)
        else:
            messages.success(request, "Response recorded")
            return redirect("proposal", code=code, ref=ref)
    if form.errors:
        refused(request, "the response form was refused", form.errors)
    return render(
        request,
        "proposals/response.html",
        {"form": form, "comment": comment, "proposal": comment.proposal},
    )


# -- decisions -----------------------------------------------------------------------------------


@require("kpiboard.decide_proposal")
def proposal_decide(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    proposal = _proposal(request, code, ref)
    if not proposal.round.is_open or proposal.state != ProposalState.PROPOSED.value:
        messages.error(
            request,
            f"{proposal.ref} is {proposal.state} in a {proposal.round.state} round: "
            "only a proposal put forward in an open round is decided",
        )
        return redirect("proposal", code=code, ref=ref)
    form = forms.DecisionForm(
        request.POST or None,
        instance=proposal,
        round=proposal.round,
        initial={"decision": "adopted"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _decide(request, proposal, form)
        except (services.ProposalError, EditConflictError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{proposal.ref} {data['decision']} by {data['decided_by']}")
            return redirect("proposal", code=code, ref=ref)
    if form.errors:
        refused(request, "the decision form was refused", form.errors)
    return render(
        request,
        "proposals/decide.html",
        {"form": form, "proposal": proposal, "round": proposal.round},
    )


def _decide(request: HttpRequest, proposal: models.Proposal, form: forms.DecisionForm) -> None:
    data = form.cleaned_data
    state = ProposalState(data["decision"])
    if state is ProposalState.ADOPTED:
        amended = {name: data[name] for name in form.amended}
        adoption.proposal_adopt(
            proposal=proposal,
            version=data["version"],
            committee=data["decided_by"],
            meeting=data["decided_on"],
            amended=amended,
            amendment=forms.amendment_words(form.amended),
            reason=data.get("amendment_reason") or "",
            user=request.user,
        )
    else:
        services.proposal_set_aside(
            proposal=proposal,
            version=data["version"],
            state=state,
            committee=data["decided_by"],
            meeting=data["decided_on"],
            user=request.user,
        )


# -- history -------------------------------------------------------------------------------------


@require("kpiboard.view_proposal_history", _proposal)
def proposal_history(request: HttpRequest, code: str, ref: str) -> HttpResponse:
    """Every change to the proposal and its comments: who, when, what, and why."""
    proposal = _proposal(request, code, ref)
    entries = selectors.history_entries(
        [
            ("Proposal", proposal.history.all()),
            ("Comment", models.ProposalComment.history.filter(proposal_id=proposal.pk)),
        ]
    )
    return render(
        request,
        "proposals/history.html",
        {
            "subject": f"{proposal.ref} {proposal.name}",
            "back": reverse("proposal", args=[proposal.round.code, proposal.ref]),
            "entries": entries,
        },
    )


@require("kpiboard.manage_rounds")
def round_history(request: HttpRequest, code: str) -> HttpResponse:
    """Every change to the round itself (opened, renamed, its period, closed, reopened) and
    every proposal and comment in it, newest first."""
    row = _round(request, code)
    entries = selectors.history_entries(
        [
            ("Round", row.history.all()),
            ("Proposal", models.Proposal.history.filter(round_id=row.pk)),
            (
                "Comment",
                models.ProposalComment.history.filter(
                    proposal_id__in=models.Proposal.objects.filter(round=row).values("pk")
                ),
            ),
        ]
    )
    return render(
        request,
        "proposals/history.html",
        {
            "subject": row.name,
            "back": reverse("proposal_round", args=[row.code]),
            "entries": entries,
        },
    )
