"""The vendor's staff roles as Django groups, each with an explicit list of permissions per
model: what a member may view, add, change or delete, and the custom permissions apps
define (refund payments, approve or audit marketing plans, read the dashboards).

`manage.py setup_staff_roles` makes the groups match these lists (adds what is missing,
removes what is no longer listed). A staff user in no group (and not a superuser) sees
nothing in the back office. docs/security.md has the table for people.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from audit.models import AuditEntry
from audit.services import Tracker

VIEW = ("view",)
EDIT = ("view", "add", "change")  # no delete: these rows are deactivated, not deleted
ALL = ("view", "add", "change", "delete")
DEFAULT_ACTIONS = {"view", "add", "change", "delete"}

# Read by everyone who works with dealers: who the dealer is and what it ordered.
DEALER_READ = {
    "partners.company": VIEW, "partners.tier": VIEW, "partners.region": VIEW, "partners.membership": VIEW,
    "partners.address": VIEW, "partners.creditaccount": VIEW,
    "storefront.order": VIEW, "storefront.orderline": VIEW, "storefront.return": VIEW, "storefront.returnline": VIEW,
    "storefront.shipment": VIEW, "storefront.shipmentline": VIEW, "storefront.cart": VIEW, "storefront.cartline": VIEW,
    "storefront.payment": VIEW, "storefront.refund": VIEW,
    "catalog.category": VIEW, "catalog.product": VIEW, "catalog.variant": VIEW, "catalog.stock": VIEW,
    "catalog.warehouse": VIEW, "catalog.productimage": VIEW,
}
# Comment threads on deals and plans, and the announcements to the channel.
MESSAGING = {
    "partners.thread": EDIT, "partners.comment": EDIT, "partners.commentattachment": EDIT,
    "partners.announcement": VIEW, "partners.announcementreceipt": VIEW,
}

MERCHANDISER = {
    **DEALER_READ,
    "catalog.category": ALL, "catalog.product": EDIT, "catalog.variant": EDIT, "catalog.productimage": ALL,
    "catalog.stock": EDIT, "catalog.warehouse": EDIT, "catalog.searchdocument": ("view", "change"),
    "pricing_engine.pricelist": ALL, "pricing_engine.pricelistitem": ALL, "pricing_engine.pricebreak": ALL,
    "pricing_engine.promotion": ALL, "pricing_engine.voucher": ALL, "pricing_engine.voucherredemption": VIEW,
    "rebates.rebateprogram": VIEW, "rebates.rebatetarget": VIEW,
    "insights.dailysales": ("view_dashboards",), "insights.forecastrun": VIEW,
    "training.course": VIEW, "training.requirement": VIEW,
}

CHANNEL_MANAGER = {
    **DEALER_READ, **MESSAGING,
    "partners.company": ("view", "add", "change"), "partners.membership": ALL, "partners.address": ALL,
    "partners.invitation": VIEW, "partners.announcement": ALL, "partners.announcementreceipt": VIEW,
    "deals.deal": ("view", "change"), "deals.dealtransition": VIEW, "deals.dealmatch": VIEW, "deals.dealorder": VIEW,
    "expenses.fund": EDIT, "expenses.fundentry": VIEW, "expenses.activityplan": ("view", "change", "approve_activityplan"),
    "expenses.planapproval": VIEW, "expenses.plantransition": VIEW, "expenses.prooffile": VIEW, "expenses.payout": VIEW,
    "training.course": ALL, "training.lesson": ALL, "training.lessondocument": ALL, "training.question": ALL,
    "training.choice": ALL, "training.requirement": ALL, "training.enrolment": VIEW, "training.lessonprogress": VIEW,
    "training.quizattempt": VIEW, "training.certificate": ("view", "change"),
    "rebates.rebateprogram": VIEW, "rebates.rebatetarget": VIEW,
    "pricing_engine.pricelist": VIEW, "pricing_engine.promotion": VIEW, "pricing_engine.voucher": VIEW,
    "insights.dailysales": ("view_dashboards",), "insights.forecastrun": VIEW,
}

FINANCE = {
    **DEALER_READ,
    # credit limits, terms, holds and the overdue-hold release; recording payments on orders
    "partners.creditaccount": ("view", "change"), "storefront.order": ("view", "change"),
    "storefront.payment": ("view", "refund_payment"), "storefront.refund": VIEW, "storefront.stripeevent": VIEW,
    "storefront.return": ("view", "change"),
    "billing.invoice": VIEW, "billing.invoiceline": VIEW, "billing.creditnote": ("view", "add"),
    "billing.paymentreceipt": ("view", "add"), "billing.ledgerentry": VIEW, "billing.allocation": VIEW,
    "billing.dealeraccount": VIEW, "billing.numberseries": VIEW,
    "rebates.rebateprogram": EDIT, "rebates.rebatetarget": ALL, "rebates.dealerperiod": VIEW,
    "rebates.accrualentry": VIEW, "rebates.settlement": ("view", "change"), "rebates.rebatewallet": VIEW,
    "rebates.walletentry": VIEW,
    "expenses.fund": VIEW, "expenses.fundentry": VIEW, "expenses.activityplan": ("view", "change", "audit_activityplan"),
    "expenses.planapproval": VIEW, "expenses.plantransition": VIEW, "expenses.prooffile": VIEW, "expenses.payout": VIEW,
    "pricing_engine.pricelist": VIEW, "pricing_engine.pricelistitem": VIEW, "pricing_engine.pricebreak": VIEW,
    "pricing_engine.promotion": VIEW, "pricing_engine.voucher": VIEW, "pricing_engine.voucherredemption": VIEW,
    "insights.dailysales": ("view_dashboards",), "insights.forecastrun": VIEW,
    "audit.auditentry": VIEW,
}

SUPPORT = {
    **DEALER_READ, **MESSAGING,
    "partners.invitation": VIEW,
    "deals.deal": VIEW, "deals.dealtransition": VIEW,
    "expenses.activityplan": VIEW, "expenses.plantransition": VIEW, "expenses.prooffile": VIEW,
    "training.course": VIEW, "training.enrolment": VIEW, "training.certificate": VIEW,
    "billing.invoice": VIEW, "billing.creditnote": VIEW, "billing.dealeraccount": VIEW,
    "rebates.rebatewallet": VIEW, "rebates.walletentry": VIEW,
    "pricing_engine.pricelist": VIEW, "pricing_engine.promotion": VIEW, "pricing_engine.voucher": VIEW,
    "integrations.outboxevent": VIEW, "integrations.delivery": VIEW, "integrations.deliveryattempt": VIEW,
}

# The vendor's administrators: everything the others do, plus who may do it (users, groups),
# the ERP connection (webhooks, app tokens) and the audit log. Not the log's own writes:
# nobody can change or delete an audit entry.
ADMIN_MODELS = {
    "auth.user": ALL, "auth.group": ALL, "admin.logentry": VIEW,
    "integrations.webhookendpoint": ALL, "integrations.apptoken": EDIT, "integrations.outboxevent": VIEW,
    "integrations.delivery": ("view", "change"), "integrations.deliveryattempt": VIEW,
    "integrations.inboundcall": VIEW, "integrations.inboundmessage": VIEW,
    "security.tokenfamily": ("view", "delete"), "otp_totp.totpdevice": ALL, "otp_static.staticdevice": ALL,
    "axes.accessattempt": ("view", "delete"), "axes.accesslog": VIEW,
    "insights.refreshedday": VIEW, "insights.refreshstate": VIEW,
    "audit.auditentry": VIEW,
}


def _merge(*maps: dict) -> dict:
    merged: dict[str, tuple] = {}
    for mapping in maps:
        for model, actions in mapping.items():
            merged[model] = tuple(dict.fromkeys((*merged.get(model, ()), *actions)))
    return merged


ADMINISTRATOR = _merge(MERCHANDISER, CHANNEL_MANAGER, FINANCE, SUPPORT, ADMIN_MODELS)

# Group name -> its permissions. The channel managers' group is the one unassigned comments
# and deals go to (MESSAGE_VENDOR_GROUP), so its name follows that setting.
ROLES: dict[str, dict] = {
    "Merchandisers": MERCHANDISER,
    settings.MESSAGE_VENDOR_GROUP: CHANNEL_MANAGER,
    "Finance": FINANCE,
    "Support": SUPPORT,
    "Administrators": ADMINISTRATOR,
}


def codenames(role: dict) -> set[tuple[str, str]]:
    """{(app_label, codename)} of a role."""
    wanted = set()
    for label, actions in role.items():
        app_label, model = label.split(".")
        for action in actions:
            wanted.add((app_label, f"{action}_{model}" if action in DEFAULT_ACTIONS else action))
    return wanted


def permissions_of(role: dict) -> list[Permission]:
    """The Permission rows of a role; an unknown one (a typo, an app not installed) is an error."""
    wanted = codenames(role)
    rows = list(Permission.objects.filter(content_type__app_label__in={a for a, _ in wanted}).select_related("content_type"))
    found = {(p.content_type.app_label, p.codename): p for p in rows}
    missing = sorted(wanted - set(found))
    if missing:
        raise LookupError(f"Unknown permissions (run migrate first?): {', '.join(f'{a}.{c}' for a, c in missing)}")
    return [found[key] for key in sorted(wanted)]


@transaction.atomic
def setup_staff_roles() -> dict[str, tuple[int, int]]:
    """Create or update every role's group. Returns {group: (added, removed)}."""
    report = {}
    for name, role in ROLES.items():
        group, created = Group.objects.get_or_create(name=name)
        tracked = Tracker(Group, group.pk)
        wanted = {p.pk for p in permissions_of(role)}
        current = set(group.permissions.values_list("pk", flat=True))
        group.permissions.add(*(wanted - current))
        group.permissions.remove(*(current - wanted))
        tracked.before = {} if created else tracked.before
        tracked.record(AuditEntry.Action.CREATE if created else AuditEntry.Action.CHANGE, note="setup_staff_roles")
        report[name] = (len(wanted - current), len(current - wanted))
    return report
