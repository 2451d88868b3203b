"""What the proposal tests share: a round, a posted form with its CSRF token, a proposal's
fields as the form sends them."""

from __future__ import annotations

from typing import Any

from kpiboard.web.proposals.models import Proposal, ProposalRound
from kpiboard.web.register.models import Ambition, Committee, Directorate

ROUND = "test-skpi"
OWNER_EMAIL = "helen.ashworth@example.gov.uk"


def post(client: Any, path: str, data: dict[str, Any]) -> Any:
    token = client.get("/proposals/").cookies["csrftoken"].value
    return client.post(path, {**data, "csrfmiddlewaretoken": token})


def make_round(code: str = ROUND, circulate_in: str = "2024/25 Q3") -> ProposalRound:
    return ProposalRound.objects.create(
        code=code, name="Strategic KPIs for 2025/26 (test)", circulate_in=circulate_in
    )


def fields(**changes: Any) -> dict[str, Any]:
    """A proposal's form as an owner fills it in: FOI requests, target 85 from 2025/26 Q1."""
    data = {
        "ref": "SK-1",
        "name": "Complaints answered within 10 working days",
        "directorate": str(Directorate.objects.get(code="snp").pk),
        "description": "Stage one complaints answered within 10 working days, as a percentage.",
        "rationale": "Residents told us slow answers were their first complaint.",
        "unit": "percent",
        "decimals": "1",
        "direction": "higher",
        "frequency": "quarter",
        "target": "85",
        "start": "2025/26 Q1",
        "owner": OWNER_EMAIL,
        "committees": [str(Committee.objects.get(code="srp").pk)],
        "ambitions": [str(Ambition.objects.order_by("position").first().pk)],  # type: ignore[union-attr]
        "version": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def proposal(ref: str = "SK-1", code: str = ROUND) -> Proposal:
    return Proposal.objects.get(round__code=code, ref=ref)
