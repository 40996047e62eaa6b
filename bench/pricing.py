"""Pricing core benchmark: a 200-line cart against 100 active promotions, priced by
DealerMall's pure core (`pricing_engine.core.price_cart`, no database) and, side by side,
the same basket priced by django-oscar's offer engine with equivalent offers.

    .venv/bin/python bench/pricing.py            # both sides
    .venv/bin/python bench/pricing.py --no-oscar # DealerMall only

DealerMall side: 200 catalog items in 10 categories (list prices 1.50 to 480.00 GBP), the
Gold tier list (10 % off list by default, 30 explicit prices, volume breaks on 40 SKUs),
100 live promotions (percentage and amount off on categories and SKU sets, quantity tiers,
buy X get Y, exclusive ones, stacking groups, full-reduction ladders, repeating
reductions, percentage off the order), a 200-line cart. The request is built once (the
loader's database reads are not timed); `price_cart(request)` is timed after a warm-up.

Oscar side: bench/oscar_side/run_offers.py, run with the python of its own virtual
environment, bench/.oscar-venv (made here on first use, from the exact pins in
bench/oscar_side/requirements.txt; django-oscar is never a dependency of the project). It
gets the same products at the same unit prices, the same basket and the promotions
translated into Oscar offers (see `oscar_offers`; where Oscar has no equivalent the closest
is used, docs/performance.md lists the differences) and times `Applicator().apply(...)`.

Last line: `median_ms=<n> oscar_median_ms=<n> ratio=<n>` (ratio = Oscar / DealerMall).
Targets: median <= 5 ms, ratio >= 10.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pricing_scenario import build_scenario  # noqa: E402

from pricing_engine.core import (  # noqa: E402
    AmountOff,
    BuyXGetY,
    FullReduction,
    OrderPercentOff,
    PercentOff,
    PricingRequest,
    ProductScope,
    Promotion,
    QuantityTiers,
    price_cart,
)

OSCAR_SIDE = ROOT / "bench" / "oscar_side"
OSCAR_VENV = ROOT / "bench" / ".oscar-venv"
REQUIREMENTS = OSCAR_SIDE / "requirements.txt"
# ---------------------------------------------------------------- Oscar's terms


def _range(scope: ProductScope) -> dict:
    if scope.skus:
        return {"skus": list(scope.skus)}
    if scope.categories:
        return {"categories": list(scope.categories)}
    return {"all": True}


def _oscar_priority(p: Promotion) -> int:
    """Oscar applies higher priorities first: exclusive line promotions, then the other line
    promotions, then order promotions; within each, DealerMall's order (lower first)."""
    return (
        30000 if p.exclusive else 20000 if p.level.value == "line" else 10000
    ) - 100 * p.priority


def _offer(p: Promotion, suffix, condition, benefit, priority, max_applications, siblings):
    return {
        "name": f"{p.id} {p.name}{suffix}",
        "priority": priority,
        "max_applications": max_applications,
        "range": _range(p.scope),
        "condition": {"type": condition[0], "value": str(condition[1])},
        "benefit": {"type": benefit[0], "value": str(benefit[1])},
        "line_level": p.level.value == "line",
        "exclusive": p.exclusive,
        "group": p.stacking_group or siblings,  # offers of one group do not combine
    }


def oscar_offers(promotions) -> list[dict]:
    """The promotions as Oscar offers: a range, a condition, a benefit, a priority, at most
    how many applications, and the offers it may combine with on the same items.

    Oscar applies every offer in one sequence by descending priority, so line promotions
    get the higher priorities (exclusive ones first) and order promotions come after them.
    Every offer is non-exclusive in Oscar's sense and the combinations say what may stack:
    a DealerMall exclusive combines with order offers only; the members of a stacking group,
    the steps of one ladder and the tiers of one quantity-tier promotion do not combine with
    each other (Oscar then keeps the first by priority, not the one worth most).
    """
    offers = []
    for p in promotions:
        reward = p.reward
        base = _oscar_priority(p)

        def offer(
            suffix, condition, benefit, priority=base, max_applications=1, siblings=None, p=p
        ):
            offers.append(
                _offer(p, suffix, condition, benefit, priority, max_applications, siblings)
            )

        if isinstance(reward, PercentOff):
            offer("", ("Count", 1), ("Percentage", reward.percent))
        elif isinstance(reward, AmountOff):
            offer("", ("Count", 1), ("Fixed", reward.amount))  # Oscar's "fixed unit discount"
        elif isinstance(reward, QuantityTiers):
            for k, tier in enumerate(reward.tiers):
                offer(
                    f" {tier.min_quantity}+",
                    ("Count", tier.min_quantity),
                    ("Percentage", tier.percent),
                    priority=base + k,
                    siblings=p.id,
                )
        elif isinstance(reward, BuyXGetY):
            assert reward.get_quantity == 1 and reward.get_sku is None
            offer(
                "",
                ("Count", reward.buy_quantity + 1),
                ("Multibuy", 0),
                max_applications=reward.max_applications,
            )
        elif isinstance(reward, FullReduction) and reward.repeat:
            (step,) = reward.steps
            offer(
                "",
                ("Value", step.threshold),
                ("Absolute", step.amount),
                max_applications=reward.max_repeats,
            )
        elif isinstance(reward, FullReduction):
            for k, step in enumerate(reward.steps):  # highest step first, the others excluded
                offer(
                    f" step {k + 1}",
                    ("Value", step.threshold),
                    ("Absolute", step.amount),
                    priority=base + k,
                    siblings=p.id,
                )
        elif isinstance(reward, OrderPercentOff):
            condition = ("Value", reward.threshold) if reward.threshold else ("Count", 1)
            offer("", condition, ("Percentage", reward.percent))
        else:
            raise TypeError(f"no Oscar equivalent for {type(reward).__name__}")

    def combine(a: dict, b: dict) -> bool:
        if a["group"] is not None and a["group"] == b["group"]:
            return False
        if (a["exclusive"] or b["exclusive"]) and a["line_level"] and b["line_level"]:
            return False
        return True

    for a in offers:
        a["combines_with"] = [b["name"] for b in offers if b is not a and combine(a, b)]
    for a in offers:
        for key in ("line_level", "exclusive", "group"):
            del a[key]
    return offers


