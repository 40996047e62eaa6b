"""Promotion and voucher rows: the reward JSON builds the core's reward or is a clear error,
the database keeps budgets and codes straight, and the budget/voucher services take the last
unit of a cap once only, even when two checkouts race for it (real PostgreSQL connections)."""

import time
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mall.errors import DomainError
from pricing_engine.core import promotions as core
from pricing_engine.models import (
    REWARD_EXAMPLES,
    Promotion,
    Voucher,
    VoucherRedemption,
    build_reward,
)
from pricing_engine.services import consume_promotion_budgets, redeem_voucher
from pricing_engine.tests.conftest import UTC, PromotionFactory, VoucherFactory
from tests.concurrency import race
from tests.factories import CompanyFactory, VariantFactory

D = Decimal


# ---------------------------------------------------------------- reward JSON


def test_every_documented_example_builds_a_core_reward():
    built = {kind: build_reward(kind, example) for kind, example in REWARD_EXAMPLES.items()}
    assert set(built) == set(Promotion.Kind.values)
    assert built["percent_off"] == core.PercentOff(D("10"))
    assert built["full_reduction"] == core.FullReduction(
        (core.ReductionStep(D("300"), D("30")), core.ReductionStep(D("600"), D("80")))
    )
    assert built["buy_x_get_y"] == core.BuyXGetY(3, 1)
    assert built["quantity_tiers"].percent_for(49) == D("5")
    assert built["gift_with_purchase"] == core.GiftWithPurchase("GIFT-001", D("250"), 1)


def test_amounts_may_be_strings_ints_or_json_numbers_but_not_bools():
    assert build_reward("amount_off", {"amount": "2.50"}).amount == D("2.50")
    assert build_reward("amount_off", {"amount": 2}).amount == D("2")
    assert build_reward("amount_off", {"amount": 2.5}).amount == D("2.5")
    with pytest.raises(ValueError, match="number"):
        build_reward("amount_off", {"amount": True})
    assert build_reward("full_reduction", {"steps": [{"threshold": "300", "amount": "30"}], "repeat": True, "max_repeats": 5}) == (
        core.FullReduction((core.ReductionStep(D("300"), D("30")),), repeat=True, max_repeats=5)
    )


@pytest.mark.parametrize(
    "kind, reward, message",
    [
        ("percent_off", {}, '"percent" is required'),
        ("percent_off", {"percent": "150"}, "at most 100"),
        ("percent_off", {"percent": "ten"}, "must be a number"),
        ("percent_off", {"pct": "10"}, "unknown key"),
        ("percent_off", ["10"], "JSON object"),
        ("full_reduction", {"steps": []}, "non-empty list"),
        ("full_reduction", {"steps": [{"threshold": "300", "amount": "30"}, {"threshold": "600", "amount": "80"}], "repeat": True}, "exactly one step"),
        ("quantity_tiers", {"tiers": [{"min_quantity": 0, "percent": "5"}]}, "min_quantity"),
        ("buy_x_get_y", {"buy_quantity": "x", "get_quantity": 1}, "whole number"),
        ("gift_with_purchase", {"threshold": "100"}, "sku"),
    ],
)
def test_a_reward_that_does_not_build_says_why(kind, reward, message):
    with pytest.raises(ValueError, match=message):
        build_reward(kind, reward)


@pytest.mark.django_db
def test_clean_turns_a_bad_reward_into_an_error_on_reward():
    promotion = Promotion(name="Broken", kind="percent_off", reward={"percent": "0"}, currency="GBP")
    with pytest.raises(ValidationError) as error:
        promotion.full_clean()
    assert list(error.value.message_dict) == ["reward"]
    assert "Example:" in error.value.message_dict["reward"][0]


@pytest.mark.django_db
def test_clean_checks_the_window_the_currency_and_the_gift_sku():
    promotion = Promotion(
        name="Spring",
        kind="gift_with_purchase",
        reward={"sku": "NOPE", "threshold": "100"},
        currency="",
        starts_at=datetime(2027, 4, 1, tzinfo=UTC),
        ends_at=datetime(2027, 4, 1, tzinfo=UTC),
    )
    with pytest.raises(ValidationError) as error:
        promotion.full_clean()
    errors = error.value.message_dict
    assert set(errors) == {"ends_at", "currency", "reward"}
    assert "No SKU NOPE" in errors["reward"][0]
    VariantFactory(sku="NOPE")
    promotion.currency, promotion.ends_at = "gbp", datetime(2027, 5, 1, tzinfo=UTC)
    promotion.full_clean()
    assert promotion.currency == "GBP"


