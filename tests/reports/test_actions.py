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


def test_spc_icons_sit_beside_their_words(demo_evaluation: Evaluation) -> None:
    """Each indicator with a control chart gets a variation icon whose kind is the engine's
    variation, beside the words; decorative, so hidden from screen readers."""
    from kpiboard.analysis.spc import Variation

    report = build_report(demo_evaluation)
    with_spc = [card for card in report.cards if card.result.spc is not None]
    assert with_spc
    for card in report.cards:
        fact = next(f for f in card.facts if f.label == "Variation (control chart)")
        if card.result.spc is None:
            assert fact.icon is None
            continue
        assert fact.icon is not None
        assert f"mdc-icon--{card.result.spc.variation.value}" in fact.icon
        assert 'aria-hidden="true"' in fact.icon
        assert fact.text  # the words are there too
        assert card.result.spc.variation in Variation
