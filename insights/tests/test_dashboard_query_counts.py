"""Query counts of every dashboard page, pinned: computed (empty cache) and from the cache
(every reader after the first of a refresh). A change that adds a query per row, or reads
the facts again on a cached page, shows here first."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import services
from insights.reports import DASHBOARDS

pytestmark = pytest.mark.django_db

# From the cache, every dashboard: session, user, the user's permissions (2), the latest day
# with sales (default period), the facts' version (2), the last refresh shown on the page,
# and the region, tier and category choices of the filter form = 11. With an empty cache,
# the dashboard's own grouped reads of the facts come on top (and its names looked up).
WARM = 11
COLD = {"sales": 12, "regions": 13, "products": 17, "dealers": 16, "movers": 16, "quiet": 12, "promotions": 14, "returns": 14}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_every_dashboard_page_runs_a_pinned_number_of_queries(client, world, analyst):
    services.refresh_changed_days()
    client.force_login(analyst)
    cold, warm = {}, {}
    for slug in DASHBOARDS:
        cache.clear()
        cold[slug] = _count(client, f"/admin/insights/{slug}/")
        warm[slug] = _count(client, f"/admin/insights/{slug}/")
    assert cold == COLD
    assert set(warm.values()) == {WARM}
