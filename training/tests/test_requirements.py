"""Certifications a product line or a tier requires, and the checkout check (CERTIFICATION_REQUIRED)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Variant
from mall.errors import DomainError
from partners.models import Membership
from storefront.models import Order
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from tests.factories import CategoryFactory, ProductFactory, UserFactory, VariantFactory
from training.selectors import missing_certifications, missing_for_tier
from training.services import complete_lesson, enrol, submit_quiz
from training.tests.factories import RequirementFactory, all_right, course_with_quiz

pytestmark = pytest.mark.django_db


def certify(user, course):
    enrol(user=user, company=user.membership.company, course_id=course.pk)
    for lesson in course.lessons.all():
        complete_lesson(user=user, lesson_id=lesson.pk)
    return submit_quiz(user=user, course_id=course.pk, answers=all_right(course)).certificate


@pytest.fixture
def catalog(db):
    """Power tools (a child category under Tools) need the safety course; lanterns need nothing."""
    tools = CategoryFactory(name="Tools", slug="tools")
    power = CategoryFactory(name="Power tools", slug="power-tools", parent=tools)
    drill = VariantFactory(sku="DRILL-1", product=ProductFactory(name="Hammer drill", category=power), list_price=Decimal("80.00"), stock=50)
    lantern = VariantFactory(sku="LANT-1", product=ProductFactory(name="Lantern", category=CategoryFactory(slug="lanterns")), list_price=Decimal("5.00"), stock=50)
    course = course_with_quiz(title="Power tool safety")
    RequirementFactory(course=course, category=tools)  # on the parent: covers power tools too
    return {"drill": drill, "lantern": lantern, "course": course}


def variants(*skus):
    return list(Variant.objects.filter(sku__in=skus).select_related("product"))


def test_missing_certifications_names_the_sku_and_the_course(learner, catalog):
    company = learner.membership.company
    missing = missing_certifications(company, variants("DRILL-1", "LANT-1"))
    assert {sku: [c.title for c in courses] for sku, courses in missing.items()} == {"DRILL-1": ["Power tool safety"]}


def test_a_certificate_of_anyone_at_the_dealer_counts_while_they_are_a_member(learner, colleague, catalog):
    company = learner.membership.company
    certify(colleague, catalog["course"])
    assert missing_certifications(company, variants("DRILL-1")) == {}
    Membership.objects.filter(user=colleague).delete()  # the certified person left the dealer
    assert list(missing_certifications(company, variants("DRILL-1"))) == ["DRILL-1"]


def test_a_product_requirement_and_an_unpublished_course(learner, catalog):
    company = learner.membership.company
    lantern_course = course_with_quiz(title="Lantern care", slug="lanterns-101", is_published=False)
    RequirementFactory(course=lantern_course, product=catalog["lantern"].product)
    assert "LANT-1" not in missing_certifications(company, variants("LANT-1"))  # drafts require nothing yet
    lantern_course.is_published = True
    lantern_course.save()
    assert [c.title for c in missing_certifications(company, variants("LANT-1"))["LANT-1"]] == ["Lantern care"]


def test_a_tier_requirement_is_listed_as_missing(learner):
    company = learner.membership.company
    course = course_with_quiz(title="Gold partner onboarding", slug="gold-onboarding")
    RequirementFactory(course=course, tier=company.tier)
    assert [c.title for c in missing_for_tier(company)] == ["Gold partner onboarding"]
    certify(learner, course)
    assert missing_for_tier(company) == []


def test_checkout_refuses_a_line_that_needs_a_certification_and_places_nothing(learner, catalog):
    company = learner.membership.company
    add_lines(learner, company, [LineChange("DRILL-1", 1), LineChange("LANT-1", 2)])
    with pytest.raises(DomainError) as exc:
        checkout_complete(user=learner, company=company, idempotency_key="po-cert-1")
    assert [(d.field, d.code) for d in exc.value.details] == [("lines", "CERTIFICATION_REQUIRED")]
    assert '"Power tool safety"' in exc.value.details[0].message and "DRILL-1" in exc.value.details[0].message
    assert not Order.objects.exists()


def test_checkout_goes_through_once_the_dealer_holds_the_certificate(learner, catalog):
    company = learner.membership.company
    certify(learner, catalog["course"])
    add_lines(learner, company, [LineChange("DRILL-1", 1)])
    order = checkout_complete(user=learner, company=company, idempotency_key="po-cert-2").order
    assert order.lines.get().sku == "DRILL-1"


def test_the_check_does_not_grow_with_the_lines(learner, catalog):
    company = learner.membership.company
    buyer = UserFactory(company=company)
    certify(learner, catalog["course"])
    for n in range(12):
        VariantFactory(sku=f"PT-{n:02d}", product=ProductFactory(category=catalog["drill"].product.category), stock=10)

    def count(skus):
        with CaptureQueriesContext(connection) as queries:
            assert missing_certifications(company, variants(*skus)) == {}
        return len(queries)

    assert count(["PT-00"]) == count([f"PT-{n:02d}" for n in range(12)])
    add_lines(buyer, company, [LineChange("PT-00", 1)])
    assert checkout_complete(user=buyer, company=company, idempotency_key="po-cert-3").created


def test_the_cart_page_says_which_lines_need_a_course(client, learner, catalog):
    company = learner.membership.company
    add_lines(learner, company, [LineChange("DRILL-1", 1), LineChange("LANT-1", 1)])
    client.force_login(learner)
    page = client.get("/cart/").content.decode()
    assert "Certification needed before checkout" in page
    notice = page[page.index('data-testid="certification-notice"'):]
    notice = notice[: notice.index("</section>")]
    assert "DRILL-1" in notice and "Power tool safety" in notice and "LANT-1" not in notice
    certify(learner, catalog["course"])
    assert "Certification needed" not in client.get("/cart/").content.decode()
