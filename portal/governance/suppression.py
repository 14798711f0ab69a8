"""Small counts never leave: primary suppression below the threshold, and complementary suppression
so that no hidden count can be worked out from the totals published beside it.

The model of what a reader can do, which `protect` defeats and tests/test_suppression.py checks with
linear programming: they know every relation "a place = the sum of its parts", every published
value, that a "<k" cell lies in 0..k-1, and, since the rules are public, that a cell hidden as a
complement is at least k. A hidden value is recovered when those facts leave it a single value.
"""
from __future__ import annotations

import enum
from collections.abc import Hashable, Mapping, Sequence
from math import inf
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


class Mark(enum.StrEnum):
    SHOWN = "shown"  # the exact value is published
    SMALL = "small"  # primary: below the threshold, published as "<k"
    HIDDEN = "hidden"  # complementary: at least k, hidden so that a small one cannot be worked out


def derived_mark(*marks: Mark) -> Mark:
    """A share, rate or target progress computed from cells is shown only if all of them are."""
    return Mark.SHOWN if all(mark == Mark.SHOWN for mark in marks) else Mark.HIDDEN


def protect(values: Mapping[K, int], children: Mapping[K, Sequence[K]], threshold: int,
            fixed: Mapping[K, Mark] | None = None) -> dict[K, Mark]:
    """A mark for every node in `values`. `children` maps a parent to the parts it sums; `fixed`
    holds marks decided in another table that must not change. Deterministic: the same cell on a
    facilitator's page, a coordinator's, an export and open data always carries the same mark."""
    fixed = dict(fixed or {})
    marks = {node: Mark.SMALL if value < threshold else Mark.SHOWN for node, value in values.items()}
    marks.update({node: mark for node, mark in fixed.items() if node in marks})
    relations = [(parent, [kid for kid in kids if kid in values])
                 for parent, kids in children.items() if parent in values and kids]
    order = {node: index for index, node in enumerate(values)}
    # Each round adds one complement where a value can still be worked out; it ends because every
    # round hides one more cell and there are finitely many.
    while True:
        exposed = _first_exposed(values, relations, marks, threshold)
        if exposed is None:
            return marks
        complement = _complement(exposed, values, relations, marks, fixed, order)
        if complement is None:
            return marks  # only fixed cells are left to hide: the other table decided
        marks[complement] = Mark.HIDDEN


def _bounds(values, marks, threshold) -> dict:
    """What a reader knows of each cell before using the relations."""
    return {node: ((values[node], values[node]) if mark == Mark.SHOWN
                   else (0, threshold - 1) if mark == Mark.SMALL else (threshold, inf))
            for node, mark in marks.items()}


def _tighten(bounds: dict, relations) -> None:
    """Propagate each relation "parent - sum(kids) = 0" into every cell's interval until nothing
    changes: the reasoning a reader can do, one relation at a time."""
    changed = True
    while changed:
        changed = False
        for parent, kids in relations:
            terms = [(parent, 1)] + [(kid, -1) for kid in kids]
            lows = [min(s * bounds[c][0], s * bounds[c][1]) for c, s in terms]
            highs = [max(s * bounds[c][0], s * bounds[c][1]) for c, s in terms]
            low_total, high_total = _total(lows), _total(highs)
            for index, (cell, sign) in enumerate(terms):
                low_rest = _without(low_total, lows, index)
                high_rest = _without(high_total, highs, index)
                # sign * cell = -(rest)
                low, high = (-high_rest, -low_rest) if sign == 1 else (low_rest, high_rest)
                new = (max(bounds[cell][0], low), min(bounds[cell][1], high))
                if new != bounds[cell]:
                    bounds[cell] = new
                    changed = True


def _total(numbers: list) -> tuple:
    """A sum that can take one infinite term back out: (finite part, how many +inf, how many -inf)."""
    finite = sum(n for n in numbers if n not in (inf, -inf))
    return finite, numbers.count(inf), numbers.count(-inf)


def _without(total: tuple, numbers: list, index: int) -> float:
    finite, plus, minus = total
    n = numbers[index]
    if n == inf:
        plus -= 1
    elif n == -inf:
        minus -= 1
    else:
        finite -= n
    return inf if plus else -inf if minus else finite


def _first_exposed(values, relations, marks, threshold):
    """The first suppressed cell (in input order) a reader could pin to one value, or None."""
    if all(mark == Mark.SHOWN for mark in marks.values()):
        return None
    bounds = _bounds(values, marks, threshold)
    # Relations with nothing suppressed teach a reader nothing new.
    _tighten(bounds, [(p, kids) for p, kids in relations
                      if marks[p] != Mark.SHOWN or any(marks[kid] != Mark.SHOWN for kid in kids)])
    for node, mark in marks.items():
        if mark != Mark.SHOWN and bounds[node][0] >= bounds[node][1]:
            return node
    return None


def _complement(exposed, values, relations, marks, fixed, order):
    """Which cell to hide next to protect `exposed`: its smallest shown sibling (least lost), else a
    shown child of it, else the shown parent above it."""
    def hideable(node):
        return marks[node] == Mark.SHOWN and node not in fixed

    def smallest(nodes):
        candidates = [node for node in nodes if hideable(node)]
        return min(candidates, key=lambda node: (values[node], order[node])) if candidates else None

    for parent, kids in relations:
        if exposed in kids:
            choice = smallest([kid for kid in kids if kid != exposed])
            if choice is not None:
                return choice
    for parent, kids in relations:
        if parent == exposed:
            choice = smallest(kids)
            if choice is not None:
                return choice
    for parent, kids in relations:
        if exposed in kids and hideable(parent):
            return parent
    # Everything next to it is hidden already but the pinning comes from further away: hide the
    # smallest shown cell anywhere in a relation that touches a suppressed cell.
    touching = [node for parent, kids in relations for node in (parent, *kids)
                if any(marks[c] != Mark.SHOWN for c in (parent, *kids))]
    return smallest(touching)
