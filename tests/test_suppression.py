"""Small counts cannot be worked out from what is published: checked the way an attacker would,
with linear programming over everything a page or export shows."""
from __future__ import annotations

from math import inf

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from portal.governance.suppression import Mark, derived_mark, protect


def recoverable(values, children, marks, k) -> list:
    """Suppressed cells whose value the published facts pin down: min == max over every solution."""
    hidden = [node for node, mark in marks.items() if mark != Mark.SHOWN]
    index = {node: i for i, node in enumerate(hidden)}
    rows, rhs = [], []
    for parent, kids in children.items():
        row, constant = [0.0] * len(hidden), 0.0
        for node, sign in [(parent, 1), *[(kid, -1) for kid in kids]]:
            if node in index:
                row[index[node]] += sign
            else:
                constant += sign * values[node]
        if any(row):
            rows.append(row)
            rhs.append(-constant)
        else:
            assert constant == 0  # the published cells alone must add up
    bounds = [(0, k - 1) if marks[node] == Mark.SMALL else (k, None) for node in hidden]
    pinned = []
    for node in hidden:
        objective = [0.0] * len(hidden)
        objective[index[node]] = 1
        low = linprog(objective, A_eq=rows or None, b_eq=rhs or None, bounds=bounds, method="highs")
        high = linprog([-c for c in objective], A_eq=rows or None, b_eq=rhs or None, bounds=bounds, method="highs")
        assert low.status == 0, "the true values must be a solution"
        top = inf if high.status == 3 else -high.fun  # 3: unbounded above
        if top - low.fun < 0.5:
            pinned.append(node)
    return pinned


@st.composite
def trees(draw):
    """A place tree (depth 1-3, 1-5 children each) with leaf counts skewed small; parents sum."""
    values, children = {}, {}
    counter = iter(range(10_000))

    def grow(depth: int) -> str:
        node = f"p{next(counter)}"
        if depth == 0 or draw(st.integers(0, 4)) == 0 and depth < 3:
            values[node] = draw(st.one_of(st.integers(0, 6), st.integers(0, 40)))
            return node
        kids = [grow(depth - 1) for _ in range(draw(st.integers(1, 5)))]
        children[node] = kids
        values[node] = sum(values[kid] for kid in kids)
        return node

    grow(draw(st.integers(1, 3)))
    return values, children


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(), k=st.integers(3, 6))
def test_no_suppressed_count_can_be_recovered(tree, k):
    values, children = tree
    marks = protect(values, children, k)
    assert {node for node, v in values.items() if v < k} == {n for n, m in marks.items() if m == Mark.SMALL}
    assert all(values[node] >= k for node, mark in marks.items() if mark == Mark.HIDDEN)
    assert recoverable(values, children, marks, k) == []


@settings(max_examples=100, deadline=None)
@given(tree=trees(), k=st.integers(3, 6))
def test_the_same_tree_always_gets_the_same_marks(tree, k):
    values, children = tree
    assert protect(values, children, k) == protect(dict(values), dict(children), k)


def test_a_small_neighbourhood_hides_its_smallest_sibling():
    values = {"m": 40, "a": 3, "b": 9, "c": 28}
    marks = protect(values, {"m": ["a", "b", "c"]}, 5)
    assert marks == {"m": Mark.SHOWN, "a": Mark.SMALL, "b": Mark.HIDDEN, "c": Mark.SHOWN}


def test_an_only_child_hides_its_parent():
    marks = protect({"m": 3, "a": 3}, {"m": ["a"]}, 5)
    assert marks == {"m": Mark.SMALL, "a": Mark.SMALL}
    marks = protect({"city": 12, "m": 12, "a": 12}, {"city": ["m"], "m": ["a"]}, 5)
    assert set(marks.values()) == {Mark.SHOWN}


def test_two_small_cells_whose_sum_tells_all_get_company():
    # 0 + 0 = 0: both pinned to zero unless a third cell is hidden too.
    values = {"m": 20, "a": 0, "b": 0, "c": 20}
    marks = protect(values, {"m": ["a", "b", "c"]}, 5)
    assert marks["c"] == Mark.HIDDEN or marks["m"] == Mark.HIDDEN
    assert recoverable(values, {"m": ["a", "b", "c"]}, marks, 5) == []


def test_fixed_marks_are_kept():
    values = {"total": 12, "it": 9, "ar": 3}
    marks = protect(values, {"total": ["it", "ar"]}, 5, fixed={"total": Mark.SHOWN})
    assert marks == {"total": Mark.SHOWN, "it": Mark.HIDDEN, "ar": Mark.SMALL}


def test_derived_figures_follow_their_inputs():
    assert derived_mark(Mark.SHOWN, Mark.SHOWN) == Mark.SHOWN
    assert derived_mark(Mark.SHOWN, Mark.SMALL) == Mark.HIDDEN
    assert derived_mark(Mark.HIDDEN) == Mark.HIDDEN
