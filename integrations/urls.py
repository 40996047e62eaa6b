"""Inbound integration endpoints (the ERP API comes later)."""

app_name = "integrations"

urlpatterns: list = []
