"""Query-count pins for pages: a page's SQL must not grow with the rows it shows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def assert_queries_do_not_grow(client, url, grow, *, first: int, then: int) -> None:
    """`grow(n)` adds n rows; the page at `url` answers 200 with the same number of queries
    after `first` rows as after `first + then`."""
    grow(first)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow(then)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]
