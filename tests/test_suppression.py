"""Small counts cannot be worked out from what is published: checked the way an attacker would,
with linear programming over everything a page or export shows."""
from __future__ import annotations

import random
from math import inf

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from portal.governance.suppression import (
    DisclosureError, Mark, MarkConflict, derived_mark, protect, protect_grid,
)


def tree_sums(children) -> list:
    return list(children.items())


def grid_sums(cells, rows, columns) -> list:
    """Every row forest's sums in every column and every column forest's sums in every row."""
    row_nodes = {r for r, _ in cells}
    column_nodes = {c for _, c in cells}
    return ([((parent, c), [(kid, c) for kid in kids]) for parent, kids in rows.items() for c in column_nodes]
            + [((r, parent), [(r, kid) for kid in kids]) for parent, kids in columns.items() for r in row_nodes])


def narrowed(values, sums, marks, k) -> list:
    """What the reader learns, by linear programming over every sum: the small cells they can pin
    inside 0..k-1 (anything but the whole range) and the complements they can pin to one value.
    `sums` lists (total, parts); a cell missing from `values` is a published zero."""
    hidden = [cell for cell, mark in marks.items() if mark != Mark.SHOWN]
    index = {cell: i for i, cell in enumerate(hidden)}
    rows, rhs = [], []
    for total, parts in sums:
        row, constant = [0.0] * len(hidden), 0.0
        for cell, sign in [(total, 1), *[(part, -1) for part in parts]]:
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * values.get(cell, 0)
        if any(row):
            rows.append(row)
            rhs.append(-constant)
        else:
            assert abs(constant) < 1e-9, "the published values must add up"
    # "<k" is 0..k-1; "hidden" any count, as the rules say (a small one may be hidden too).
    bounds = [(0, k - 1) if marks[cell] == Mark.SMALL else (0, None) for cell in hidden]
    found = []
    for cell in hidden:
        objective = [0.0] * len(hidden)
        objective[index[cell]] = 1
        low = linprog(objective, A_eq=rows or None, b_eq=rhs or None, bounds=bounds, method="highs")
        high = linprog([-c for c in objective], A_eq=rows or None, b_eq=rhs or None, bounds=bounds,
                       method="highs")
        assert low.status == 0, "the true values must be a solution"
        top = inf if high.status == 3 else -high.fun  # 3: unbounded above
        if values[cell] < k and (low.fun > 1e-6 or top < k - 1 - 1e-6):
            found.append(cell)
        elif values[cell] >= k and top - low.fun < 1 - 1e-6:
            found.append(cell)
    return found


def checked(values, children, k, fixed=None) -> dict | None:
    """Protect and check the result; None when protection was refused, after checking the refusal:
    with every cell that may be hidden hidden, a cell that must stay hidden is still narrowed."""
    fixed = fixed or {}
    try:
        marks = protect(values, children, k, fixed)
    except DisclosureError as error:
        most = {node: fixed.get(node, Mark.SMALL if value < k else Mark.HIDDEN)
                for node, value in values.items()}
        assert all(most[cell] != Mark.SHOWN for cell in error.cells)
        if not fixed:  # with fixed cells, a way may exist that the search did not find
            assert narrowed(values, tree_sums(children), most, k)
        return None
    assert set(marks) == set(values)
    assert {node for node, mark in marks.items() if mark == Mark.SMALL} <= {
        node for node, value in values.items() if value < k}
    assert all(marks[node] != Mark.SHOWN for node, value in values.items() if value < k)
    assert all(marks[node] == mark for node, mark in fixed.items())
    assert narrowed(values, tree_sums(children), marks, k) == []
    return marks


@st.composite
def trees(draw):
    """A place tree (depth 1-3, 1-5 children each, some branches shorter) with leaf counts skewed
    small; each parent is the sum of its children."""
    values, children = {}, {}
    counter = iter(range(10_000))

    def grow(depth: int, top: bool) -> str:
        node = f"p{next(counter)}"
        if depth == 0 or not top and draw(st.integers(0, 4)) == 0:
            values[node] = draw(st.one_of(st.integers(0, 6), st.integers(0, 40)))
            return node
        kids = [grow(depth - 1, False) for _ in range(draw(st.integers(1, 5)))]
        children[node] = kids
        values[node] = sum(values[kid] for kid in kids)
        return node

    grow(draw(st.integers(1, 3)), True)
    return values, children


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(), k=st.integers(2, 6))
def test_no_suppressed_count_can_be_recovered(tree, k):
    values, children = tree
    assert checked(values, children, k) is not None  # without fixed marks, a way is always found


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(), k=st.integers(3, 6), data=st.data())
def test_fixed_marks_are_kept_or_the_table_refused(tree, k, data):
    values, children = tree
    fixed = {}
    for node, value in values.items():
        choice = data.draw(st.sampled_from(["free", "free", "fixed"]))
        if choice == "fixed":
            fixed[node] = (Mark.SMALL if value < k
                           else data.draw(st.sampled_from([Mark.SHOWN, Mark.HIDDEN])))
    event("refused" if checked(values, children, k, fixed) is None else "protected")


