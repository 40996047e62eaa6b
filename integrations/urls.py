"""Inbound integration endpoints: the ERP API (integrations/inbound/)."""

from django.urls import path

from integrations.inbound import views as inbound_views

app_name = "integrations"

urlpatterns: list = [
    path("erp/v1/<slug:operation>/", inbound_views.erp_operation, name="erp_operation"),
]
