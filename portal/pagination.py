"""Page numbers from the query string: anything odd is page 1, never an error or a huge OFFSET."""
from flask import request

MAX_PAGE = 10_000


def page_number() -> int:
    value = request.args.get("page", "1")
    if not value.isdigit():
        return 1
    return min(max(int(value), 1), MAX_PAGE)
