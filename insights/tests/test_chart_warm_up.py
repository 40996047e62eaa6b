"""A web worker draws one throw-away chart when it starts (operations/gunicorn_conf.py), so
the first dashboard a reader opens does not pay for loading the fonts."""

from unittest import mock

from django.core.cache import cache

from insights import charts
from operations import gunicorn_conf


def test_the_worker_start_hook_draws_a_chart_and_caches_nothing():
    cache.clear()
    with mock.patch.object(charts, "_draw", wraps=charts._draw) as draw:
        gunicorn_conf.post_worker_init(worker=None)
    assert draw.call_count == 1
    drawn = draw.call_args.args[0]
    assert drawn.title == "warm-up" and list(drawn.labels) == ["a", "b"]
    # A real chart drawn after it is cached under its own key; the warm-up left nothing behind.
    svg = charts.render_svg(charts.Chart(title="Sales", labels=("Jan",), series=(charts.Series("GBP", (3,)),)))
    assert svg.startswith("<svg") and "Sales" in svg
    assert cache.get("insights-svg:" + __import__("hashlib").sha256(repr(charts.Chart(title="warm-up", labels=("a", "b"), series=(charts.Series("s", (1, 2)), charts.Series("t", (2, 1), "line")))).encode()).hexdigest()) is None
