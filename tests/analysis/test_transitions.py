"""Transitions since the previous period (semantics.md 11)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.analysis.status import Status
from kpiboard.analysis.transitions import Transition, classify_transition, transitions

S, T = Status, Transition


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (S.AMBER, S.GREEN, T.IMPROVED),
        (S.RED, S.GREEN, T.IMPROVED),
        (S.GREEN, S.BLUE, T.IMPROVED),
        (S.BLUE, S.RED, T.DETERIORATED),
        (S.GREEN, S.AMBER, T.DETERIORATED),
        (S.RED, S.RED, T.UNCHANGED),
        (S.BASELINE, S.BASELINE, T.UNCHANGED),
        (S.NO_DATA, S.NO_DATA, T.UNCHANGED),
        (S.BASELINE, S.GREEN, T.CHANGED_CATEGORY),
        (S.GREEN, S.SUSPENDED, T.CHANGED_CATEGORY),
        (S.NO_DATA, S.RED, T.CHANGED_CATEGORY),
        (S.NO_TARGET, S.CONTEXTUAL, T.CHANGED_CATEGORY),
    ],
)
def test_classify(previous: Status, current: Status, expected: Transition) -> None:
    assert classify_transition(previous, current) is expected


def test_the_seed_reports_changes() -> None:
    """190 Amber to Green and 212 Red to Green improved; 182 Red in both is unchanged."""
    found = transitions(
        [
            ("182", S.RED, S.RED),
            ("190", S.AMBER, S.GREEN),
            ("212", S.RED, S.GREEN),
            ("187", S.BASELINE, S.BASELINE),
        ]
    )
    assert found.members(T.IMPROVED) == ["190", "212"]
    assert found.members(T.UNCHANGED) == ["182", "187"]
    assert found.matrix[S.AMBER] == {S.GREEN: 1}
    assert found.matrix[S.RED] == {S.RED: 1, S.GREEN: 1}


pairs = st.lists(
    st.tuples(st.sampled_from(list(Status)), st.sampled_from(list(Status))), max_size=40
)


@given(pairs)
def test_every_indicator_lands_in_exactly_one_group(statuses: list[tuple[Status, Status]]) -> None:
    triples = [(f"ref{i}", before, after) for i, (before, after) in enumerate(statuses)]
    found = transitions(triples)
    members = [ref for group in Transition for ref in found.members(group)]
    assert sorted(members) == sorted(ref for ref, _, _ in triples)
    assert len(members) == len(set(members))
    # The matrix counts the same indicators, and agrees with each group's size.
    assert sum(n for row in found.matrix.values() for n in row.values()) == len(triples)
    for group in Transition:
        from_matrix = sum(
            n
            for before, row in found.matrix.items()
            for after, n in row.items()
            if classify_transition(before, after) is group
        )
        assert from_matrix == len(found.members(group))
