"""The inbound ERP API as GraphQL mutations, beside the JSON endpoint (docs/integrations.md).

Each mutation turns its typed input into the very body the JSON endpoint takes and hands it to
integrations.inbound.api.call: the same app-token authentication and scopes, the same
idempotency keys (a key used on either transport answers on the other), the same per-row
errors and the same audit. A dealer's login token (JWT) is not an app token: refused.
"""

import json

import graphene
from django.core.serializers.json import DjangoJSONEncoder
from graphene.types.generic import GenericScalar

from integrations.inbound.api import call
from mall.graphql_types import api_field
from mall.graphql_view import bearer_token


class ErpRowError(graphene.ObjectType):
    """A refused row (`row` is its position in your list, from 0) or, with `row` null, a
    refusal of the whole message (UNAUTHENTICATED, TOKEN_REVOKED, SCOPE_MISSING, KEY_REUSED…)."""

    row = graphene.Int()
    field = graphene.String(description="The input field of the row at fault, camelCase as in the input (e.g. quantityOnHand).")
    code = graphene.String(required=True)
    message = graphene.String(required=True)

    @staticmethod
    def resolve_field(root, info):
        return api_field(root.field)  # the JSON endpoint's snake_case key, named as this input names it


class ErpResult(graphene.ObjectType):
    replayed = graphene.Boolean(required=True, description="True when this idempotency key was answered before: nothing changed.")
    applied_count = graphene.Int(required=True, description="Rows applied.")
    errors = graphene.List(graphene.NonNull(ErpRowError), required=True)
    answer = GenericScalar(description="The whole answer, exactly as the JSON endpoint gives it (applied rows, stale rows…).")


class ErpStockLevelInput(graphene.InputObjectType):
    sku = graphene.String(required=True)
    warehouse = graphene.String(required=True)
    quantity_on_hand = graphene.Int(required=True)
    counted_at = graphene.String(required=True, description="ISO-8601 with its UTC offset, e.g. 2026-12-01T08:00:00Z.")


class ErpShipmentLineInput(graphene.InputObjectType):
    line = graphene.Int(description="The order line number (or give `sku`).")
    sku = graphene.String()
    quantity = graphene.Int(required=True)


class ErpShipmentInput(graphene.InputObjectType):
    order = graphene.String(required=True)
    reference = graphene.String(required=True)
    carrier = graphene.String()
    tracking_numbers = graphene.List(graphene.NonNull(graphene.String))
    shipped_at = graphene.String()
    warehouse = graphene.String()
    lines = graphene.List(graphene.NonNull(ErpShipmentLineInput), required=True)


class ErpCancellationInput(graphene.InputObjectType):
    order = graphene.String(required=True)
    reason = graphene.String(required=True)


class ErpInvoiceNumberInput(graphene.InputObjectType):
    invoice = graphene.String(required=True)
    erp_number = graphene.String(required=True)


class ErpPaymentReceiptInput(graphene.InputObjectType):
    order = graphene.String(required=True)
    amount = graphene.String(required=True, description='An exact decimal in a string, e.g. "56.10".')
    method = graphene.String()
    reference = graphene.String(required=True)


class ErpListPriceInput(graphene.InputObjectType):
    sku = graphene.String(required=True)
    list_price = graphene.String(required=True, description='An exact decimal in a string, e.g. "2.65".')
    currency = graphene.String(required=True)


def _plain(value):
    """GraphQL input -> the JSON body's shape (snake_case keys; fields not given are absent)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _result(answer_body: dict) -> ErpResult:
    body = json.loads(json.dumps(answer_body, cls=DjangoJSONEncoder))
    applied = body.get("applied")
    return ErpResult(
        replayed=bool(body.get("replayed")),
        applied_count=applied if isinstance(applied, int) else len(applied or []),
        errors=[ErpRowError(row=e.get("row"), field=e.get("field"), code=e["code"], message=e["message"]) for e in body.get("errors", [])],
        answer=body,
    )


def _operation(name: str, list_name: str, input_type, description: str):
    class Arguments:
        idempotency_key = graphene.String(required=True, description="Unique per message (≤ 128 characters).")

    setattr(Arguments, list_name, graphene.List(graphene.NonNull(input_type), required=True))

    def mutate(root, info, idempotency_key, **kwargs):
        request = info.context
        payload = {list_name: _plain(kwargs[list_name])}
        return _result(call(name, bearer_token(request), payload, idempotency_key, request.META.get("REMOTE_ADDR", "")).body)

    return type(
        f"Erp{input_type.__name__.removeprefix('Erp').removesuffix('Input')}s",
        (graphene.Mutation,),
        {"Arguments": Arguments, "Output": ErpResult, "mutate": staticmethod(mutate), "__doc__": description},
    )


ErpStockLevels = _operation("stock-levels", "rows", ErpStockLevelInput, "Set stock levels per SKU and warehouse (scope stock:write).")
ErpShipments = _operation("shipments", "shipments", ErpShipmentInput, "Record shipments (scope orders:write).")
ErpCancellations = _operation("cancellations", "cancellations", ErpCancellationInput, "Cancel orders (scope orders:write).")
ErpInvoiceNumbers = _operation("invoice-numbers", "invoices", ErpInvoiceNumberInput, "Set the ERP's invoice numbers (scope billing:write).")
ErpPaymentReceipts = _operation("payment-receipts", "payments", ErpPaymentReceiptInput, "Record money received (scope billing:write).")
ErpListPrices = _operation("list-prices", "prices", ErpListPriceInput, "Update list prices (scope catalog:write).")


class ErpMutation(graphene.ObjectType):
    erp_stock_levels = ErpStockLevels.Field()
    erp_shipments = ErpShipments.Field()
    erp_cancellations = ErpCancellations.Field()
    erp_invoice_numbers = ErpInvoiceNumbers.Field()
    erp_payment_receipts = ErpPaymentReceipts.Field()
    erp_list_prices = ErpListPrices.Field()
