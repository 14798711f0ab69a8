"""Small counts never leave: primary suppression below the threshold k, and complementary suppression
so that nothing published narrows a small count beyond "<k".

The reader we defeat (tests/test_suppression.py plays them with linear programming) knows every sum
the published tables take part in, every published value, that a "<k" cell lies in 0..k-1 and that
a hidden cell is some count, small or not. A small cell is safe when those facts still allow every
value from 0 to k-1; a complement when they allow two values. "Hidden" says nothing of the size
because it is true: where "<k" would give a small cell away (two small parts of a total known to be
k or more: each is at least 1), it and the small cells beside it are published as "hidden" instead.
(Were a hidden cell known to be at least k, a neighbourhood with nobody in a month would need a
partner of 2k-1 or more to stay open over 0..k-1, and in sparse months the city's totals would go.)

The tables are a grid: rows (places) with their sums, a forest, times columns (a quarter, its months
and the months' breakdowns) with theirs, another forest; every row and every column is a table. The
sums of one forest are the flow-conservation equations of a small graph (one vertex per parent, one
"outside" vertex; each node is an edge from its parent's vertex, or outside, to its own vertex, or
outside if it is a leaf), so a cycle in that graph changes its nodes without breaking a sum. A cycle
of rows times a cycle of columns changes every cell of the product and keeps every row and column
sum: values agreeing with everything published. For each cell that must stay hidden we push such
product cycles through it (cheapest first, Dijkstra: a shown cell costs its value, a hidden one
nothing) until it can reach 0 and k-1 (a complement: one more or one less) without any cell leaving
what the reader knows of it, and hide the shown cells they cross. Hiding more only gives the reader
more possibilities, so cells protected earlier stay protected.
"""
from __future__ import annotations

import enum
import heapq
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from math import inf
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


class Mark(enum.StrEnum):
    SHOWN = "shown"  # the exact value is published
    SMALL = "small"  # primary: below the threshold, published as "<k"
    HIDDEN = "hidden"  # not published, so that a small one cannot be worked out: any number, small or not


class DisclosureError(ValueError):
    """No way was found to keep `cells` as open as the rule asks: the tables cannot be published
    as they stand (it happens with fixed shown cells or a threshold of 2)."""

    def __init__(self, cells: list) -> None:
        super().__init__(f"cannot be protected: {cells!r}")
        self.cells = cells


class MarkConflict(ValueError):
    """A mark fixed by another table disagrees with the value here ("<k" over a count of k or more):
    the two tables were counted from different data, so neither may be published as it stands."""


def derived_mark(*marks: Mark) -> Mark:
    """A share, rate or target progress computed from cells is shown only if all of them are."""
    return Mark.SHOWN if all(mark == Mark.SHOWN for mark in marks) else Mark.HIDDEN




class _Forest:
    """One dimension's sums as a graph: vertex i is node i as a parent, vertex n is outside; node i
    is the edge tail[i] -> head[i]. Nodes are ranked by repr so that ties never depend on order."""

    def __init__(self, nodes, children: Mapping) -> None:
        self.nodes = sorted(nodes, key=repr)
        self.rank = {node: i for i, node in enumerate(self.nodes)}
        n = len(self.nodes)
        self.tail, self.head = [n] * n, [n] * n
        for parent, kids in children.items():
            if not kids:
                continue
            self.head[self.rank[parent]] = self.rank[parent]
            for kid in kids:
                if self.tail[self.rank[kid]] != n:
                    raise ValueError(f"{kid!r} has two parents")
                self.tail[self.rank[kid]] = self.rank[parent]
        self.incident: list[list[int]] = [[] for _ in range(n + 1)]
        for node in range(n):
            if self.tail[node] != self.head[node]:  # a lone root without children is in no sum
                self.incident[self.tail[node]].append(node)
                self.incident[self.head[node]].append(node)

    def cycle(self, target: int, sign: int, passable, cost) -> list[tuple[int, int]] | None:
        """The cheapest nodes that let `target` move by `sign` with every sum kept: [(node, its move
        relative to the target's)], empty for a node in no sum, None when there is no way.
        passable(node, move) says whether the node may move by move = +1 or -1."""
        start, goal = self.head[target], self.tail[target]  # one more in the target flows back
        dist, via = {start: 0.0}, {}
        queue = [(0.0, start)]
        while queue:
            spent, vertex = heapq.heappop(queue)
            if vertex == goal:
                break
            if spent > dist[vertex]:
                continue
            for node in self.incident[vertex]:
                if node == target:
                    continue
                relative, to = (1, self.head[node]) if self.tail[node] == vertex else (-1, self.tail[node])
                if not passable(node, sign * relative):
                    continue
                new = spent + cost(node)
                if new < dist.get(to, inf):
                    dist[to], via[to] = new, (node, relative)
                    heapq.heappush(queue, (new, to))
        if goal not in dist:
            return None
        path, vertex = [], goal
        while vertex != start:
            node, relative = via[vertex]
            path.append((node, relative))
            vertex = self.tail[node] if relative == 1 else self.head[node]
        return path


