"""The world the access sweep attacks: dealer A (the attacker) and dealer B (the victim), where
B owns one of everything a dealer can own, each carrying a canary that must never reach
anyone outside B.

B's data is made through the domain services wherever they exist (checkout, returns, billing,
rebates, deals, funds, academy, threads), so it has the shape real data has; `identifiers`
collects every key by which the API could name one of B's objects.
"""

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from billing.models import CreditNote, Invoice, PaymentReceipt
from billing.services import issue_credit_note, record_payment
from catalog.models import Category, Product, Stock, Variant, Warehouse
from catalog.search.documents import refresh_documents
from deals import services as deal_services
from expenses.services import claims as claim_services
from expenses.services import funds as fund_services
from expenses.services import plans as plan_services
from integrations.inbound.models import Scope
from integrations.inbound.tokens import create_token
from partners import invitations, messaging
from partners.models import (
    Address,
    Announcement,
    Company,
    CreditAccount,
    Membership,
    Notification,
    Region,
    Tier,
)
from pricing_engine.models import PriceList, PriceListItem
from rebates.models import RebateProgram, RebateTarget
from rebates.services.wallet import credit_wallet
from security import tokens as sign_in_tokens
from storefront.models import Order
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from storefront.services.order_lists import create_with_lines
from storefront.services.returns import ReturnRequestLine, request_return
from training import services as training_services
from training.tests.factories import all_right, course_with_quiz

PASSWORD = "sweep-correct-horse-battery"

# Strings and amounts only B's data holds. None of them is ever sent as an argument, so one
# of them in an answer to anyone but B is a leak, not an echo.
CANARIES = {
    "company": "Beta Canary Supplies",
    "po_number": "PO-CANARY-B-4471",
    "order_note": "canary note: leave at gate 9",
    "pending_po": "PO-CANARY-B-PENDING",
    "list_name": "Canary list of Beta",
    "deal_prospect": "Canary Prospect Holdings",
    "deal_contact": "canary.contact@prospect.example",
    "plan_title": "Canary trade fair booth",
    "claim_note": "canary claim note",
    "address_line": "77 Canary Wharf Lane",
    "address_name": "Beta canary depot",
    "comment": "canary comment in the thread of Beta",
    "notification": "Canary notification for Beta",
    "announcement": "Canary announcement for Beta only",
    "return_reason": "canary return reason",
    "fund_name": "Canary MDF of Beta",
    "credit_note_reason": "canary credit note reason",
    "wallet_reason": "canary wallet top-up",
    "payment_reference": "CANARY-BANK-REF-B",
    "admin_email": "admin@beta-canary.example",
    "approver_email": "approver@beta-canary.example",
    "buyer_email": "buyer@beta-canary.example",
    "invitee_email": "invitee@beta-canary.example",
    "contract_price": '"7.77"',  # B's contract price, as the API writes amounts
    "contract_total": '"23.31"',  # 3 × 7.77: B's confirmed order
}


@dataclass
class Dealer:
    company: Company
    admin: object
    approver: object
    buyer: object


@dataclass
class World:
    a: Dealer
    b: Dealer
    staff: object
    identifiers: dict[str, list[str]] = field(default_factory=dict)
    named_values: dict[str, object] = field(default_factory=dict)  # argument name -> a good value
    b_files: dict[str, int] = field(default_factory=dict)  # storefront URL name -> pk of B's file
    # scope -> a raw token with every scope but that one
    app_tokens: dict[str, str] = field(default_factory=dict)
    # label -> queryset of B's rows (sweep.owned_querysets, worked out once per world; copy it)
    b_owned: dict[str, object] = field(default_factory=dict)

    def all_identifiers(self) -> list[str]:
        seen: dict[str, None] = {}
        for values in self.identifiers.values():
            for value in values:
                seen.setdefault(str(value), None)
        return list(seen)


def _member(company, email, role, order_limit=None):
    user = get_user_model().objects.create_user(
        username=email,
        email=email,
        password=PASSWORD,
        first_name=role.title(),
        last_name=company.code,
    )
    Membership.objects.create(user=user, company=company, role=role, order_limit=order_limit)
    return user


