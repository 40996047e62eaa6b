from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path("enrol/", views.enrol, name="two_factor_enrol"),
    path("verify/", views.verify, name="two_factor_verify"),
]