def oscar_spec(request: PricingRequest, bases: dict) -> dict:
    return {
        "currency": request.currency,
        "products": [
            {
                "sku": sku,
                "title": f"Product {sku}",
                "categories": list(item.categories),
                "price": str(bases[sku]),
            }
            for sku, item in request.items.items()
        ],
        "lines": [{"sku": line.sku, "quantity": line.quantity} for line in request.lines],
        "offers": oscar_offers(request.promotions),
    }


# ---------------------------------------------------------------- running


def timed(fn, warmup: int, runs: int) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def oscar_python() -> Path:
    """The Oscar venv's python, made (or remade when the pins changed) on first use."""
    python = OSCAR_VENV / "bin" / "python"
    marker = OSCAR_VENV / ".installed"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and marker.exists() and marker.read_text() == digest:
        return python
    print(
        f"oscar: installing {REQUIREMENTS.relative_to(ROOT)} into "
        f"{OSCAR_VENV.relative_to(ROOT)} ...",
        file=sys.stderr,
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(OSCAR_VENV)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(REQUIREMENTS),
        ],
        check=True,
    )
    marker.write_text(digest)
    print(f"oscar: installed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return python


def run_oscar(spec: dict, runs: int, engine_runs: int, max_seconds: float) -> dict:
    python = oscar_python()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(
            {**spec, "runs": runs, "engine_runs": engine_runs, "max_seconds": max_seconds}, handle
        )
    try:
        done = subprocess.run(
            [str(python), str(OSCAR_SIDE / "run_offers.py"), handle.name],
            cwd=OSCAR_SIDE,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
    finally:
        Path(handle.name).unlink()
    last = done.stdout.strip().splitlines()[-1]
    print(f"oscar: {last}")
    return dict(pair.split("=", 1) for pair in last.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="timed runs of price_cart")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--oscar-runs",
        type=int,
        default=5,
        help="timed runs of Oscar's apply() (each takes seconds)",
    )
    parser.add_argument(
        "--oscar-engine-runs",
        type=int,
        default=3,
        help="timed runs of apply_offers() with the offers preloaded",
    )
    parser.add_argument(
        "--oscar-max-seconds",
        type=float,
        default=150,
        help="stop each series of Oscar's runs after this long (at least 3)",
    )
    parser.add_argument("--no-oscar", action="store_true", help="time DealerMall only")
    args = parser.parse_args()

    request, bases = build_scenario()
    cart = price_cart(request)
    assert cart.ok and len(cart.lines) == 200, cart.errors
    before = sum((bases[line.sku] * line.quantity for line in request.lines), Decimal(0))
    print(
        f"dealermall: {len(cart.lines)} lines, {len(request.promotions)} promotions, "
        f"{len(cart.applied)} applied; before_promotions={before} "
        f"line_promotions={before - cart.subtotal} subtotal={cart.subtotal} "
        f"order_discounts={cart.order_discount_total} total={cart.total}"
    )
    times = timed(lambda: price_cart(request), args.warmup, args.runs)
    median = statistics.median(times)
    print(f"dealermall: median_ms={median:.2f} p95_ms={p95(times):.2f} runs={len(times)}")
    if args.no_oscar:
        print(f"median_ms={median:.2f}")
        return
    try:
        oscar = run_oscar(
            oscar_spec(request, bases),
            args.oscar_runs,
            args.oscar_engine_runs,
            args.oscar_max_seconds,
        )
        oscar_median = float(oscar["oscar_median_ms"])
    except (subprocess.CalledProcessError, OSError, KeyError, ValueError, IndexError) as err:
        print(f"oscar: failed ({err}); see the output above", file=sys.stderr)
        print(f"median_ms={median:.2f} oscar_median_ms=nan ratio=nan")
        sys.exit(1)
    print(
        f"median_ms={median:.2f} oscar_median_ms={oscar_median:.1f} "
        f"ratio={oscar_median / median:.1f}"
    )


if __name__ == "__main__":
    main()
