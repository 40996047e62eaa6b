"""Carts, orders (with a frozen snapshot of every price) and returns, one module each."""

from storefront.models.carts import Cart, CartLine
from storefront.models.money import MONEY
from storefront.models.order_lists import OrderList, OrderListLine
from storefront.models.orders import Order, OrderLine
from storefront.models.payments import Payment, Refund, StripeEvent
from storefront.models.returns import Return, ReturnLine
from storefront.models.shipments import Shipment, ShipmentLine

__all__ = ["MONEY", "Cart", "CartLine", "Order", "OrderLine", "OrderList", "OrderListLine", "Payment", "Refund", "StripeEvent", "Return", "ReturnLine", "Shipment", "ShipmentLine"]
