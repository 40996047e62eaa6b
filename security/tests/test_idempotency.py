"""security/idempotency.py, the part of idempotency keys without GraphQL: the first answer is
stored and given again, another input is refused, a refused result keeps no key, keys expire
after IDEMPOTENCY_KEY_TTL_HOURS and the hourly clean-up deletes them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from mall.celery import app as celery_app
from mall.errors import DomainError
from partners.models import Membership
from security import idempotency
from security.idempotency import Replayed, fingerprint, run_once
from security.models import IdempotentRequest
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dealer():
    return UserFactory(email="ann@alpha.example", company=CompanyFactory(name="Alpha Tools Ltd"))


def call(user, key, payload, done, answer=None):
    """run_once of a 'mutation' that appends to `done` and answers {"n": len(done)}."""

    def work():
        done.append(payload)
        return {"n": len(done)}

    company = Membership.objects.get(user=user).company
    return run_once(user=user, company=company, mutation="thingCreate", key=key, digest=fingerprint(payload),
                    work=work, record=lambda result: result if answer is None else answer(result))


def codes(excinfo):
    return [(d.field, d.code) for d in excinfo.value.details]


def test_the_first_answer_is_stored_and_given_again_without_the_work(dealer):
    done = []
    assert call(dealer, "k1", {"a": 1}, done) == {"n": 1}
    assert call(dealer, "k1", {"a": 1}, done) == Replayed({"n": 1})
    assert done == [{"a": 1}]
    row = IdempotentRequest.objects.get()
    assert (row.mutation, row.key, row.answer, row.fingerprint) == ("thingCreate", "k1", {"n": 1}, fingerprint({"a": 1}))
    assert len(row.fingerprint) == 64


def test_the_key_with_another_input_is_refused(dealer):
    done = []
    call(dealer, "k1", {"a": 1}, done)
    with pytest.raises(DomainError) as refused:
        call(dealer, "k1", {"a": 2}, done)
    assert codes(refused) == [("idempotency_key", "IDEMPOTENCY_KEY_REUSED")]
    assert done == [{"a": 1}]


def test_the_fingerprint_does_not_depend_on_the_order_of_keys():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": "1"})


def test_a_result_that_changed_nothing_keeps_no_key_and_rolls_back_the_work(dealer):
    company = Membership.objects.get(user=dealer).company

    def work():
        CompanyFactory(name="Written then rolled back")
        return "refused"

    run_once(user=dealer, company=company, mutation="m", key="k", digest="d", work=work, record=lambda result: None)
    assert not IdempotentRequest.objects.exists()
    assert not type(company).objects.filter(name="Written then rolled back").exists()


def test_a_domain_error_of_the_work_stores_nothing(dealer):
    company = Membership.objects.get(user=dealer).company

    def work():
        raise DomainError.single("x", "BAD", "bad")

    with pytest.raises(DomainError):
        run_once(user=dealer, company=company, mutation="m", key="k", digest="d", work=work, record=lambda r: {})
    assert not IdempotentRequest.objects.exists()


def test_keys_belong_to_one_user_and_one_mutation(dealer):
    other = UserFactory(email="bob@alpha.example", company=Membership.objects.get(user=dealer).company)
    done = []
    call(dealer, "k1", {"a": 1}, done)
    assert call(other, "k1", {"a": 1}, done) == {"n": 2}  # its own work and answer, not the first user's
    assert IdempotentRequest.objects.filter(key="k1").count() == 2


@pytest.mark.parametrize("key", ["", "  ", "x" * 129, "a\x00b", "a\ufffdb"])
def test_bad_keys_are_invalid(dealer, key):
    with pytest.raises(DomainError) as refused:
        call(dealer, key, {"a": 1}, [])
    assert codes(refused) == [("idempotency_key", "INVALID")]


def test_an_expired_key_is_free_again(dealer, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    done = []
    call(dealer, "k1", {"a": 1}, done)
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    assert call(dealer, "k1", {"a": 2}, done) == {"n": 2}  # not refused: the old answer is gone
    row = IdempotentRequest.objects.get()
    assert row.fingerprint == fingerprint({"a": 2}) and row.answer == {"n": 2}


def test_the_clean_up_deletes_only_expired_keys(dealer, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    now = timezone.now()
    for key, age in (("old", timedelta(hours=25)), ("edge", timedelta(hours=23, minutes=59)), ("new", timedelta(0))):
        call(dealer, key, {"k": key}, [])
        IdempotentRequest.objects.filter(key=key).update(created_at=now - age)
    assert idempotency.purge_expired(now) == 1
    assert sorted(IdempotentRequest.objects.values_list("key", flat=True)) == ["edge", "new"]
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert out.getvalue() == "Deleted 0 idempotency key(s) older than 24 hours.\n"


def test_the_clean_up_is_a_periodic_task():
    entry = settings.CELERY_BEAT_SCHEDULE["security-purge-idempotency-keys"]
    assert entry == {"task": "security.tasks.purge_idempotency_keys", "schedule": 3600.0}
    celery_app.loader.import_default_modules()
    assert "security.tasks.purge_idempotency_keys" in celery_app.tasks
    assert settings.IDEMPOTENCY_KEY_TTL_HOURS == 24
