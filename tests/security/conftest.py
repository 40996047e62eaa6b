"""Fixtures of the access sweep: one world (dealer A, dealer B with one of everything) built
once for the module, each test running in a savepoint of it and rolled back."""

import tempfile

import pytest
from django.db import transaction
from django.test import override_settings

from tests.security import sweep
from tests.security.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with (
        tempfile.TemporaryDirectory() as media,
        override_settings(
            PRIVATE_MEDIA_ROOT=media,
            EXPENSE_PAYOUT="recorded",
            RATELIMIT_ENABLE=False,  # thousands of calls in a minute: the limits have their own tests
        ),
    ):
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                world = build_world()
                sweep.NAMED_VALUES.update(world.named_values)
                b = world.b
                world.b_owned = sweep.owned_querysets(b.company, [b.admin, b.approver, b.buyer])
                yield world
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
