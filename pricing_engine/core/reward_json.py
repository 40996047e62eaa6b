"""A promotion's reward from its kind and JSON parameters: the one converter, used by the
back office (what merchandisers type is stored as JSON and checked with it), by the loader
into the core, and by pricing scenarios (codec.py). A ValueError says what is wrong."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from . import promotions as core

REWARD_KINDS = (
    "percent_off",
    "amount_off",
    "fixed_price",
    "quantity_tiers",
    "buy_x_get_y",
    "full_reduction",
    "order_percent_off",
    "gift_with_purchase",
)


# Bounds on what a merchandiser may type: larger values are typing errors, and beyond about
# 10^26 Decimal arithmetic at 38 digits can no longer round them to the minor unit.
MAX_AMOUNT = Decimal("1000000000")  # 1,000,000,000 in the promotion's currency
MAX_DECIMALS = 4
MAX_COUNT = 1_000_000
MAX_GIFT_QUANTITY = 1000


def _decimal(data: dict, key: str, default: object = ...) -> Decimal:
    if key not in data or data[key] is None:
        if default is ...:
            raise ValueError(f'"{key}" is required')
        return default  # type: ignore[return-value]
    value = data[key]
    if isinstance(value, bool):
        raise ValueError(f'"{key}" must be a number, not {value!r}')
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):  # a scenario read with parse_float=Decimal
        number = value
    elif isinstance(value, float | str):  # a JSON number: its shortest repr is what was typed
        text = repr(value) if isinstance(value, float) else value.strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f'"{key}" must be a number, not {value!r}') from None
    else:
        raise ValueError(f'"{key}" must be a number, not {value!r}')
    if not number.is_finite():
        raise ValueError(f'"{key}" must be a finite number')
    if abs(number) > MAX_AMOUNT:
        raise ValueError(f'"{key}" must be at most {MAX_AMOUNT:,}, not {value!r}')
    if -number.as_tuple().exponent > MAX_DECIMALS:
        raise ValueError(f'"{key}" may have at most {MAX_DECIMALS} decimals, not {value!r}')
    return number


def _int(data: dict, key: str, default: object = ...) -> int:
    if key not in data or data[key] is None:
        if default is ...:
            raise ValueError(f'"{key}" is required')
        return default  # type: ignore[return-value]
    value = data[key]
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f'"{key}" must be a whole number, not {value!r}')
    if value > MAX_COUNT:
        raise ValueError(f'"{key}" must be at most {MAX_COUNT:,}, not {value}')
    return value


def _object(value: object, what: str, allowed: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValueError(
            f"{what}: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(allowed))}"
        )
    return value


def _list(data: dict, key: str) -> list:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise ValueError(f'"{key}" must be a non-empty list')
    return value


def build_reward(kind: str, data: object) -> object:
    """The core reward for `kind` and its JSON parameters; ValueError says what is wrong."""
    try:
        return _build_reward(kind, data)
    except TypeError as error:  # the core's own type checks
        raise ValueError(str(error)) from None


def _build_reward(kind: str, data: object) -> object:
    if kind == "percent_off":
        d = _object(data, "reward", {"percent"})
        return core.PercentOff(_decimal(d, "percent"))
    if kind == "amount_off":
        d = _object(data, "reward", {"amount"})
        return core.AmountOff(_decimal(d, "amount"))
    if kind == "fixed_price":
        d = _object(data, "reward", {"unit_price"})
        return core.FixedPrice(_decimal(d, "unit_price"))
    if kind == "quantity_tiers":
        d = _object(data, "reward", {"tiers"})
        tiers = []
        for i, tier in enumerate(_list(d, "tiers")):
            t = _object(tier, f"tier {i + 1}", {"min_quantity", "percent"})
            tiers.append(core.QuantityTier(_int(t, "min_quantity"), _decimal(t, "percent")))
        return core.QuantityTiers(tuple(tiers))
    if kind == "buy_x_get_y":
        d = _object(
            data,
            "reward",
            {"buy_quantity", "get_quantity", "get_sku", "percent", "max_applications"},
        )
        get_sku = d.get("get_sku")
        if get_sku is not None and (not isinstance(get_sku, str) or not get_sku.strip()):
            raise ValueError('"get_sku" must be a SKU or null')
        return core.BuyXGetY(
            buy_quantity=_int(d, "buy_quantity"),
            get_quantity=_int(d, "get_quantity"),
            get_sku=get_sku.strip() if get_sku else None,
            percent=_decimal(d, "percent", Decimal(100)),
            max_applications=_int(d, "max_applications", None),
        )
    if kind == "full_reduction":
        d = _object(data, "reward", {"steps", "repeat", "max_repeats"})
        steps = []
        for i, step in enumerate(_list(d, "steps")):
            s = _object(step, f"step {i + 1}", {"threshold", "amount"})
            steps.append(core.ReductionStep(_decimal(s, "threshold"), _decimal(s, "amount")))
        for lower, higher in zip(steps, steps[1:], strict=False):
            if higher.threshold <= lower.threshold or higher.amount <= lower.amount:
                raise ValueError("ladder steps must rise: each threshold and each amount above the one before")
        for step in steps:
            if step.amount > step.threshold:
                raise ValueError(f"a step cannot take off more than its threshold ({step.amount} off {step.threshold})")
        repeat = d.get("repeat", False)
        if not isinstance(repeat, bool):
            raise ValueError('"repeat" must be true or false')
        return core.FullReduction(
            tuple(steps), repeat=repeat, max_repeats=_int(d, "max_repeats", None)
        )
    if kind == "order_percent_off":
        d = _object(data, "reward", {"percent", "threshold"})
        return core.OrderPercentOff(_decimal(d, "percent"), _decimal(d, "threshold", Decimal(0)))
    if kind == "gift_with_purchase":
        d = _object(data, "reward", {"sku", "threshold", "quantity"})
        sku = d.get("sku")
        if not isinstance(sku, str) or not sku.strip():
            raise ValueError('"sku" (the gift SKU) is required')
        quantity = _int(d, "quantity", 1)
        if quantity > MAX_GIFT_QUANTITY:
            raise ValueError(f'"quantity" of a gift must be at most {MAX_GIFT_QUANTITY}, not {quantity}')
        return core.GiftWithPurchase(sku.strip(), _decimal(d, "threshold"), quantity)
    raise ValueError(f"unknown kind {kind!r}; one of {', '.join(REWARD_KINDS)}")


_KIND_OF = {
    core.PercentOff: "percent_off",
    core.AmountOff: "amount_off",
    core.FixedPrice: "fixed_price",
    core.QuantityTiers: "quantity_tiers",
    core.BuyXGetY: "buy_x_get_y",
    core.FullReduction: "full_reduction",
    core.OrderPercentOff: "order_percent_off",
    core.GiftWithPurchase: "gift_with_purchase",
}


def reward_kind(reward: object) -> str:
    """The kind name of a core reward (the inverse of build_reward's first argument)."""
    return _KIND_OF[type(reward)]
