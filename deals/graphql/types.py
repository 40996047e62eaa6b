"""Deal shapes of the dealer API. What the dealer sees of a duplicate is `duplicateWarning`:
that one exists, never which deal or dealer holds it."""

from decimal import Decimal

import graphene

from deals import selectors
from deals.models import Deal as DealModel
from deals.states import DEALER, allowed_actions
from mall.graphql_types import CountedConnection, Money, money
from partners.graphql.messages import Thread, thread_view

DEALER_VISIBLE_REASONS = ("submit", "reject", "extend", "win", "lose", "expire")
DealStateEnum = graphene.Enum("DealStateEnum", [(c.name, c.value) for c in DealModel.State])


class DealTransition(graphene.ObjectType):
    action = graphene.String(required=True)
    from_state = graphene.Field(DealStateEnum, required=True)
    to_state = graphene.Field(DealStateEnum, required=True)
    at = graphene.DateTime(required=True)
    by = graphene.String(description='Who: a user of yours, "Vendor" for vendor staff, null for the system or another dealer.')
    reason = graphene.String(required=True)

    @staticmethod
    def resolve_reason(root, info):
        # Staff notes on approvals and transfers name other deals and dealers: not the dealer's.
        return root.reason if root.action in DEALER_VISIBLE_REASONS else ""

    @staticmethod
    def resolve_by(root, info):
        if root.by is None:
            return None
        if root.by.is_staff:
            return "Vendor"
        # A user of the dealer that held the deal before a transfer stays anonymous.
        membership = getattr(root.by, "membership", None)
        return root.by.email if membership is not None and membership.company_id == root.deal.company_id else None


class AttributedOrder(graphene.ObjectType):
    number = graphene.String(required=True)
    placed_at = graphene.DateTime(required=True)
    total = graphene.Field(Money, required=True)


class Deal(graphene.ObjectType):
    """A prospect your company registered."""

    id = graphene.ID(required=True)
    state = graphene.Field(DealStateEnum, required=True)
    prospect_name = graphene.String(required=True)
    tax_number = graphene.String(required=True)
    website = graphene.String(required=True)
    contact_name = graphene.String(required=True)
    contact_email = graphene.String(required=True)
    phone = graphene.String(required=True)
    city = graphene.String(required=True)
    region = graphene.String()
    products_of_interest = graphene.String(required=True)
    expected_value = graphene.Field(Money, required=True)
    expected_close_date = graphene.Date()
    notes = graphene.String(required=True)
    protected_until = graphene.DateTime(description="Set when approved: no other dealer's claim is approved before.")
    rejection_reason = graphene.String(required=True)
    submitted_at = graphene.DateTime()
    created_at = graphene.DateTime(required=True)
    duplicate_warning = graphene.String(description="Set when the duplicate check found another registration like this one.")
    available_actions = graphene.List(graphene.NonNull(graphene.String), required=True, description="e.g. submit, win, lose.")
    transitions = graphene.List(graphene.NonNull(DealTransition), required=True)
    orders = graphene.List(graphene.NonNull(AttributedOrder), required=True, description="Orders placed for this prospect.")
    attributed_value = graphene.List(graphene.NonNull(Money), required=True, description="Their total, per currency.")
    thread = graphene.Field(Thread, required=True)

    @staticmethod
    def resolve_region(root, info):
        return root.region.name if root.region_id else None

    @staticmethod
    def resolve_expected_value(root, info):
        return money(root.expected_value, root.currency)

    @staticmethod
    def resolve_duplicate_warning(root, info):
        return selectors.CONFLICT_MESSAGE if root.state != DealModel.State.DRAFT and selectors.has_conflict(root) else None

    @staticmethod
    def resolve_available_actions(root, info):
        return allowed_actions(root.state, DEALER)

    @staticmethod
    def resolve_transitions(root, info):
        return list(root.transitions.all())

    @staticmethod
    def resolve_orders(root, info):
        rows = root.attributions.all()
        return [AttributedOrder(number=a.order.number, placed_at=a.order.placed_at, total=money(a.order.total, a.order.currency)) for a in rows]

    @staticmethod
    def resolve_attributed_value(root, info):
        # Summed from the prefetched attributions: no query per deal in a list.
        totals: dict[str, Decimal] = {}
        for row in root.attributions.all():
            totals[row.order.currency] = totals.get(row.order.currency, Decimal(0)) + row.order.total
        return [money(total, currency) for currency, total in sorted(totals.items())]

    @staticmethod
    def resolve_thread(root, info):
        return thread_view("deal", str(root.pk), root)


class DealEdge(graphene.ObjectType):
    node = graphene.Field(Deal, required=True)
    cursor = graphene.String(required=True)


class DealConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(DealEdge), required=True)


class DealInput(graphene.InputObjectType):
    prospect_name = graphene.String(required=True)
    tax_number = graphene.String()
    website = graphene.String()
    contact_name = graphene.String()
    contact_email = graphene.String()
    phone = graphene.String()
    city = graphene.String()
    region_code = graphene.String(description="A region code of the vendor's (as on your company).")
    products_of_interest = graphene.String()
    expected_value = graphene.Decimal()
    currency = graphene.String(description="Defaults to your company's currency.")
    expected_close_date = graphene.Date()
    notes = graphene.String()
