"""A web worker draws one throw-away chart when it starts (operations/gunicorn_conf.py), so
the first dashboard a reader opens does not pay for loading the fonts."""

from unittest import mock

from django.core.cache import cache

from insights import charts
from operations import gunicorn_conf


def test_the_worker_start_hook_draws_a_chart_and_caches_nothing():
    cache.clear()
    with mock.patch.object(charts, "_draw", wraps=charts._draw) as draw, mock.patch.object(cache, "set") as cache_set:
        gunicorn_conf.post_worker_init(worker=None)
    assert draw.call_count == 1
    assert draw.call_args.args[0].title == "warm-up" and list(draw.call_args.args[0].labels) == ["a", "b"]
    assert cache_set.call_count == 0  # nothing a reader could be shown
    # Real charts are drawn and cached as before.
    svg = charts.render_svg(charts.Chart(title="Sales", labels=("Jan",), series=(charts.Series("GBP", (3,)),)))
    assert svg.startswith("<svg") and "Sales" in svg
