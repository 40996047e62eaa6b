"""Buyer approvals and company users in the API: `pendingApprovals`, `companyUsers`,
`orderApprove`, `orderReject`, `orderWithdraw`, `companyUserUpdate`. Every domain error of a
mutation is in `errors` ({field, code, message}); queries answer a coded error."""

from types import SimpleNamespace

import graphene

from mall.errors import DomainError
from mall.graphql_types import (
    ApiError,
    CountedConnection,
    Error,
    Money,
    clean_key,
    cursor,
    errors_from,
    money,
    paginate,
)
from partners.graphql.viewer import dealer_problem, require_dealer, viewer, viewer_company
from partners.memberships import company_members, update_membership
from partners.models import Membership
from storefront.graphql.types import Order
from storefront.models import Order as OrderModel
from storefront.services.approvals import (
    approve_order,
    can_decide,
    pending_approvals,
    reject_order,
    withdraw_order,
)

CompanyRoleEnum = graphene.Enum("CompanyRoleEnum", [(c.name, c.value) for c in Membership.Role])
MAX_REASON_INPUT = 2000  # longer input is refused by the service (TOO_LONG) after trimming


class ShipTo(graphene.ObjectType):
    """The delivery address as it was snapshotted into the order."""

    name = graphene.String()
    line1 = graphene.String()
    line2 = graphene.String()
    city = graphene.String()
    postal_code = graphene.String()
    country = graphene.String()


class OrderApproval(graphene.ObjectType):
    """An order's approval: who placed it, what the buyer wrote at checkout, and the decision."""

    number = graphene.String(required=True)
    status = graphene.String(required=True, description="pending_approval, confirmed, rejected or cancelled.")
    buyer_email = graphene.String()
    po_number = graphene.String(required=True)
    requested_delivery_date = graphene.Date()
    note = graphene.String(required=True)
    ship_to = graphene.Field(ShipTo)
    decided_by_email = graphene.String()
    decided_at = graphene.DateTime()
    rejection_reason = graphene.String(required=True)
    can_decide = graphene.Boolean(required=True, description="False for your own order (nobody decides their own).")
    order = graphene.Field(Order, required=True, description="The order with its lines and totals, as submitted.")

    @staticmethod
    def resolve_buyer_email(root, info):
        return root.user.email if root.user_id else None

    @staticmethod
    def resolve_ship_to(root, info):
        return ShipTo(**root.ship_to) if root.ship_to else None

    @staticmethod
    def resolve_decided_by_email(root, info):
        return root.approval_decided_by.email if root.approval_decided_by_id else None

    @staticmethod
    def resolve_decided_at(root, info):
        return root.approval_decided_at

    @staticmethod
    def resolve_can_decide(root, info):
        return root.status == OrderModel.Status.PENDING_APPROVAL and root.user_id != viewer(info).pk

    @staticmethod
    def resolve_order(root, info):
        return root


class OrderApprovalEdge(graphene.ObjectType):
    node = graphene.Field(OrderApproval, required=True)
    cursor = graphene.String(required=True)


class OrderApprovalConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(OrderApprovalEdge), required=True)


class CompanyUser(graphene.ObjectType):
    """A user of your company with its role and order limit (null: no limit)."""

    id = graphene.ID(required=True, description="The membership id companyUserUpdate takes.")
    email = graphene.String()
    name = graphene.String(required=True)
    role = graphene.Field(CompanyRoleEnum, required=True)
    order_limit = graphene.Field(Money, description="Orders above it wait for approval; null: no limit.")
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_id(root, info):
        return str(root.pk)

    @staticmethod
    def resolve_email(root, info):
        return root.user.email

    @staticmethod
    def resolve_name(root, info):
        return root.user.get_full_name()

    @staticmethod
    def resolve_role(root, info):
        return root.role

    @staticmethod
    def resolve_order_limit(root, info):
        return money(root.order_limit, root.company.currency)

    @staticmethod
    def resolve_is_active(root, info):
        return root.user.is_active


def _decider_or_error(info):
    user, company = require_dealer(info)
    membership = Membership.objects.filter(user_id=user.pk, company=company).first()
    if not can_decide(membership):
        raise ApiError("NOT_ALLOWED", "Only your company's approvers and admins see the orders waiting for approval.")
    return user, company


