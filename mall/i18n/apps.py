from django.apps import AppConfig


class I18nConfig(AppConfig):
    """The translation tooling: `update_translations` and `compile_translations` (no GNU gettext)."""

    name = "mall.i18n"
    label = "mall_i18n"
    verbose_name = "Translations"
