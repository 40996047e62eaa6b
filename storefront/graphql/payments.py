"""Payments in the storefront API: an order's payments and refunds, and the card session a
client hands to Stripe.js. Only the viewer's own company's orders; another's is not found."""

import graphene

from mall.errors import DomainError
from mall.graphql_types import Error, Money, clean_key, errors_from, money
from partners.graphql.viewer import dealer_problem, require_dealer, viewer_company
from storefront.models import Order as OrderModel
from storefront.models import Payment as PaymentModel
from storefront.models import Refund as RefundModel
from storefront.services.card_payments import card_session
from storefront.services.payments import card_payment_for

PaymentStatusEnum = graphene.Enum.from_enum(PaymentModel.Status, name="PaymentStatus")
RefundStatusEnum = graphene.Enum.from_enum(RefundModel.Status, name="RefundStatus")
OrderPaymentStatusEnum = graphene.Enum.from_enum(OrderModel.PaymentStatus, name="OrderPaymentStatus")


class Refund(graphene.ObjectType):
    amount = graphene.Field(Money, required=True)
    status = graphene.Field(RefundStatusEnum, required=True)
    reason = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_amount(root, info):
        return money(root.amount, root.currency)


class Payment(graphene.ObjectType):
    method = graphene.String(required=True, description="on_account, bank_transfer, card or rebate_credit.")
    amount = graphene.Field(Money, required=True)
    status = graphene.Field(PaymentStatusEnum, required=True)
    captured = graphene.Field(Money, required=True, description="What arrived.")
    refunded = graphene.Field(Money, required=True, description="What went or is going back.")
    failure_message = graphene.String(required=True, description="Why the last card attempt failed, else empty.")
    refunds = graphene.List(graphene.NonNull(Refund), required=True)

    @staticmethod
    def resolve_amount(root, info):
        return money(root.amount, root.currency)

    @staticmethod
    def resolve_captured(root, info):
        return money(root.captured_amount, root.currency)

    @staticmethod
    def resolve_refunded(root, info):
        return money(root.refunded_amount, root.currency)

    @staticmethod
    def resolve_refunds(root, info):
        return root.refunds.all()  # prefetched


class OrderPayments(graphene.ObjectType):
    number = graphene.String(required=True)
    payment_status = graphene.Field(OrderPaymentStatusEnum, required=True)
    payments = graphene.List(graphene.NonNull(Payment), required=True)

    @staticmethod
    def resolve_payments(root, info):
        return root.payments.all()  # prefetched


def _own_order(company, number):
    number = clean_key(number, 32)
    return OrderModel.objects.filter(company=company, number=number).first() if number else None


class PaymentsQuery(graphene.ObjectType):
    order_payments = graphene.Field(OrderPayments, number=graphene.String(required=True))

    @staticmethod
    def resolve_order_payments(root, info, number):
        _, company = require_dealer(info)
        number = clean_key(number, 32)
        if not number:
            return None
        return OrderModel.objects.filter(company=company, number=number).prefetch_related("payments__refunds").first()


class OrderCardPayment(graphene.Mutation):
    """The client secret of the order's card PaymentIntent, for Stripe.js (made on first call;
    the same one every time after). NOT_FOUND for an order that is not yours or not by card."""

    class Arguments:
        number = graphene.String(required=True)

    client_secret = graphene.String()
    publishable_key = graphene.String()
    amount = graphene.Field(Money)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, number):
        problem = dealer_problem(info)
        if problem:
            return OrderCardPayment(errors=[Error(field=None, code=problem[0], message=problem[1])])
        order = _own_order(viewer_company(info), number)
        payment = card_payment_for(order) if order else None
        if payment is None:
            return OrderCardPayment(errors=[Error(field="number", code="NOT_FOUND", message="No card order with this number.")])
        try:
            session = card_session(payment)
        except DomainError as exc:
            return OrderCardPayment(errors=errors_from(exc))
        return OrderCardPayment(
            client_secret=session.client_secret,
            publishable_key=session.publishable_key,
            amount=money(payment.amount, payment.currency),
            errors=[],
        )


class PaymentsMutation(graphene.ObjectType):
    order_card_payment = OrderCardPayment.Field()
