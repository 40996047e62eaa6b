"""ERP integration: webhooks (outbox, delivery, drains), stock snapshots, the inbound ERP API
(docs/webhooks.md, integrations/)."""

import os

from mall.conf.env import settings_of

# Webhook delivery to the ERP.
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "12"))
# A failing delivery is retried with backoff until this age (from its first failure), then
# dead-lettered. WEBHOOK_MAX_ATTEMPTS above is no longer used (kept for old .env files).
WEBHOOK_MAX_AGE_SECONDS = int(os.environ.get("WEBHOOK_MAX_AGE_SECONDS", str(24 * 3600)))
# An endpoint with this many failed attempts in a row is paused and staff are alerted (0: never).
WEBHOOK_PAUSE_AFTER_FAILURES = int(os.environ.get("WEBHOOK_PAUSE_AFTER_FAILURES", "50"))
# After a secret rotation the previous secret keeps signing (a second v1=) for this long.
WEBHOOK_ROTATION_WINDOW_SECONDS = int(os.environ.get("WEBHOOK_ROTATION_WINDOW_SECONDS", str(24 * 3600)))
# At most this many deliveries are handed to a worker at once by replay/resume; the sweeper takes the rest.
WEBHOOK_DISPATCH_LIMIT = int(os.environ.get("WEBHOOK_DISPATCH_LIMIT", "1000"))
# Drains (integrations/drain.py): with a Redis broker, one task per shard sends batch after batch
# while deliveries are ready. Shards: how many drains run side by side (about the number of
# worker processes that serve webhooks; 0: one task per transaction instead). Batch: deliveries
# per claim. Seconds: a drain hands its worker over to the next task after this long. Send
# concurrency: keep-alive connections per drain to one ERP (events of one aggregate stay in
# order). The drains' "scheduled" keys live in WEBHOOK_DRAIN_REDIS_URL (default: the broker).
WEBHOOK_DRAIN_SHARDS = int(os.environ.get("WEBHOOK_DRAIN_SHARDS", "2"))
WEBHOOK_DRAIN_BATCH = int(os.environ.get("WEBHOOK_DRAIN_BATCH", "200"))
WEBHOOK_DRAIN_SECONDS = float(os.environ.get("WEBHOOK_DRAIN_SECONDS", "2"))
# A drain that finds nothing waits this long for the next commit (woken by it) before it ends.
WEBHOOK_DRAIN_IDLE_SECONDS = float(os.environ.get("WEBHOOK_DRAIN_IDLE_SECONDS", "0.5"))
WEBHOOK_SEND_CONCURRENCY = int(os.environ.get("WEBHOOK_SEND_CONCURRENCY", "4"))
WEBHOOK_DRAIN_REDIS_URL = os.environ.get("WEBHOOK_DRAIN_REDIS_URL", "")
# stock.snapshot: rows per event (how often: STOCK_SNAPSHOT_SECONDS below).
STOCK_SNAPSHOT_BATCH_SIZE = int(os.environ.get("STOCK_SNAPSHOT_BATCH_SIZE", "500"))
# Inbound ERP API: rows per bulk stock call.
ERP_STOCK_MAX_ROWS = int(os.environ.get("ERP_STOCK_MAX_ROWS", "10000"))

# Celery beat (mall/settings.py puts these in CELERY_BEAT_SCHEDULE): the sweeper hands due
# deliveries to workers; a stock.snapshot event is sent every STOCK_SNAPSHOT_SECONDS.
beat_schedule = {
    "sweep-webhook-outbox": {
        "task": "integrations.tasks.sweep_deliveries",
        "schedule": float(os.environ.get("WEBHOOK_SWEEP_SECONDS", "30")),
    },
    "stock-snapshot": {
        "task": "integrations.tasks.send_stock_snapshot",
        "schedule": float(os.environ.get("STOCK_SNAPSHOT_SECONDS", str(6 * 3600))),
    },
}

__all__ = settings_of(globals())
