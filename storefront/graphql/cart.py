"""The priced view of a buyer's cart (used by the `cart` query and the cart mutations)."""

from catalog.models import Variant
from mall.graphql_types import Error
from partners.models import Company
from storefront.graphql.pricing import dealer_currency, zero
from storefront.graphql.types import CartLineView, CartView, GiftLineView
from storefront.models import Cart, CartLine
from storefront.pricing import price_lines


def _for_sale(variant: Variant) -> bool:
    return variant.is_active and variant.product.is_active


def cart_view(user, company: Company) -> CartView:
    """One query for the lines (with the cart's voucher codes), then the prices (price lists,
    promotions, vouchers: a fixed number of queries whatever the number of lines)."""
    currency = dealer_currency(company)
    lines = list(
        CartLine.objects.filter(cart__user=user, cart__company=company)
        .select_related("cart", "variant__product")
        .order_by("added_at", "id")
    )
    if not lines:
        codes = Cart.objects.filter(user=user, company=company).values_list("voucher_codes", flat=True).first() or []
        return CartView(
            currency=currency, lines=[], subtotal=zero(currency), total=zero(currency),
            order_discount_total=zero(currency), voucher_codes=tuple(codes),
        )
    codes = tuple(lines[0].cart.voucher_codes or ())
    selection = price_lines(company, {line.variant: line.quantity for line in lines}, voucher_codes=codes)
    priced = selection.priced
    by_sku = {p.sku: p for p in priced.lines}
    errors = [Error(field=e.field, code=str(e.code).upper(), message=e.message) for e in priced.errors]
    errors += [
        Error(field="lines", code="NOT_FOR_SALE", message=f"{line.variant.sku} is no longer for sale; remove it.")
        for line in lines
        if not _for_sale(line.variant)
    ]
    views = []
    for line in lines:
        p = by_sku.get(line.variant.sku)
        views.append(
            CartLineView(
                sku=line.variant.sku,
                name=line.variant.display_name,
                quantity=line.quantity,
                currency=priced.currency,
                unit_price=p.unit_price if p else None,
                line_total=p.line_total if p else None,
                net_total=p.net_total if p else None,
                waterfall=p.waterfall if p else (),
                adjustments=(*p.line_adjustments, *p.order_shares) if p else (),
            )
        )
    gifts = [
        GiftLineView(sku=g.sku, name=selection.variants[g.sku].display_name if g.sku in selection.variants else g.sku, quantity=g.quantity)
        for g in priced.gift_lines
    ]
    return CartView(
        currency=priced.currency,
        lines=views,
        subtotal=priced.subtotal,
        total=priced.total,
        errors=errors,
        order_discounts=priced.order_discounts,
        order_discount_total=priced.order_discount_total,
        voucher_codes=codes,
        voucher_errors=[Error(field=e.field, code=str(e.code).upper(), message=e.message) for e in priced.voucher_errors],
        nudges=priced.nudges,
        gift_lines=gifts,
    )
