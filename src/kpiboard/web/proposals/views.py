"""The proposal cycle's pages: rounds, proposals, comments and decisions (HTTP only; the writes
are in :mod:`kpiboard.web.proposals.services`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kpiboard.web.access import require
from kpiboard.web.proposals import models


@require("kpiboard.view_proposals")
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = models.ProposalRound.objects.all()
    return render(request, "proposals/rounds.html", {"rounds": rounds})
