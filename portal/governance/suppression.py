"""Small counts never leave: primary suppression below the threshold k, and complementary suppression
so that no hidden count can be worked out from what is published beside it.

The reader we defeat (tests/test_suppression.py plays them with linear programming) knows the place
tree and that every place is the sum of its parts, every published value, that a "<k" cell lies in
0..k-1 and, since these rules are public, that a cell hidden as a complement is at least k. A hidden
value is recovered when those facts leave it a single possible value.

How: the relations "parent = sum of children" over a forest are the flow-conservation equations of a
small graph (one vertex per parent, one "outside" vertex; each cell is an edge from its parent's
vertex, or outside, to its own vertex, or outside if it is a leaf). Any set of values that agrees
with everything published is the true one plus a circulation through hidden cells, so a hidden cell
can take another value exactly when some cycle through it can carry one unit up or down within the
bounds the reader knows. For each cell that must stay hidden we look for the cheapest such cycle
(Dijkstra; a shown cell costs its value, an already hidden one nothing) and hide the shown cells on
it. Hiding more only gives the reader more possibilities, so cells protected earlier stay protected,
and every complement lies on its own cycle, so it is never recovered either.
"""
from __future__ import annotations

import enum
import heapq
from collections.abc import Hashable, Mapping, Sequence
from math import inf
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


class Mark(enum.StrEnum):
    SHOWN = "shown"  # the exact value is published
    SMALL = "small"  # primary: below the threshold, published as "<k"
    HIDDEN = "hidden"  # complementary: at least k, hidden so that a small one cannot be worked out


class DisclosureError(ValueError):
    """Even hiding every cell that may be hidden leaves `cells` with a single possible value: the
    table cannot be published (it happens only with fixed shown cells or a threshold of 2)."""

    def __init__(self, cells: list) -> None:
        super().__init__(f"cannot be protected: {cells!r}")
        self.cells = cells


class MarkConflict(ValueError):
    """A mark fixed by another table disagrees with the value here ("<k" over a count of k or more):
    the two tables were counted from different data, so neither may be published as it stands."""


def derived_mark(*marks: Mark) -> Mark:
    """A share, rate or target progress computed from cells is shown only if all of them are."""
    return Mark.SHOWN if all(mark == Mark.SHOWN for mark in marks) else Mark.HIDDEN


def protect(values: Mapping[K, int], children: Mapping[K, Sequence[K]], threshold: int,
            fixed: Mapping[K, Mark] | None = None) -> dict[K, Mark]:
    """A mark for every node in `values`. `children` maps a parent to the parts it sums (a forest;
    a node without an entry is a leaf). `fixed` holds marks decided in another table, such as a total
    published there; they do not change and a fixed shown cell is never taken as a complement.

    Deterministic whatever the order of the mappings: nodes are ranked by repr and every tie goes to
    the lower rank, so the same cell on a facilitator's page, a coordinator's, an export and the open
    data carries the same mark. Raises DisclosureError when no marking can protect the table, and
    MarkConflict when a fixed mark does not fit its value."""
    if threshold < 2:
        raise ValueError("a threshold below 2 would publish zeros as \"<1\"")
    fixed = fixed or {}
    if unknown := [node for node in fixed if node not in values]:
        raise ValueError(f"fixed marks for unknown nodes: {unknown!r}")
    nodes = sorted(values, key=repr)
    rank = {node: i for i, node in enumerate(nodes)}
    count = [values[node] for node in nodes]
    marks = []
    for node, value in zip(nodes, count):
        small = value < threshold
        mark = fixed.get(node, Mark.SMALL if small else Mark.SHOWN)
        if value < 0:
            raise ValueError(f"{node!r}: a count cannot be {value}")
        if (mark == Mark.SMALL) != small:
            raise MarkConflict(f"{node!r}: {value} cannot be marked {mark}")
        marks.append(mark)

    # The graph: vertex i for parent i, vertex n outside; cell i is the edge tail[i] -> head[i].
    n = len(nodes)
    tail, head = [n] * n, [n] * n
    for parent, kids in children.items():
        if not kids:
            continue
        head[rank[parent]] = rank[parent]
        for kid in kids:
            if tail[rank[kid]] != n:
                raise ValueError(f"{kid!r} has two parents")
            tail[rank[kid]] = rank[parent]
    incident: list[list[int]] = [[] for _ in range(n + 1)]
    for cell in range(n):
        if tail[cell] != head[cell]:  # a lone root without children is in no relation
            incident[tail[cell]].append(cell)
            incident[head[cell]].append(cell)
    # Whether a unit may pass up or down through a cell, within what the reader knows of it once it
    # is hidden: "<k" is 0..k-1, a complement k or more, a fixed shown cell exactly its value. These
    # never change, because a cell that may still be hidden is already judged as hidden.
    movable = [not (node in fixed and fixed[node] == Mark.SHOWN) for node in nodes]
    ceiling = [threshold - 1 if mark == Mark.SMALL else inf for mark in marks]
    floor = [0 if mark == Mark.SMALL else threshold for mark in marks]
    up = [movable[c] and count[c] < ceiling[c] for c in range(n)]
    down = [movable[c] and count[c] > floor[c] for c in range(n)]

    def cheapest_path(start: int, goal: int, skip: int) -> tuple[float, list[int]] | None:
        """Dijkstra over the cells a unit can pass through, except `skip` (the cell it must close a
        cycle with): (cost, cells on the path) or None when no path exists."""
        dist, via = [inf] * (n + 1), [-1] * (n + 1)
        dist[start] = 0
        queue = [(0, start)]
        while queue:
            cost, vertex = heapq.heappop(queue)
            if vertex == goal:
                break
            if cost > dist[vertex]:
                continue
            for cell in incident[vertex]:
                if cell == skip:
                    continue
                if tail[cell] == vertex and up[cell]:
                    to = head[cell]
                elif head[cell] == vertex and down[cell]:
                    to = tail[cell]
                else:
                    continue
                new = cost + (count[cell] if marks[cell] == Mark.SHOWN else 0)
                if new < dist[to]:
                    dist[to], via[to] = new, cell
                    heapq.heappush(queue, (new, to))
        if dist[goal] == inf:
            return None
        path, vertex = [], goal
        while vertex != start:
            cell = via[vertex]
            path.append(cell)
            vertex = tail[cell] if head[cell] == vertex else head[cell]
        return dist[goal], path

    # Cells that must stay hidden: the small ones and those another table hid.
    for target in [c for c in range(n) if marks[c] != Mark.SHOWN]:
        # One more in the target means one more flowing back from its head to its tail.
        cycles = [path for path in (
            cheapest_path(head[target], tail[target], target) if up[target] else None,
            cheapest_path(tail[target], head[target], target) if down[target] else None,
        ) if path is not None]
        if not cycles:  # even with every possible complement hidden
            raise DisclosureError([nodes[target]])
        for cell in min(cycles, key=lambda found: found[0])[1]:
            if marks[cell] == Mark.SHOWN:
                marks[cell] = Mark.HIDDEN
    return {node: marks[rank[node]] for node in values}
