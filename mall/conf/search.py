"""Search (docs/search.md) and insights (docs/insights.md, docs/forecasting.md)."""

import os

from celery.schedules import crontab

from mall.conf.env import env_list, settings_of

# "postgres" (full-text + trigrams; the default on PostgreSQL), "elasticsearch" (needs
# ELASTICSEARCH_URL), "plain" (substring matching; the default on SQLite). docs/search.md
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "")
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX = os.environ.get("ELASTICSEARCH_INDEX", "dealermall-products")  # the alias searches read
ELASTICSEARCH_TIMEOUT_SECONDS = float(os.environ.get("ELASTICSEARCH_TIMEOUT_SECONDS", "2"))
# Edges of the price facet, in major units of the dealer's currency.
SEARCH_PRICE_RANGES = env_list("SEARCH_PRICE_RANGES", "1,2,5,10,20,50,100")
# A broader search counts its facets over the first this many matches (docs/search.md).
SEARCH_FACET_LIMIT = int(os.environ.get("SEARCH_FACET_LIMIT", "2000"))
# Live promotions built for search are kept this long per state of the promotions (any change
# of the promotions is seen at once; a renamed tier or region code after this many seconds).
SEARCH_PROMOTIONS_CACHE_SECONDS = int(os.environ.get("SEARCH_PROMOTIONS_CACHE_SECONDS", "300"))

# Added to CELERY_IMPORTS and CELERY_BEAT_SCHEDULE by mall/settings.py.
celery_imports = ["catalog.search.tasks"]
beat_schedule = {
    "search-units-sold": {
        "task": "catalog.search.refresh_units_sold",
        "schedule": float(os.environ.get("SEARCH_UNITS_SOLD_SECONDS", "3600")),
    },
    # Rebuild the sales facts of the days whose orders or returns changed (docs/insights.md).
    "insights-refresh-changed-days": {
        "task": "insights.tasks.refresh_changed_days",
        "schedule": float(os.environ.get("INSIGHTS_REFRESH_SECONDS", "300")),
    },
    # The monthly forecast from the last complete month, on the 1st at 03:30 (docs/forecasting.md).
    "insights-monthly-forecast": {
        "task": "insights.tasks.run_forecast",
        "schedule": crontab(day_of_month="1", hour="3", minute="30"),
    },
}

__all__ = settings_of(globals())
