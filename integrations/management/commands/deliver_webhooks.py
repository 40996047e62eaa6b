import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from integrations.tasks import SWEEP_BATCH_SIZE, sweep

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send due webhook deliveries (new ones whose dispatch was lost, and retries) in this "
        "process. Once, or with --loop until Ctrl-C: the demo runs it next to runserver."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep sweeping until stopped.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between sweeps (default 2)."
        )
        parser.add_argument("--batch-size", type=int, default=SWEEP_BATCH_SIZE)

    def handle(self, *args, **options):
        interval = options["interval"]
        batch_size = options["batch_size"]
        if interval <= 0 or batch_size <= 0:
            raise CommandError("--interval and --batch-size must be positive.")
        if not options["loop"]:
            found = sweep(batch_size=batch_size, in_process=True)
            self.stdout.write(f"{found} due deliveries processed.")
            return

        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(f"Delivering webhooks every {interval:g} s (Ctrl-C to stop).")
        try:
            while not stop.is_set():
                close_old_connections()
                try:
                    found = sweep(batch_size=batch_size, in_process=True)
                except DatabaseError:
                    logger.exception("webhook sweep failed; trying again in %s s", interval)
                    found = 0
                if found >= batch_size:
                    continue  # more are due: no pause
                stop.wait(interval)
        except KeyboardInterrupt:
            self.stdout.write("Interrupted.")
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write("Stopped.")
