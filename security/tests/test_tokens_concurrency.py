"""Two refreshes of one refresh token at the same moment (PostgreSQL, two connections):
exactly one gets the next token."""

import pytest

from mall.errors import DomainError
from security import tokens
from security.models import RefreshToken, TokenFamily
from tests.concurrency import race
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _race_one_token():
    user = UserFactory(email="racer@alpha.example")
    family = tokens.start_family(user)
    raw = tokens.issue_refresh_token(family)
    results = race(lambda: tokens.rotate(raw), lambda: tokens.rotate(raw))
    won = [r for r in results if isinstance(r, tuple)]
    lost = [r for r in results if isinstance(r, DomainError)]
    return family, won, lost


@pytest.mark.parametrize("attempt", range(3))
def test_two_simultaneous_refreshes_exactly_one_succeeds(attempt, settings):
    settings.JWT_REFRESH_REUSE_LEEWAY_SECONDS = 60  # a race of the user's own two tabs: no theft
    family, won, lost = _race_one_token()
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].details[0].code == "TOKEN_REUSED"
    assert RefreshToken.objects.filter(family=family).count() == 2  # the spent one and the one issued
    next_family, next_raw = won[0]
    assert tokens.rotate(next_raw)[0].pk == family.pk  # the winner's token goes on working


def test_without_leeway_the_loser_of_the_race_ends_the_session(settings):
    settings.JWT_REFRESH_REUSE_LEEWAY_SECONDS = 0
    family, won, lost = _race_one_token()
    assert len(won) == 1 and len(lost) == 1
    family.refresh_from_db()
    assert family.revoked_reason == TokenFamily.RevokedReason.REUSE
    with pytest.raises(DomainError) as refused:
        tokens.rotate(won[0][1])
    assert refused.value.details[0].code == "TOKEN_REVOKED"
