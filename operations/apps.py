from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Operations"

    def ready(self):
        # Infrastructure only (request ids across processes, logging, start-up checks): no domain logic.
        from operations import checks, request_id  # noqa: F401 - registers system checks

        request_id.connect_celery_signals()
