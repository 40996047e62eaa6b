from django.apps import AppConfig
from django.utils.translation import gettext

from pricing_engine.core import errors


class PricingEngineConfig(AppConfig):
    name = "pricing_engine"
    verbose_name = "Pricing"

    def ready(self):
        # The pure core's messages for a dealer (bad lines, vouchers) in the request's language.
        errors.use_translation(gettext)
