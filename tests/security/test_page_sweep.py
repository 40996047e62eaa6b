"""The access sweep of the dealer web pages: every storefront URL pattern, its parameters
(if any) filled with each of dealer B's identifiers, fetched and posted to as dealer A's admin (signed in with
the session) and signed out. No page may show one of B's canaries, answer 500, or change a
row of B's. Generated from storefront/urls.py: a new page is swept without new test code.
"""

import re

import pytest
from django.db import transaction
from django.urls import URLPattern, reverse

from storefront.urls import urlpatterns
from tests.security import sweep
from tests.security.world import CANARIES

pytestmark = pytest.mark.django_db

# What a posted form may carry: one request holds every name the dealer forms use, so that
# a view that forgets its check gets as far as acting on B's object.
FORM = {
    "action": "approve",
    "decision": "approve",
    "outcome": "win",
    "body": "sweep",
    "reason": "sweep",
    "name": "sweep",
    "quantity": "1",
    "sku": "SWEEP-HAMMER",
    "email": "sweep-nobody@example.com",
    "role": "buyer",
}
ACTIONS = [
    "approve",
    "reject",
    "submit",
    "cancel",
    "withdraw",
    "delete",
    "win",
    "claim",
    "acknowledge",
    "resend",
    "revoke",
]
# B's amounts as a page writes them: 7.77, not 17.77 or 7.775.
AMOUNTS = {
    key: re.compile(r"(?<![\d.])" + re.escape(CANARIES[key].strip('"')) + r"(?!\d)")
    for key in ("contract_price", "contract_total")
}
# Every page, those without a parameter too (lists must hold only the viewer's own rows);
# signing out would end the sweep's session.
PATTERNS = sorted(
    (p for p in urlpatterns if isinstance(p, URLPattern) and p.name != "logout"),
    key=lambda p: p.name,
)


def _values(converter, world) -> list[str]:
    """B's numeric keys for an <int:…> part, its other keys (numbers, codes, slugs) elsewhere."""
    identifiers = world.all_identifiers()
    numeric = converter.regex in (r"[0-9]+", "[0-9]+")
    return [value for value in identifiers if value.isdigit() == numeric]


def _urls(pattern, world) -> list[str]:
    names = list(pattern.pattern.converters)
    if not names:
        return [reverse(f"storefront:{pattern.name}")]
    urls = []
    for name in names:
        for value in _values(pattern.pattern.converters[name], world):
            kwargs = {
                other: _values(pattern.pattern.converters[other], world)[0] for other in names
            }
            kwargs[name] = value
            urls.append(reverse(f"storefront:{pattern.name}", kwargs=kwargs))
    return list(dict.fromkeys(urls))


# Files any signed-in dealer may download (catalog pictures, course material, its own statement
# and the quick-order template): every other file page answers only its owner.
SHARED_FILES = {
    "product_image",
    "product_image_thumbnail",
    "academy_lesson_document",
    "quick_order_template",
    "statement_file",
}


def _check(response, who: str, url: str, pattern=None):
    assert response.status_code != 500, f"{who}: {url} answered 500"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8", "replace")
    kind = response.get("Content-Type", "")
    if (
        pattern is not None
        and pattern.name not in SHARED_FILES
        and response.status_code == 200
        and "text/html" not in kind
    ):
        # A file (PDF, picture) shows no canary to a text search: that it is served at all is the leak.
        pytest.fail(f"{who} downloaded {url} ({kind}): a file of B's?")
    leaked = [key for key, canary in CANARIES.items() if key not in AMOUNTS and canary in text]
    leaked += [key for key, pattern in AMOUNTS.items() if pattern.search(text)]
    assert not leaked, f"{who} read B's {leaked} on {url} (HTTP {response.status_code})"


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_page_shows_and_changes_nothing_of_another_dealer(pattern, world, client):
    owned = world.b_owned
    urls = _urls(pattern, world)
    for who in ("a_admin", "anonymous"):
        client.logout()
        if who == "a_admin":
            client.force_login(world.a.admin)
        counters = sweep.write_counters()
        savepoint = transaction.savepoint()
        try:
            for i, url in enumerate(urls):
                _check(client.get(url), who, url, pattern)
                if who == "a_admin":  # signed out, every dealer page sends to the sign-in page
                    _check(
                        client.post(url, {**FORM, "action": ACTIONS[i % len(ACTIONS)]}),
                        who,
                        f"POST {url}",
                    )
            written = {
                label: owned[label]
                for label in sweep.written_labels(counters, sweep.write_counters(), owned)
            }
            after = sweep.fingerprint(written)
        finally:
            transaction.savepoint_rollback(savepoint)
        changed = sweep.differences(sweep.fingerprint(written), after)
        assert not changed, f"{who} changed B's rows through {pattern.name}: {changed}"


def test_b_itself_downloads_its_files_so_the_file_check_means_something(world, client):
    """B's admin gets B's comment attachment and marketing proof (200, not HTML): the very
    answer the sweep refuses to anyone else."""
    client.force_login(world.b.admin)
    assert set(world.b_files) == {"attachment", "fund_proof_file"}
    for name, pk in world.b_files.items():
        url = reverse(f"storefront:{name}", args=[pk])
        response = client.get(url)
        assert response.status_code == 200 and "text/html" not in response["Content-Type"], url