@settings(max_examples=100, deadline=None)
@given(tree=trees(), k=st.integers(3, 6), seed=st.integers(0, 2**32))
def test_the_same_tree_always_gets_the_same_marks(tree, k, seed):
    values, children = tree
    shuffle = random.Random(seed).sample
    values_again = dict(shuffle(list(values.items()), len(values)))
    children_again = {parent: shuffle(kids, len(kids))
                      for parent, kids in shuffle(list(children.items()), len(children))}
    assert protect(values, children, k) == protect(values_again, children_again, k)


@st.composite
def grids(draw):
    """Places (a city, 1-3 Municipi of 1-3 neighbourhoods) by a quarter of three months, some months
    split into languages; the leaves skewed small, every total the sum of its parts."""
    municipi = draw(st.integers(1, 3))
    rows = {"city": [f"m{i}" for i in range(municipi)]}
    for i in range(municipi):
        rows[f"m{i}"] = [f"n{i}{j}" for j in range(draw(st.integers(1, 3)))]
    columns = {"q": ["jan", "feb", "mar"]}
    for month in draw(st.sets(st.sampled_from(["jan", "feb", "mar"]), max_size=2)):
        columns[month] = [(month, "it"), (month, "ar")]
    leaf_rows = [kid for parent, kids in rows.items() if parent != "city" for kid in kids]
    leaf_columns = [c for parent, kids in columns.items() for c in kids if c not in columns]
    values = {(r, c): draw(st.one_of(st.integers(0, 6), st.integers(0, 30))) for r in leaf_rows for c in leaf_columns}

    def value(r, c):
        if (r, c) not in values:
            values[(r, c)] = (sum(value(kid, c) for kid in rows[r]) if r in rows
                              else sum(value(r, kid) for kid in columns[c]))
        return values[(r, c)]
    for r in ["city", *rows, *leaf_rows]:
        for c in ["q", "jan", "feb", "mar", *leaf_columns]:
            value(r, c)
    return values, rows, columns


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=grids(), k=st.integers(3, 5))
def test_no_small_count_narrows_across_places_months_and_languages(grid, k):
    values, rows, columns = grid
    marks = protect_grid(values, rows, columns, k)
    assert all(marks[cell] != Mark.SHOWN for cell, value in values.items() if value < k)
    assert narrowed(values, grid_sums(values, rows, columns), marks, k) == []


def test_a_hidden_month_is_not_the_quarter_minus_the_others():
    # July 19, August 3, September 44 and the quarter 66 would give August away.
    values = {("city", "q"): 66, ("city", "jul"): 19, ("city", "aug"): 3, ("city", "sep"): 44}
    marks = protect_grid(values, {}, {"q": ["jul", "aug", "sep"]}, 5)
    assert marks[("city", "aug")] == Mark.SMALL
    assert [cell for cell, mark in marks.items() if mark == Mark.HIDDEN] == [("city", "jul")]
    assert narrowed(values, grid_sums(values, {}, {"q": ["jul", "aug", "sep"]}), marks, 5) == []


def test_a_small_neighbourhood_hides_its_smallest_sibling():
    values = {"m": 40, "a": 3, "b": 9, "c": 28}
    marks = checked(values, {"m": ["a", "b", "c"]}, 5)
    assert marks == {"m": Mark.SHOWN, "a": Mark.SMALL, "b": Mark.HIDDEN, "c": Mark.SHOWN}


def test_a_sibling_that_would_pin_the_small_one_is_passed_over():
    # Hiding b leaves a + b = 5: a can be anything from 0 to 4 (b from 1 to 5). Hiding c would do
    # too, but costs more.
    values = {"m": 12, "a": 0, "b": 5, "c": 7}
    marks = checked(values, {"m": ["a", "b", "c"]}, 5)
    assert marks == {"m": Mark.SHOWN, "a": Mark.SMALL, "b": Mark.HIDDEN, "c": Mark.SHOWN}
    # A small sibling of 2 cannot carry a up to 4 alone: the total or the big sibling goes too.
    values = {"m": 19, "a": 1, "b": 2, "c": 16}
    marks = checked(values, {"m": ["a", "b", "c"]}, 5)
    assert marks["a"] == marks["b"] == Mark.SMALL and Mark.HIDDEN in (marks["m"], marks["c"])


def test_two_small_cells_whose_sum_tells_all_get_company():
    # 0 + 0 = 0 would pin both to zero; two small cells that can trade are enough on their own.
    values = {"m": 20, "a": 0, "b": 0, "c": 20}
    assert checked(values, {"m": ["a", "b", "c"]}, 5)["c"] == Mark.HIDDEN
    values = {"m": 24, "a": 1, "b": 3, "c": 20}  # a + b = 4: each can still be anything from 0 to 4
    assert checked(values, {"m": ["a", "b", "c"]}, 5)["c"] == Mark.SHOWN
    values = {"m": 25, "a": 2, "b": 3, "c": 20}  # a + b = 5 would say a >= 1
    assert checked(values, {"m": ["a", "b", "c"]}, 5)["c"] == Mark.HIDDEN


