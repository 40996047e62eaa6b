import hashlib
import hmac
import random

import pytest

from integrations import signing
from integrations.delivery import backoff_seconds, classify, parse_retry_after

BODY = b'{"id":"e1","type":"stock.updated","data":{"sku":"85123A"}}'


def test_sign_is_stripe_scheme():
    header = signing.sign("s3cret", BODY, 1_700_000_000)
    expected = hmac.new(b"s3cret", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_verify_accepts_valid_and_rejects_tampering():
    header = signing.sign("s3cret", BODY, 1_700_000_000)
    assert signing.verify("s3cret", BODY, header, now=1_700_000_100)
    assert not signing.verify("other", BODY, header, now=1_700_000_100)
    assert not signing.verify("s3cret", BODY + b" ", header, now=1_700_000_100)
    # outside the tolerance window (replay)
    assert not signing.verify("s3cret", BODY, header, now=1_700_000_301)
    assert signing.verify("s3cret", BODY, header, tolerance=0, now=1_800_000_000)


@pytest.mark.parametrize("header", ["", "garbage", "t=abc,v1=00", "v1=00", "t=1700000000"])
def test_verify_rejects_malformed_headers(header):
    assert not signing.verify("s3cret", BODY, header, now=1_700_000_000)


def test_verify_accepts_any_of_several_signatures_while_rotating():
    new = signing.sign("new", BODY, 1_700_000_000)
    old_sig = signing.compute_signature("old", BODY, 1_700_000_000)
    header = f"{new},v1={old_sig}"
    assert signing.verify("old", BODY, header, now=1_700_000_000)
    assert signing.verify("new", BODY, header, now=1_700_000_000)


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    rng = random.Random(7)
    for attempt, base in [(1, 30), (2, 60), (3, 120), (5, 480)]:
        for _ in range(50):
            assert base * 0.8 <= backoff_seconds(attempt, rng) <= base * 1.2
    assert all(backoff_seconds(n, rng) <= 3600 for n in range(1, 40))
    assert backoff_seconds(30, rng) >= 3600 * 0.8


@pytest.mark.parametrize(
    "status,result",
    [
        (200, "delivered"),
        (204, "delivered"),
        (500, "retry"),
        (503, "retry"),
        (408, "retry"),
        (429, "retry"),
        (None, "retry"),
        (301, "retry"),
        (400, "dead"),
        (404, "dead"),
        (410, "dead"),
    ],
)
def test_classify(status, result):
    assert classify(status) == result


def test_parse_retry_after():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("0") == 1
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("10000000") == 24 * 3600