@pytest.mark.django_db
def test_the_database_keeps_spending_within_the_budget():
    promotion = PromotionFactory(budget_amount=D("100.00"), budget_uses=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Promotion.objects.filter(pk=promotion.pk).update(spent_amount=D("100.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Promotion.objects.filter(pk=promotion.pk).update(used_count=3)
    Promotion.objects.filter(pk=promotion.pk).update(spent_amount=D("100.00"), used_count=2)


@pytest.mark.django_db
def test_voucher_codes_are_stored_normalised_and_unique_without_case():
    voucher = VoucherFactory(code="  spring10 ")
    assert Voucher.objects.get().code == "SPRING10" == voucher.code
    duplicate = Voucher(code="Spring10", percent=D("5"))
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "code" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.django_db
def test_a_voucher_is_a_percentage_or_an_amount_never_both():
    with pytest.raises(ValidationError) as error:
        Voucher(code="BOTH", percent=D("5"), amount=D("5"), currency="GBP").full_clean()
    assert "exactly one" in error.value.message_dict["percent"][0]
    with pytest.raises(ValidationError) as error:
        Voucher(code="NOCUR", amount=D("5")).full_clean()
    assert "currency" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(code="NONE")


# ---------------------------------------------------------------- services, one connection


@pytest.mark.django_db
def test_consuming_a_budget_adds_the_amounts_and_one_use_per_order():
    promotion = PromotionFactory(budget_amount=D("100.00"), budget_uses=3)
    free = PromotionFactory()
    consume_promotion_budgets([(promotion.core_id, D("30.00")), (promotion.pk, D("5.50")), (free.core_id, D("7.00"))])
    promotion.refresh_from_db()
    free.refresh_from_db()
    assert (promotion.spent_amount, promotion.used_count) == (D("35.50"), 1)
    assert (free.spent_amount, free.used_count) == (D("7.00"), 1)
    assert promotion.budget_amount_left == D("64.50") and promotion.budget_uses_left == 2


@pytest.mark.django_db
def test_a_budget_that_would_be_overspent_rolls_back_the_whole_call():
    first = PromotionFactory(budget_amount=D("100.00"))
    capped = PromotionFactory(name="Last 20", budget_amount=D("50.00"), spent_amount=D("30.00"))
    with pytest.raises(DomainError) as error:
        consume_promotion_budgets([(first.pk, D("10.00")), (capped.pk, D("20.01"))])
    assert error.value.details[0].code == "PROMOTION_BUDGET_EXHAUSTED"
    assert "Last 20" in error.value.details[0].message
    first.refresh_from_db()
    assert first.spent_amount == D("0.00") and first.used_count == 0
    consume_promotion_budgets([(capped.pk, D("20.00"))])  # exactly the rest is fine
    capped.refresh_from_db()
    assert capped.spent_amount == D("50.00")


@pytest.mark.django_db
def test_uses_cap_is_enforced():
    promotion = PromotionFactory(budget_uses=1)
    consume_promotion_budgets([(promotion.pk, D("1.00"))])
    with pytest.raises(DomainError, match="PROMOTION_BUDGET_EXHAUSTED"):
        consume_promotion_budgets([(promotion.pk, D("1.00"))])


@pytest.mark.django_db
def test_redeeming_a_voucher_counts_uses_in_total_and_per_dealer():
    voucher = VoucherFactory(code="TEN", usage_limit_total=3, usage_limit_per_dealer=1)
    a, b = CompanyFactory(), CompanyFactory()
    redemption = redeem_voucher(" ten ", a, "O-1", D("10.00"))
    assert (redemption.voucher, redemption.company, redemption.amount) == (voucher, a, D("10.00"))
    assert redeem_voucher("TEN", a, "O-1", D("10.00")) == redemption  # a retried checkout
    with pytest.raises(DomainError) as error:
        redeem_voucher("TEN", a, "O-2", D("10.00"))
    assert error.value.details[0].code == "VOUCHER_USED_UP" and error.value.details[0].field == "voucher_code"
    redeem_voucher("TEN", b, "O-3", D("10.00"))
    voucher.refresh_from_db()
    assert voucher.used_count == 2 and VoucherRedemption.objects.count() == 2
    with pytest.raises(DomainError, match="VOUCHER_NOT_FOUND"):
        redeem_voucher("NOPE", a, "O-4", D("1.00"))


# ---------------------------------------------------------------- services, racing connections


def checkout(step):
    """A checkout's transaction: take the budget, then keep the row lock a moment longer."""

    def job():
        with transaction.atomic():
            result = step()
            time.sleep(0.2)
            return result

    return job


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_cannot_both_spend_the_last_of_a_budget():
    promotion = PromotionFactory(budget_amount=D("100.00"), spent_amount=D("70.00"))
    results = race(*[checkout(lambda: consume_promotion_budgets([(promotion.pk, D("30.00"))])) for _ in range(2)])
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(lost) == 1 and results.count(None) == 1, results
    assert lost[0].details[0].code == "PROMOTION_BUDGET_EXHAUSTED"
    promotion.refresh_from_db()
    assert (promotion.spent_amount, promotion.used_count) == (D("100.00"), 1)


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_cannot_both_take_the_last_use_of_a_campaign():
    promotion = PromotionFactory(budget_uses=5, used_count=4)
    results = race(*[checkout(lambda: consume_promotion_budgets([(promotion.pk, D("1.00"))])) for _ in range(3)])
    assert sum(isinstance(r, DomainError) for r in results) == 2, results
    promotion.refresh_from_db()
    assert promotion.used_count == 5


@pytest.mark.django_db(transaction=True)
def test_two_dealers_cannot_both_take_the_last_use_of_a_voucher():
    voucher = VoucherFactory(code="LAST", usage_limit_total=1)
    a, b = CompanyFactory(), CompanyFactory()
    results = race(
        checkout(lambda: redeem_voucher("LAST", a, "A-1", D("10.00"))),
        checkout(lambda: redeem_voucher("LAST", b, "B-1", D("10.00"))),
    )
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(lost) == 1 and lost[0].details[0].code == "VOUCHER_USED_UP", results
    voucher.refresh_from_db()
    assert voucher.used_count == 1 and VoucherRedemption.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_dealer_racing_two_orders_cannot_pass_its_own_limit():
    voucher = VoucherFactory(code="ONCE", usage_limit_per_dealer=1)
    dealer = CompanyFactory()
    results = race(
        checkout(lambda: redeem_voucher("ONCE", dealer, "X-1", D("10.00"))),
        checkout(lambda: redeem_voucher("ONCE", dealer, "X-2", D("10.00"))),
    )
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    voucher.refresh_from_db()
    assert voucher.used_count == 1 and VoucherRedemption.objects.filter(company=dealer).count() == 1
