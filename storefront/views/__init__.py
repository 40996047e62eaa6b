"""The dealer storefront's server-rendered pages."""

from .auth import LoginView, LogoutView
from .cart import cart, cart_add, cart_remove, cart_update, cart_voucher_apply, cart_voucher_remove
from .catalog import catalog, product
from .checkout import checkout
from .orders import order_detail, orders

__all__ = [
    "LoginView",
    "LogoutView",
    "cart",
    "cart_add",
    "cart_remove",
    "cart_update",
    "cart_voucher_apply",
    "cart_voucher_remove",
    "catalog",
    "checkout",
    "order_detail",
    "orders",
    "product",
]