class ApprovalsQuery(graphene.ObjectType):
    pending_approvals = graphene.Field(
        OrderApprovalConnection, required=True, first=graphene.Int(), after=graphene.String(),
        description="Your company's orders waiting for approval, oldest first (approvers and admins only).",
    )
    company_users = graphene.List(
        graphene.NonNull(CompanyUser), required=True, description="Your company's users, their roles and order limits."
    )

    @staticmethod
    def resolve_pending_approvals(root, info, first=None, after=None):
        _, company = _decider_or_error(info)
        queryset = pending_approvals(company).select_related("company", "approval_decided_by")
        rows, page_info, offset = paginate(queryset, first, after)
        edges = [OrderApprovalEdge(node=order, cursor=cursor(offset + i)) for i, order in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)

    @staticmethod
    def resolve_company_users(root, info):
        _, company = require_dealer(info)
        members = company_members(company)
        for member in members:
            member.company = company  # for the limit's currency, without a query per user
        return members


class ApprovalMutation(graphene.Mutation):
    class Meta:
        abstract = True

    approval = graphene.Field(OrderApproval)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    def run(cls, info, service):
        problem = dealer_problem(info)
        if problem:
            return cls(approval=None, errors=[Error(field=None, code=problem[0], message=problem[1])])
        try:
            order = service(viewer(info), viewer_company(info))
        except DomainError as exc:
            return cls(approval=None, errors=errors_from(exc))
        order = OrderModel.objects.select_related("user", "approval_decided_by").prefetch_related("lines").get(pk=order.pk)
        return cls(approval=order, errors=[])


class OrderApprove(ApprovalMutation):
    """Approve a pending order of another buyer of your company: it is confirmed at the prices
    submitted and takes stock and credit now (INSUFFICIENT_STOCK, CREDIT_LIMIT_EXCEEDED,
    PROMOTION_BUDGET_EXHAUSTED... leave it pending). NOT_ALLOWED, OWN_ORDER, ALREADY_DECIDED, NOT_FOUND."""

    class Arguments:
        number = graphene.String(required=True)

    @classmethod
    def mutate(cls, root, info, number):
        return cls.run(info, lambda u, c: approve_order(user=u, company=c, number=clean_key(number, 40)))


class OrderReject(ApprovalMutation):
    """Reject a pending order with a reason (REQUIRED, TOO_LONG); the buyer is notified."""

    class Arguments:
        number = graphene.String(required=True)
        reason = graphene.String(required=True)

    @classmethod
    def mutate(cls, root, info, number, reason):
        text = (reason or "")[:MAX_REASON_INPUT]
        return cls.run(info, lambda u, c: reject_order(user=u, company=c, number=clean_key(number, 40), reason=text))


class OrderWithdraw(ApprovalMutation):
    """Withdraw your own pending order (it becomes cancelled; NOT_YOUR_ORDER otherwise)."""

    class Arguments:
        number = graphene.String(required=True)

    @classmethod
    def mutate(cls, root, info, number):
        return cls.run(info, lambda u, c: withdraw_order(user=u, company=c, number=clean_key(number, 40)))


class CompanyUserUpdate(graphene.Mutation):
    """Set a company user's role and/or order limit (dealer admins only; `orderLimit: null`
    removes the limit, leaving it out keeps it). NOT_ALLOWED, NOT_FOUND, LAST_ADMIN, OWN_ROLE, INVALID, NEGATIVE."""

    class Arguments:
        id = graphene.ID(required=True)
        role = CompanyRoleEnum()
        order_limit = graphene.Decimal()

    user = graphene.Field(CompanyUser)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, id, **changes):
        problem = dealer_problem(info)
        if problem:
            return CompanyUserUpdate(user=None, errors=[Error(field=None, code=problem[0], message=problem[1])])
        role = changes.get("role")
        kwargs = {"role": getattr(role, "value", role)}
        if "order_limit" in changes:
            kwargs["order_limit"] = changes["order_limit"]
        company = viewer_company(info)
        try:
            membership = update_membership(actor=viewer(info), company=company, membership_id=clean_key(id, 20), **kwargs)
        except DomainError as exc:
            return CompanyUserUpdate(user=None, errors=errors_from(exc))
        membership.company = company
        return CompanyUserUpdate(user=membership, errors=[])


class ApprovalsMutation(graphene.ObjectType):
    order_approve = OrderApprove.Field()
    order_reject = OrderReject.Field()
    order_withdraw = OrderWithdraw.Field()
    company_user_update = CompanyUserUpdate.Field()
