"""Dealer storefront pages (included at "" by mall/urls.py)."""

from django.urls import path

from storefront import views
from storefront.views import payments as payment_views

app_name = "storefront"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("products/<str:sku>/", views.product, name="product"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("cart/remove/", views.cart_remove, name="cart_remove"),
    path("cart/voucher/", views.cart_voucher_apply, name="cart_voucher_apply"),
    path("cart/voucher/remove/", views.cart_voucher_remove, name="cart_voucher_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.orders, name="orders"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/pay/", payment_views.card_payment, name="card_payment"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
