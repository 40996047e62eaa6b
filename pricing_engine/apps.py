from django.apps import AppConfig


class PricingEngineConfig(AppConfig):
    name = "pricing_engine"
    verbose_name = "Pricing"
