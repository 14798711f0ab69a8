"""Pagination: page numbers from the query string (anything odd is page 1, never an error or a
huge OFFSET), and pages fetched with one extra row to know whether another follows."""
from flask import request

from portal.numbers import parse_int, too_many_digits

MAX_PAGE = 10_000


def page_slice(statement, page: int, per_page: int):
    """One page of `statement`, plus one row to tell whether another page follows."""
    return statement.offset((page - 1) * per_page).limit(per_page + 1)


def split_page(rows, per_page: int) -> tuple[list, bool]:
    """The rows of a `page_slice`: the page itself, and whether there is a next one."""
    return list(rows[:per_page]), len(rows) > per_page


def page_number() -> int:
    value = request.args.get("page", "1")
    if too_many_digits(value):
        return MAX_PAGE  # far past the last page: an empty one, as any page past the end
    return min(parse_int(value, min=1) or 1, MAX_PAGE)
