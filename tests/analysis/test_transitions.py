"""Transitions since the previous period (semantics.md 11)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiboard.analysis.status import RAGB, Status
from kpiboard.analysis.transitions import (
    TRANSITION_WORDS,
    Transition,
    classify_transition,
    transitions,
)

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
        (S.BLUE, S.BLUE, T.UNCHANGED),
        # The same status outside RAGB in both periods is not rated (semantics.md 11).
        (S.BASELINE, S.BASELINE, T.NOT_RATED),
        (S.NO_DATA, S.NO_DATA, T.NOT_RATED),
        (S.SUSPENDED, S.SUSPENDED, T.NOT_RATED),
        (S.BASELINE, S.CONTEXTUAL, T.CHANGED_CATEGORY),
        (S.BASELINE, S.GREEN, T.CHANGED_CATEGORY),
        (S.GREEN, S.SUSPENDED, T.CHANGED_CATEGORY),
        (S.NO_DATA, S.RED, T.CHANGED_CATEGORY),
        (S.NO_TARGET, S.CONTEXTUAL, T.CHANGED_CATEGORY),
    ],
)
def test_classify(previous: Status, current: Status, expected: Transition) -> None:
    assert classify_transition(previous, current) is expected


def test_the_seed_reports_changes() -> None:
    """The seed's quarter (semantics.md 11): 190 Amber to Green and 212 Red to Green improved;
    182 Red, 188 Amber and eight Green in both are unchanged; 187, Baseline in both, is not
    rated: 2 improved, 10 unchanged, 1 not rated."""
    found = transitions(
        [
            ("182", S.RED, S.RED),
            ("183", S.GREEN, S.GREEN),
            ("184", S.GREEN, S.GREEN),
            ("185", S.GREEN, S.GREEN),
            ("186", S.GREEN, S.GREEN),
            ("187", S.BASELINE, S.BASELINE),
            ("188", S.AMBER, S.AMBER),
            ("189", S.GREEN, S.GREEN),
            ("190", S.AMBER, S.GREEN),
            ("191", S.GREEN, S.GREEN),
            ("212", S.RED, S.GREEN),
            ("213", S.GREEN, S.GREEN),
            ("214", S.GREEN, S.GREEN),
        ]
    )
    assert found.members(T.IMPROVED) == ["190", "212"]
    assert found.members(T.UNCHANGED) == [
        "182", "183", "184", "185", "186", "188", "189", "191", "213", "214",
    ]  # fmt: skip
    assert found.members(T.NOT_RATED) == ["187"]
    assert found.members(T.DETERIORATED) == []
    assert found.members(T.CHANGED_CATEGORY) == []
    assert found.matrix[S.AMBER] == {S.AMBER: 1, S.GREEN: 1}
    assert found.matrix[S.RED] == {S.RED: 1, S.GREEN: 1}
    assert found.matrix[S.GREEN] == {S.GREEN: 8}
    assert found.matrix[S.BASELINE] == {S.BASELINE: 1}


def test_the_words_of_each_group() -> None:
    """One name per group, as every output prints it (semantics.md 11)."""
    assert TRANSITION_WORDS == {
        T.IMPROVED: "Improved",
        T.DETERIORATED: "Deteriorated",
        T.UNCHANGED: "Unchanged",
        T.NOT_RATED: "Not rated",
        T.CHANGED_CATEGORY: "Changed category",
    }


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
    assert sum(len(found.members(group)) for group in Transition) == len(triples)
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


@given(st.sampled_from(list(Status)), st.sampled_from(list(Status)))
def test_not_rated_exactly_when_the_same_status_outside_ragb(
    previous: Status, current: Status
) -> None:
    group = classify_transition(previous, current)
    same_outside_ragb = previous is current and previous not in RAGB
    assert (group is T.NOT_RATED) is same_outside_ragb
    both_ragb = previous in RAGB and current in RAGB
    # unchanged, improved and deteriorated only between RAGB statuses; anything else that is not
    # not_rated changed category.
    if group in (T.UNCHANGED, T.IMPROVED, T.DETERIORATED):
        assert both_ragb
    if not both_ragb and not same_outside_ragb:
        assert group is T.CHANGED_CATEGORY
    if both_ragb:
        order = list(RAGB)
        expected = (
            T.UNCHANGED
            if previous is current
            else T.IMPROVED
            if order.index(current) > order.index(previous)
            else T.DETERIORATED
        )
        assert group is expected
