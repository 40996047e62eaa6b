"""Per endpoint, events of one aggregate (an order, a SKU in a warehouse) go out in order.

A delivery is "first in line" when no earlier delivery of the same aggregate to the same
endpoint is still open (pending or retrying, in flight included). Earlier means a lower
sequence, or the same sequence and a lower id (ids follow commit order within an aggregate,
because its writers hold the aggregate's row lock). A dead-lettered delivery no longer holds
the line: the receiver sees the gap in `sequence`, and staff replay it.
"""

from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q

from .models import Delivery

Pair = tuple[int, str]  # (endpoint id, aggregate key)


def _pairs_filter(bounds: dict[Pair, int]) -> Q:
    return reduce(
        or_,
        (Q(endpoint_id=ep, aggregate_key=key, sequence__lte=seq) for (ep, key), seq in bounds.items()),
    )


def claimable_in_order(candidates: list[Delivery]) -> list[Delivery]:
    """The candidates (locked, due) that may be sent now, each chain in (sequence, id) order:
    a candidate qualifies when every open delivery ahead of it is a qualifying candidate of
    this same batch. One query."""
    if not candidates:
        return []
    by_pair: dict[Pair, list[Delivery]] = defaultdict(list)
    for row in candidates:
        by_pair[(row.endpoint_id, row.aggregate_key)].append(row)
    bounds = {pair: max(r.sequence for r in rows) for pair, rows in by_pair.items()}
    open_rows = (
        Delivery.objects.filter(state__in=Delivery.RETRYABLE_STATES)
        .filter(_pairs_filter(bounds))
        .order_by("sequence", "id")
        .values_list("id", "endpoint_id", "aggregate_key")
    )
    candidate_ids = {row.pk for row in candidates}
    blocked: set[Pair] = set()
    allowed: set[int] = set()
    for delivery_id, endpoint_id, key in open_rows:
        pair = (endpoint_id, key)
        if pair not in by_pair or pair in blocked:
            continue
        if delivery_id in candidate_ids:
            allowed.add(delivery_id)
        else:
            blocked.add(pair)  # an earlier one is open and not ours: the rest wait
    chosen = [row for row in candidates if row.pk in allowed]
    chosen.sort(key=lambda r: (r.endpoint_id, r.sequence, r.pk))
    return chosen


def waiting_successors(finished: Iterable[Delivery], exclude: Iterable[int], now) -> list[int]:
    """Open, due deliveries of the aggregates whose head just finished (delivered or dead):
    they were waiting and may go now. One query."""
    pairs = {(row.endpoint_id, row.aggregate_key) for row in finished}
    if not pairs:
        return []
    if connection.vendor == "postgresql":
        return _successors_postgresql(sorted(pairs), list(exclude), now)
    condition = reduce(or_, (Q(endpoint_id=ep, aggregate_key=key) for ep, key in pairs))
    return list(
        Delivery.objects.filter(condition, state__in=Delivery.RETRYABLE_STATES, next_attempt_at__lte=now)
        .exclude(pk__in=list(exclude))
        .order_by("sequence", "id")
        .values_list("id", flat=True)[:500]
    )


def _successors_postgresql(pairs: list[Pair], exclude: list[int], now) -> list[int]:
    """The same in one statement built without the ORM (a batch's follow-up is a hot path:
    building the OR of one Q per aggregate cost more than running the query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id FROM {Delivery._meta.db_table} d "
            "JOIN unnest(%s::bigint[], %s::varchar[]) AS p(endpoint_id, aggregate_key) "
            "  ON d.endpoint_id = p.endpoint_id AND d.aggregate_key = p.aggregate_key "
            "WHERE d.state = ANY(%s) AND d.next_attempt_at <= %s AND NOT (d.id = ANY(%s::bigint[])) "
            "ORDER BY d.sequence, d.id LIMIT 500",
            [[ep for ep, _ in pairs], [key for _, key in pairs], list(Delivery.RETRYABLE_STATES), now, exclude],
        )
        return [row[0] for row in cursor.fetchall()]
