"""Remedial actions on an indicator's card: listed in full where there are any, absent where not."""

from __future__ import annotations

from datetime import date

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.reports.model import Action, build_report


def test_actions_are_listed_on_their_indicators_card_only(demo_evaluation: Evaluation) -> None:
    actions = {
        "182": [
            Action(
                "Weekly FOI backlog review",
                "Information Governance Manager",
                date(2024, 12, 31),
                "In progress",
            ),
            Action("Recruit a second FOI officer", "Head of Service", date(2025, 3, 31), "Planned"),
        ]
    }
    report = build_report(demo_evaluation, actions)
    card = next(card for card in report.cards if card.ref == "182")
    fact = next(fact for fact in card.facts if fact.label == "Remedial actions")
    assert fact.text == (
        "1. Weekly FOI backlog review (Information Governance Manager, by 31 December 2024; "
        "in progress) 2. Recruit a second FOI officer (Head of Service, by 31 March 2025; planned)"
    )
    others = [card for card in report.cards if card.ref != "182"]
    assert all(fact.label != "Remedial actions" for card in others for fact in card.facts)
    plain = build_report(demo_evaluation)
    assert all(fact.label != "Remedial actions" for card in plain.cards for fact in card.facts)