def test_a_small_municipio_hides_the_cheapest_municipio_and_one_of_its_neighbourhoods():
    values = {"city": 60, "m1": 3, "a": 1, "b": 2, "m2": 20, "c": 8, "d": 12, "m3": 37, "e": 30, "f": 7}
    children = {"city": ["m1", "m2", "m3"], "m1": ["a", "b"], "m2": ["c", "d"], "m3": ["e", "f"]}
    marks = checked(values, children, 5)
    assert {node for node, mark in marks.items() if mark == Mark.HIDDEN} == {"m2", "c"}


def test_an_only_child_goes_with_its_parent():
    marks = checked({"m": 3, "a": 3}, {"m": ["a"]}, 5)
    assert marks == {"m": Mark.SMALL, "a": Mark.SMALL}
    marks = checked({"city": 12, "m": 12, "a": 12}, {"city": ["m"], "m": ["a"]}, 5)
    assert set(marks.values()) == {Mark.SHOWN}
    # Hiding m2 as a complement would be pointless if its only neighbourhood showed the same number.
    values = {"city": 42, "m1": 3, "m2": 9, "c": 9, "m3": 30}
    marks = checked(values, {"city": ["m1", "m2", "m3"], "m2": ["c"]}, 5)
    assert marks["m2"] == marks["c"] == Mark.HIDDEN and marks["m3"] == Mark.SHOWN


def test_a_tree_of_small_cells_is_all_small():
    values = {"city": 4, "m1": 1, "m2": 3, "a": 1, "b": 2}
    marks = checked(values, {"city": ["m1", "m2"], "m2": ["a", "b"]}, 5)
    assert set(marks.values()) == {Mark.SMALL}


def test_fixed_marks_are_kept():
    values = {"total": 12, "it": 9, "ar": 3}
    marks = checked(values, {"total": ["it", "ar"]}, 5, fixed={"total": Mark.SHOWN})
    assert marks == {"total": Mark.SHOWN, "it": Mark.HIDDEN, "ar": Mark.SMALL}
    values = {"m": 40, "a": 3, "b": 9, "c": 28}
    marks = checked(values, {"m": ["a", "b", "c"]}, 5, fixed={"b": Mark.SHOWN})
    assert (marks["b"], marks["c"]) == (Mark.SHOWN, Mark.HIDDEN)


def test_a_total_hidden_elsewhere_is_protected_here_too():
    values = {"city": 50, "m": 20, "a": 10, "b": 10, "z": 30}
    marks = checked(values, {"city": ["m", "z"], "m": ["a", "b"]}, 5, fixed={"m": Mark.HIDDEN})
    assert marks["m"] == Mark.HIDDEN and Mark.HIDDEN in (marks["z"], marks["city"])
    assert Mark.HIDDEN in (marks["a"], marks["b"])


def test_a_table_that_cannot_be_protected_is_refused():
    # Shown elsewhere as 8: two languages of "<5" can only be 4 and 4, unless they are hidden.
    values, children = {"total": 8, "it": 4, "ar": 4}, {"total": ["it", "ar"]}
    with pytest.raises(DisclosureError):
        protect(values, children, 5, fixed={"total": Mark.SHOWN, "it": Mark.SMALL, "ar": Mark.SMALL})
    assert checked(values, children, 5, fixed={"total": Mark.SHOWN}) == {
        "total": Mark.SHOWN, "it": Mark.HIDDEN, "ar": Mark.HIDDEN}


def test_small_parts_of_a_total_of_k_or_more_hide_the_total():
    # "<5" and "<5" under a shown 6 would say each is at least 2; "hidden" is any count.
    marks = checked({"m": 6, "a": 2, "b": 4}, {"m": ["a", "b"]}, 5)
    assert marks == {"m": Mark.HIDDEN, "a": Mark.SMALL, "b": Mark.SMALL}
    marks = checked({"city": 40, "m": 6, "a": 2, "b": 4, "z": 34}, {"city": ["m", "z"], "m": ["a", "b"]}, 5)
    assert marks["m"] == Mark.HIDDEN and Mark.HIDDEN in (marks["city"], marks["z"])


def test_marks_that_contradict_the_values_are_refused():
    with pytest.raises(MarkConflict):  # "<5" in another table, 7 here: counted from other data
        protect({"m": 7, "a": 7}, {"m": ["a"]}, 5, fixed={"m": Mark.SMALL})
    with pytest.raises(MarkConflict):
        protect({"m": 3, "a": 3}, {"m": ["a"]}, 5, fixed={"m": Mark.SHOWN})
    with pytest.raises(ValueError):
        protect({"m": 9, "n": 9, "a": 9}, {"m": ["a"], "n": ["a"]}, 5)


def test_derived_figures_follow_their_inputs():
    assert derived_mark(Mark.SHOWN, Mark.SHOWN) == Mark.SHOWN
    assert derived_mark(Mark.SHOWN, Mark.SMALL) == Mark.HIDDEN
    assert derived_mark(Mark.HIDDEN) == Mark.HIDDEN
