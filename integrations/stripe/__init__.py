"""Stripe: the API client the storefront's card payments use (client.py) and the webhook
endpoint that applies Stripe's events to payments (webhook.py)."""