def _dealer(code, name, tier, region, emails) -> Dealer:
    company = Company.objects.create(code=code, name=name, currency="GBP", tier=tier, region=region)
    CreditAccount.objects.create(company=company, currency="GBP", credit_limit=Decimal("100000.00"))
    return Dealer(
        company=company,
        admin=_member(company, emails[0], Membership.Role.ADMIN),
        approver=_member(company, emails[1], Membership.Role.APPROVER),
        buyer=_member(company, emails[2], Membership.Role.BUYER, order_limit=Decimal("100.00")),
    )


def _place(user, company, key, lines, **kwargs) -> Order:
    add_lines(user, company, [LineChange(sku, qty) for sku, qty in lines])
    return checkout_complete(user=user, company=company, idempotency_key=key, **kwargs).order


def build_world() -> World:
    c = CANARIES
    gold = Tier.objects.create(code="sweep-gold", name="Sweep Gold", rank=1)
    region = Region.objects.create(code="sweep-uk", name="Sweep Region")
    warehouse, _ = Warehouse.objects.get_or_create(
        code="MAIN", defaults={"name": "Main", "priority": 10}
    )
    category = Category.objects.create(name="Sweep tools", slug="sweep-tools")
    variants = {}
    for sku, price in (("SWEEP-HAMMER", "10.00"), ("SWEEP-BIG", "150.00")):
        product = Product.objects.create(
            name=f"Sweep {sku.lower()}", slug=f"sweep-{sku.lower()}", category=category
        )
        variants[sku] = Variant.objects.create(
            product=product, sku=sku, list_price=Decimal(price), currency="GBP"
        )
        Stock.objects.create(variant=variants[sku], warehouse=warehouse, quantity_on_hand=1000)
    refresh_documents([v.pk for v in variants.values()])
    PriceList.objects.create(
        name="Sweep Gold list",
        kind=PriceList.Kind.TIER,
        tier=gold,
        currency="GBP",
        default_discount_percent=Decimal("10"),
    )

    a = _dealer(
        "SWEEP-A",
        "Alpha Attacker Ltd",
        gold,
        region,
        ("admin@alpha.example", "approver@alpha.example", "buyer@alpha.example"),
    )
    b = _dealer(
        "SWEEP-B",
        c["company"],
        gold,
        region,
        (c["admin_email"], c["approver_email"], c["buyer_email"]),
    )
    staff = get_user_model().objects.create_user(
        username="staff@vendor.example",
        email="staff@vendor.example",
        password=PASSWORD,
        is_staff=True,
    )
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="expenses",
            codename__in=["approve_activityplan", "view_activityplan"],
        )
    )
    staff = get_user_model().objects.get(pk=staff.pk)

    # B: a contract price only B gets, addresses, rebate program, B-only announcement.
    contract = PriceList.objects.create(
        name="Beta contract",
        kind=PriceList.Kind.CONTRACT,
        company=b.company,
        currency="GBP",
        priority=1,
    )
    PriceListItem.objects.create(
        price_list=contract, variant=variants["SWEEP-HAMMER"], unit_price=Decimal("7.77")
    )
    refresh_documents([v.pk for v in variants.values()])
    depot = Address.objects.create(
        company=b.company,
        name=c["address_name"],
        line1=c["address_line"],
        city="Canaryville",
        postal_code="CA1 1RY",
        country="United Kingdom",
        is_default_shipping=True,
    )
    Address.objects.create(
        company=a.company,
        name="Alpha depot",
        line1="1 Attack Road",
        city="Hull",
        postal_code="HU1 1AA",
        country="United Kingdom",
        is_default_shipping=True,
    )
    program = RebateProgram.objects.create(
        name="Sweep volume rebate",
        currency="GBP",
        period_kind=RebateProgram.PeriodKinds.YEAR,
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 12, 31),
        mode=RebateProgram.Modes.RETROACTIVE,
    )
    program.dealers.set([b.company])
    program.regions.set(
        [Region.objects.create(code="sweep-nowhere", name="Nowhere")]
    )  # A does not qualify
    RebateTarget.objects.create(program=program, threshold=Decimal("1"), rate=Decimal("5"))
    announcement = Announcement.objects.create(
        title=c["announcement"],
        body=c["announcement"],
        to_all_dealers=False,
        requires_acknowledgement=True,
        published_at=timezone.now() - timedelta(hours=1),
    )
    announcement.companies.set([b.company])

    # B's orders: one confirmed at the contract price (invoice, payment, accrual), one pending approval.
    confirmed = _place(
        b.buyer,
        b.company,
        "sweep-b-1",
        [("SWEEP-HAMMER", 3)],
        po_number=c["po_number"],
        note=c["order_note"],
        ship_to_address_id=depot.pk,
    )
    pending = _place(b.buyer, b.company, "sweep-b-2", [("SWEEP-BIG", 1)], po_number=c["pending_po"])
    assert (
        confirmed.status == Order.Status.CONFIRMED
        and pending.status == Order.Status.PENDING_APPROVAL
    )
    add_lines(b.buyer, b.company, [LineChange("SWEEP-BIG", 2)])  # B's cart is not empty
    a_order = _place(a.buyer, a.company, "sweep-a-1", [("SWEEP-HAMMER", 2)])
    add_lines(
        a.admin, a.company, [LineChange("SWEEP-HAMMER", 1)]
    )  # so A's checkout gets as far as B's keys

    b_list = create_with_lines(b.admin, b.company, c["list_name"], [("SWEEP-HAMMER", 4)])
    create_with_lines(a.admin, a.company, "Alpha list", [("SWEEP-HAMMER", 1)])
    ret = request_return(
        company=b.company,
        order_id=confirmed.pk,
        user=b.buyer,
        reason=c["return_reason"],
        lines=[ReturnRequestLine(confirmed.lines.get().pk, 1)],
        idempotency_key="sweep-b-ret",
    )
    invoice = Invoice.objects.filter(company=b.company).first()
    credit_note = issue_credit_note(
        company=b.company,
        amount=Decimal("1.11"),
        currency="GBP",
        reason=c["credit_note_reason"],
        source_reference="SWEEP",
        idempotency_key="sweep-b-cn",
        invoice=invoice,
    )
    receipt = record_payment(
        company=b.company,
        amount=Decimal("5.00"),
        currency="GBP",
        method="bank_transfer",
        reference=c["payment_reference"],
        idempotency_key="sweep-b-pay",
        order=confirmed,
    )
    credit_wallet(
        company=b.company,
        amount=Decimal("3.33"),
        currency="GBP",
        reason=c["wallet_reason"],
        reference="SWEEP-WALLET",
        idempotency_key="sweep-b-wallet",
    )

    # Deals: B's submitted deal; A's own draft deal.
    deal = deal_services.register_deal(
        company=b.company,
        user=b.admin,
        submit=True,
        data=deal_services.DealInput(
            prospect_name=c["deal_prospect"],
            contact_email=c["deal_contact"],
            city="Canaryville",
            expected_value=Decimal("999"),
        ),
    ).deal
    deal_services.register_deal(
        company=a.company,
        user=a.admin,
        data=deal_services.DealInput(prospect_name="Alpha prospect"),
    )

    # Marketing funds: B's fund, a draft plan and an approved plan with proof and a claim.
    today = timezone.localdate()
    fund = fund_services.create_fund(
        name=c["fund_name"],
        period_start=date(today.year, 1, 1),
        period_end=date(today.year, 12, 31),
        currency="GBP",
        budget=Decimal("5000.00"),
        company=b.company,
    )
    fund_services.create_fund(
        name="Alpha MDF",
        period_start=date(today.year, 1, 1),
        period_end=date(today.year, 12, 31),
        currency="GBP",
        budget=Decimal("100.00"),
        company=a.company,
    )
    plan_input = plan_services.PlanInput(
        fund_id=fund.pk,
        kind="trade_show",
        title=c["plan_title"],
        starts_on=date(today.year, 1, 2),
        ends_on=date(today.year, 1, 3),
        requested_amount=Decimal("100.00"),
        expected_outcome="leads",
    )
    draft_plan = plan_services.create_plan(user=b.admin, company=b.company, data=plan_input)
    claimed_plan = plan_services.create_plan(user=b.admin, company=b.company, data=plan_input)
    plan_services.submit_plan(claimed_plan.pk, user=b.admin, company=b.company)
    plan_services.approve_plan(claimed_plan.pk, approver=staff)
    proof = claim_services.add_proof(
        claimed_plan.pk,
        user=b.admin,
        company=b.company,
        upload=SimpleUploadedFile("proof.png", _png()),
    )
    claim_services.submit_claim(
        claimed_plan.pk,
        user=b.admin,
        company=b.company,
        actual_spend=Decimal("90.00"),
        note=c["claim_note"],
    )

    # Academy: a shared course; B's enrolment and certificate.
    course = course_with_quiz()
    enrolment = training_services.enrol(user=b.buyer, company=b.company, course_id=course.pk)
    for lesson in course.lessons.all():
        training_services.complete_lesson(user=b.buyer, lesson_id=lesson.pk)
    certificate = training_services.submit_quiz(
        user=b.buyer, course_id=course.pk, answers=all_right(course)
    ).certificate

    # Messages: a thread on B's order with a comment, a notification to B's admin.
    thread = messaging.thread_for(confirmed)
    comment = messaging.post_comment(
        thread=thread,
        author=b.buyer,
        body=c["comment"],
        files=[SimpleUploadedFile("photo.png", _png())],
    )
    attachment = comment.attachments.get()
    deal_thread = messaging.thread_for(deal)
    messaging.post_comment(thread=deal_thread, author=b.admin, body=c["comment"])
    notification = Notification.objects.create(
        user=b.admin, title=c["notification"], body=c["notification"]
    )

    # Sign-in: B's invitation of a colleague, and an API session (token family) of B's buyer.
    invitation = invitations.invite(
        actor=b.admin, company=b.company, email=c["invitee_email"]
    ).invitation
    family = sign_in_tokens.start_family(b.buyer, ip_address="203.0.113.9", user_agent="sweep")
    sign_in_tokens.issue_refresh_token(family)

    # For each scope, an app token holding every other scope.
    tokens = {
        scope: create_token(f"sweep without {scope}", [s for s in Scope.values if s != scope])[1]
        for scope in Scope.values
    }

    memberships = list(Membership.objects.filter(company=b.company).values_list("pk", flat=True))
    users = [b.admin.pk, b.approver.pk, b.buyer.pk]
    identifiers = {
        "order_number": [confirmed.number, pending.number],
        "return_number": [ret.number],
        "invoice_number": [
            n for n in Invoice.objects.filter(company=b.company).values_list("number", flat=True)
        ],
        "credit_note_number": [credit_note.number],
        "company_code": [b.company.code],
        "pk": [
            *map(str, memberships),
            *map(str, users),
            str(b.company.pk),
            str(b_list.pk),
            str(deal.pk),
            str(draft_plan.pk),
            str(claimed_plan.pk),
            str(depot.pk),
            str(announcement.pk),
            str(notification.pk),
            str(comment.pk),
            str(thread.pk),
            str(enrolment.pk),
            str(certificate.pk),
            str(fund.pk),
            str(invoice.pk),
            str(receipt.pk),
            str(confirmed.pk),
            str(pending.pk),
            str(ret.pk),
            str(invitation.pk),
            str(family.pk),
            str(proof.pk),
            str(attachment.pk),
        ],
        "certificate_code": [certificate.code],
        "idempotency_key": [
            "sweep-b-1",
            "sweep-b-2",
            "sweep-b-ret",
            "sweep-b-cn",
            "sweep-b-pay",
            "sweep-b-wallet",
        ],
    }
    identifiers["invoice_number"] = [n for n in identifiers["invoice_number"] if n]
    # A's own objects must not share a key with B's, or a hit on A's own would look like B's.
    assert a_order.number not in identifiers["order_number"]
    assert (
        not CreditNote.objects.filter(company=a.company).exists()
        and PaymentReceipt.objects.filter(company=b.company).exists()
    )
    named = {
        "sku": "SWEEP-HAMMER",
        "skus": "SWEEP-HAMMER",
        "removeSkus": "SWEEP-HAMMER",
    }  # scalar (each list item)
    return World(
        a=a,
        b=b,
        staff=staff,
        identifiers=identifiers,
        app_tokens=tokens,
        named_values=named,
        b_files={"attachment": attachment.pk, "fund_proof_file": proof.pk},
    )


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()