def _ancestors(forest: _Forest, node: int) -> list[int]:
    found = []
    while forest.tail[node] != len(forest.nodes):
        node = forest.tail[node]
        found.append(node)
    return found


def protect_grid(values: Mapping[tuple[R, C], int], rows: Mapping[R, Sequence[R]],
                 columns: Mapping[C, Sequence[C]], threshold: int,
                 fixed: Mapping[tuple[R, C], Mark] | None = None) -> dict[tuple[R, C], Mark]:
    """A mark for every (row, column) cell in `values`. `rows` and `columns` map a parent to the parts
    it sums (forests; a node without an entry is a leaf). A cell missing from `values` is published as
    zero (a language nobody in that place uses). `fixed` holds marks decided elsewhere; they do not
    change, and a fixed shown cell is never taken as a complement.

    Deterministic whatever the order of the mappings, so the same cell carries the same mark on every
    page. Raises DisclosureError when no marking found protects the tables, and MarkConflict when a
    fixed mark does not fit its value."""
    if threshold < 2:
        raise ValueError("a threshold below 2 would publish zeros as \"<1\"")
    fixed = fixed or {}
    if unknown := [cell for cell in fixed if cell not in values]:
        raise ValueError(f"fixed marks for unknown cells: {unknown!r}")
    across = _Forest({r for r, _ in values} | set(rows) | {kid for kids in rows.values() for kid in kids}, rows)
    down = _Forest({c for _, c in values} | set(columns) | {kid for kids in columns.values() for kid in kids},
                   columns)
    width = len(down.nodes)
    size = len(across.nodes) * width
    count, marks = [0] * size, [Mark.SHOWN] * size
    movable = [False] * size  # cells not in `values` are known zeros
    free = [False] * size  # whose mark may still change
    for (row, column), value in values.items():
        if value < 0:
            raise ValueError(f"{(row, column)!r}: a count cannot be {value}")
        cell = across.rank[row] * width + down.rank[column]
        small = value < threshold
        mark = fixed.get((row, column), Mark.SMALL if small else Mark.SHOWN)
        if (mark == Mark.SMALL) != small:
            raise MarkConflict(f"{(row, column)!r}: {value} cannot be marked {mark}")
        count[cell], marks[cell] = value, mark
        movable[cell] = fixed.get((row, column)) != Mark.SHOWN
        free[cell] = (row, column) not in fixed
    # A total whose parts are all known zeros is a known zero too (a place where nobody took part
    # lists no language): nothing to protect, and it cannot move.
    parts: dict[int, list[int]] = defaultdict(list)
    for node in range(width):
        if down.tail[node] != width:
            parts[down.tail[node]].append(node)
    for column in sorted(parts, key=lambda node: -len(_ancestors(down, node))):  # the deepest first
        for row in range(len(across.nodes)):
            if all(not movable[row * width + part] for part in parts[column]):
                movable[row * width + column] = free[row * width + column] = False
    # How far each cell can move up and down within what the reader knows of it once it is hidden:
    # "<k" is 0..k-1, "hidden" any count. A cell that may still be hidden is judged as hidden.
    room_up = [(threshold - 1 - count[c] if marks[c] == Mark.SMALL else inf) if movable[c] else 0
               for c in range(size)]
    room_down = [count[c] if movable[c] else 0 for c in range(size)]
    pushed: dict[int, int] = {}  # what the cycles pushed so far for the current target moved

    def room(cell: int, move: int) -> float:
        return room_up[cell] - pushed.get(cell, 0) if move > 0 else room_down[cell] + pushed.get(cell, 0)

    def cost(cells) -> float:
        return sum(count[cell] for cell in cells if marks[cell] == Mark.SHOWN)

    def product(row: int, column: int, move: int, least: float) -> list[tuple[int, int]] | None:
        """Cells and moves of a product of cycles through (row, column), or None: first the columns'
        cycle along this row, then the rows' cycle that carries it; else the other way round. Every
        cell on it can move at least `least`."""
        for swap in (False, True):
            first, second = (across, down) if swap else (down, across)
            own, other = (row, column) if swap else (column, row)

            def at(a: int, b: int) -> int:  # the cell of node a of the first forest and b of the second
                return a * width + b if swap else b * width + a
            path = first.cycle(own, move, lambda node, m: room(at(node, other), m) >= least,
                               lambda node: cost([at(node, other)]))
            if path is None:
                continue
            factor = [(own, 1), *path]

            def line(node: int) -> list[int]:
                return [at(a, node) for a, _ in factor]
            path = second.cycle(other, move, lambda node, m: all(
                room(cell, m * sign) >= least for cell, (_, sign) in zip(line(node), factor)),
                lambda node: cost(line(node)))
            if path is not None:
                return [(cell, move * relative * sign) for node, relative in [(other, 1), *path]
                        for cell, (_, sign) in zip(line(node), factor)]
        return None

    def push(target: int, move: int, need: float) -> bool:
        """Push cycles through `target` until it can move `need` units by `move`; False if it cannot."""
        pushed.clear()
        row, column = divmod(target, width)
        while need > 0:
            # One cycle that carries it all hides fewer cells than several that carry a part each.
            found = product(row, column, move, need) or need > 1 and product(row, column, move, 1)
            if not found:
                return False
            step = min(need, *(room(cell, m) for cell, m in found))
            for cell, m in found:
                pushed[cell] = pushed.get(cell, 0) + m * step
                if marks[cell] == Mark.SHOWN:
                    marks[cell] = Mark.HIDDEN
            need -= step
        return True

    def related(forest: _Forest, node: int) -> list[int]:
        """The node and those it shares a sum with: its parent, siblings and parts."""
        return [node, *(other for vertex in (forest.tail[node], forest.head[node]) if vertex != len(forest.nodes)
                        for other in forest.incident[vertex])]

    def around(target: int, widely: bool) -> list[int]:
        """The cells beside `target` in its row's and column's sums; `widely`: the whole block of
        the rows and columns it shares a sum with, and all those above them."""
        row, column = divmod(target, width)
        rows_near, columns_near = related(across, row), related(down, column)
        if widely:
            rows_near += _ancestors(across, row)
            columns_near += _ancestors(down, column)
        if widely:
            return [r * width + c for r in rows_near for c in columns_near]
        return [r * width + column for r in rows_near] + [row * width + c for c in columns_near]

    def withhold(cells: list[int]) -> bool:
        """Publish these small cells as "hidden" instead: the reader then knows nothing of them."""
        cells = [c for c in cells if marks[c] == Mark.SMALL and free[c]]
        for cell in cells:
            room_up[cell], room_down[cell], marks[cell] = inf, count[cell], Mark.HIDDEN
        return bool(cells)

    for target in [c for c in range(size) if marks[c] != Mark.SHOWN and movable[c]]:
        small = count[target] < threshold
        while True:
            if small:  # every value from 0 to k-1
                safe = push(target, 1, threshold - 1 - count[target]) and push(target, -1, count[target])
            else:  # a complement: one more or one less
                safe = push(target, 1, 1) or room_down[target] > 0 and push(target, -1, 1)
            # A small cell that "<k" would give away, say one of two under a total of k or more, is
            # published as "hidden" with the small ones beside it; so "hidden" may be small too.
            if safe or not small or not (withhold(around(target, False)) or withhold(around(target, True))
                                         or withhold(list(range(size)))):
                break
        if not safe:
            raise DisclosureError([(across.nodes[target // width], down.nodes[target % width])])
    return {(row, column): marks[across.rank[row] * width + down.rank[column]] for row, column in values}


def protect(values: Mapping[K, int], children: Mapping[K, Sequence[K]], threshold: int,
            fixed: Mapping[K, Mark] | None = None) -> dict[K, Mark]:
    """protect_grid for one table: `children` maps a parent to the parts it sums."""
    try:
        marks = protect_grid({(node, None): value for node, value in values.items()}, children, {}, threshold,
                             {(node, None): mark for node, mark in (fixed or {}).items()})
    except DisclosureError as error:
        raise DisclosureError([node for node, _ in error.cells]) from None
    return {node: mark for (node, _), mark in marks.items()}
