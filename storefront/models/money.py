"""Field options shared by the storefront models."""

MONEY = {"max_digits": 14, "decimal_places": 2}
