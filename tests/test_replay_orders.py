"""replay_orders on a slice of real invoices: cart, checkout on account, order, webhooks."""

import csv
import gzip
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.models import Stock
from integrations.models import Delivery, OutboxEvent
from integrations.services import add_endpoint
from integrations.signing import verify
from partners.models import CreditAccount
from storefront.models import Cart, Order
from tests.erp_receiver import Receiver

SAMPLE = "sample_data/online-retail-2010-12.csv.gz"
SECRET = "replay-secret"


def _slice(tmp_path, start: int, stop: int):
    """Rows [start, stop) of the bundled month, cut at invoice boundaries, as a .csv.gz file."""
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    while start and body[start][0] == body[start - 1][0]:
        start += 1
    while stop < len(body) and body[stop][0] == body[stop - 1][0]:
        stop += 1
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body[start:stop]])
    path = tmp_path / f"slice-{start}.csv.gz"
    path.write_bytes(gzip.compress(out.getvalue().encode()))
    return path, body[start:stop]


@pytest.mark.django_db(transaction=True)
def test_replay_places_real_invoices_and_the_erp_receives_them(tmp_path, capsys):
    history, _ = _slice(tmp_path, 0, 3000)
    call_command("import_online_retail", str(history))
    capsys.readouterr()
    replay, rows = _slice(tmp_path, 3000, 4200)
    erp = Receiver().start()
    try:
        add_endpoint(erp.url, SECRET, ["order.confirmed"])
        call_command("replay_orders", str(replay))
    finally:
        erp.stop()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("orders placed: ") and lines[1].startswith("invoices rejected: ")
    placed, rejected = int(lines[0].split(": ")[1]), int(lines[1].split(": ")[1])

    known = {r[0] for r in rows if r[6] and not r[0].startswith("C") and r[1].upper() not in {"POST", "M", "DOT", "C2"}}
    assert placed + rejected == len(known)
    assert placed >= 0.95 * len(known)  # nearly every real invoice of a known dealer is placed
    assert Order.objects.filter(source=Order.Source.REPLAY).count() == placed
    # Each replayed order was confirmed through checkout: lines add up, stock allocated, credit taken.
    for order in Order.objects.filter(source=Order.Source.REPLAY).prefetch_related("lines")[:20]:
        assert order.total == sum(line.line_total for line in order.lines.all())
        assert order.status == Order.Status.CONFIRMED
    assert Stock.objects.filter(quantity_allocated__gt=0).exists()
    assert CreditAccount.objects.filter(outstanding__gt=0).exists()
    assert not Cart.objects.filter(lines__isnull=False).exists()  # carts emptied, rejected ones too
    # The ERP heard of every order, signed.
    assert Delivery.objects.filter(state=Delivery.State.DELIVERED).count() == placed
    assert len(erp.requests) == placed
    assert all(verify(SECRET, r.body, r.headers["x-mall-signature"]) for r in erp.requests)

    # Running it again places nothing twice.
    call_command("replay_orders", str(replay))
    again = capsys.readouterr().out.splitlines()
    assert again[0] == "orders placed: 0"
    assert Order.objects.filter(source=Order.Source.REPLAY).count() == placed


@pytest.mark.django_db
def test_without_restock_orders_need_stock_on_hand(tmp_path, capsys):
    history, _ = _slice(tmp_path, 0, 1500)
    call_command("import_online_retail", str(history))
    capsys.readouterr()
    Stock.objects.update(quantity_on_hand=0)  # an empty warehouse
    replay, _ = _slice(tmp_path, 1500, 2000)
    call_command("replay_orders", str(replay), "--no-restock")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "orders placed: 0"
    assert "INSUFFICIENT_STOCK" in out
    assert not OutboxEvent.objects.filter(event_type="order.confirmed").exists()


@pytest.mark.django_db
def test_limit_and_tier_price(tmp_path, capsys):
    history, _ = _slice(tmp_path, 0, 1500)
    call_command("import_online_retail", str(history))
    capsys.readouterr()
    replay, _ = _slice(tmp_path, 1500, 3000)
    call_command("replay_orders", str(replay), "--limit", "3")
    assert capsys.readouterr().out.splitlines()[0] == "orders placed: 3"
    line = Order.objects.filter(source=Order.Source.REPLAY).first().lines.first()
    tier = line.order.company.tier.code
    off = {"PLATINUM": Decimal("0.85"), "GOLD": Decimal("0.90"), "SILVER": Decimal("0.95"), "STANDARD": Decimal("1")}[tier]
    at_tier = (line.list_price * off).quantize(Decimal("0.01"))
    # The tier price, or a volume break below it (never more than the tier price).
    assert line.unit_price <= at_tier
    assert line.waterfall[0] == {"kind": "list", "label": "List price", "unit_price": str(line.list_price), "change": "0.00"}
