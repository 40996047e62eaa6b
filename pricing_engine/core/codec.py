"""The documented JSON form of a pricing scenario, and of a priced cart (docs/pricing.md §7).

A scenario is everything the core needs — dealer, lines, catalog items, price sources,
promotions, vouchers, rebate use, moment — as plain JSON. Amounts are strings ("2.55") or
JSON numbers read as exact decimals (`json.loads(..., parse_float=Decimal)`), never floats.
`request_from_dict` builds a PricingRequest (a bad field raises ScenarioError naming it);
`cart_to_dict` turns a PricedCart back into JSON-ready data, amounts as strings.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum

from .promotions import Audience, ProductScope, Promotion
from .reward_json import build_reward, reward_kind
from .types import (
    CatalogItem,
    DealerContext,
    LineRequest,
    PriceBreak,
    PriceSource,
    PricingRequest,
    SourceKind,
)
from .vouchers import Voucher


class ScenarioError(ValueError):
    """A scenario that cannot be read; `path` says where (e.g. "promotions[2].reward.percent")."""

    def __init__(self, path: str, message: str):
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}")


def _dec(value, path: str) -> Decimal:
    if isinstance(value, float) or isinstance(value, bool):
        raise ScenarioError(path, "amounts are strings or exact decimals, not floats")
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError) as exc:
        raise ScenarioError(path, f"{value!r} is not an amount") from exc


def _opt_dec(data: dict, key: str, path: str) -> Decimal | None:
    return None if data.get(key) is None else _dec(data[key], f"{path}.{key}")


def _moment(value, path: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ScenarioError(path, f"{value!r} is not an ISO-8601 date-time") from exc
    if moment.tzinfo is None:
        raise ScenarioError(path, "give a time zone offset (e.g. 2026-12-03T10:00:00+00:00)")
    return moment


def reward_from_dict(kind: str, data: dict, path: str = "reward") -> object:
    """One promotion reward, through the one converter the back office uses too."""
    try:
        return build_reward(kind, data)
    except ValueError as exc:
        raise ScenarioError(path, str(exc)) from exc


def _scope(data: dict | None) -> ProductScope:
    data = data or {}
    return ProductScope(
        tuple(data.get("skus", ())), tuple(data.get("categories", ())), tuple(data.get("tags", ()))
    )


def _audience(data: dict | None) -> Audience:
    data = data or {}
    return Audience(
        tuple(data.get("tiers", ())),
        tuple(data.get("regions", ())),
        tuple(data.get("dealer_ids", ())),
    )


def _build(path: str, make):
    try:
        return make()
    except ScenarioError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(path, str(exc)) from exc


def request_from_dict(data: dict) -> PricingRequest:
    if not isinstance(data, dict):
        raise ScenarioError("$", "a scenario is a JSON object")
    currency = data.get("currency")
    dealer = data.get("dealer") or {}
    items = {}
    for i, raw in enumerate(data.get("items") or []):
        p = f"items[{i}]"
        items[raw.get("sku")] = _build(
            p,
            lambda raw=raw, p=p: CatalogItem(
                sku=raw["sku"],
                list_price=_dec(raw["list_price"], f"{p}.list_price"),
                currency=raw.get("currency", currency),
                min_quantity=int(raw.get("min_quantity", 1)),
                max_quantity=raw.get("max_quantity"),
                order_multiple=int(raw.get("order_multiple", 1)),
                categories=tuple(raw.get("categories", ())),
                tags=tuple(raw.get("tags", ())),
            ),
        )
    sources = tuple(
        _build(
            f"sources[{i}]",
            lambda s=s, p=f"sources[{i}]": PriceSource(
                kind=SourceKind(s["kind"]),
                name=s["name"],
                currency=s.get("currency", currency),
                explicit_prices={
                    k: _dec(v, f"{p}.prices.{k}") for k, v in (s.get("prices") or {}).items()
                },
                breaks={
                    k: tuple(
                        PriceBreak(int(b["min_quantity"]), _dec(b["unit_price"], f"{p}.breaks.{k}"))
                        for b in v
                    )
                    for k, v in (s.get("breaks") or {}).items()
                },
                default_discount_percent=_opt_dec(s, "default_discount_percent", p),
                valid_from=_moment(s.get("valid_from"), f"{p}.valid_from"),
                valid_until=_moment(s.get("valid_until"), f"{p}.valid_until"),
            ),
        )
        for i, s in enumerate(data.get("sources") or [])
    )
    promotions = tuple(
        _build(
            f"promotions[{i}]",
            lambda r=r, i=i, p=f"promotions[{i}]": Promotion(
                id=str(r.get("id", i)),
                name=r["name"],
                reward=reward_from_dict(r.get("kind"), r.get("reward"), f"{p}.reward"),
                scope=_scope(r.get("scope")),
                audience=_audience(r.get("audience")),
                currency=r.get("currency", currency),
                starts_at=_moment(r.get("starts_at"), f"{p}.starts_at"),
                ends_at=_moment(r.get("ends_at"), f"{p}.ends_at"),
                priority=int(r.get("priority", 0)),
                exclusive=bool(r.get("exclusive", False)),
                stacking_group=r.get("stacking_group"),
                budget_amount=_opt_dec(r, "budget_amount", p),
                budget_uses=r.get("budget_uses"),
            ),
        )
        for i, r in enumerate(data.get("promotions") or [])
    )
    vouchers = tuple(
        _build(
            f"vouchers[{i}]",
            lambda v=v, p=f"vouchers[{i}]": Voucher(
                code=v["code"],
                name=v.get("name", ""),
                percent=_opt_dec(v, "percent", p),
                amount=_opt_dec(v, "amount", p),
                currency=v.get("currency", currency),
                scope=_scope(v.get("scope")),
                audience=_audience(v.get("audience")),
                min_spend=_opt_dec(v, "min_spend", p),
                once_per_order=bool(v.get("once_per_order", False)),
                uses_remaining=v.get("uses_remaining"),
                dealer_uses_remaining=v.get("dealer_uses_remaining"),
                starts_at=_moment(v.get("starts_at"), f"{p}.starts_at"),
                ends_at=_moment(v.get("ends_at"), f"{p}.ends_at"),
            ),
        )
        for i, v in enumerate(data.get("vouchers") or [])
    )
    ids = [p.id for p in promotions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ScenarioError("promotions", f"promotion ids must be unique: {', '.join(duplicates)}")
    codes = data.get("voucher_codes", ())
    if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
        raise ScenarioError("voucher_codes", "a list of codes (strings)")
    return _build(
        "$",
        lambda: PricingRequest(
            dealer=DealerContext(
                str(dealer.get("company_id", "")), dealer.get("tier"), dealer.get("region")
            ),
            lines=tuple(
                LineRequest(str(line["sku"]), line["quantity"]) for line in data.get("lines") or []
            ),
            items=items,
            sources=sources,
            currency=currency,
            moment=_moment(data.get("moment"), "moment"),
            promotions=promotions,
            vouchers=vouchers,
            voucher_codes=tuple(data.get("voucher_codes", ())),
            rebate_credit=_dec(data.get("rebate_credit", "0"), "rebate_credit"),
            rebate_max_share=_dec(data.get("rebate_max_share", "1"), "rebate_max_share"),
        ),
    )


def cart_to_dict(value):
    """Any core output (PricedCart and what it holds) as JSON-ready data; amounts as strings."""
    if is_dataclass(value):
        return {f.name: cart_to_dict(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [cart_to_dict(v) for v in value]
    if isinstance(value, dict):
        return {str(k): cart_to_dict(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- request -> scenario


def _str_amount(value):
    return None if value is None else format(value, "f")


def _iso(value: datetime | None):
    return None if value is None else value.isoformat()


def _scope_dict(scope) -> dict:
    return {
        "skus": list(scope.skus),
        "categories": list(scope.categories),
        "tags": list(scope.tags),
    }


def _audience_dict(audience) -> dict:
    return {
        "tiers": list(audience.tiers),
        "regions": list(audience.regions),
        "dealer_ids": list(audience.dealer_ids),
    }


def _with_currency(data: dict, currency: str | None) -> dict:
    if currency:  # absent: the cart's currency (the scenario has no "any currency")
        data["currency"] = currency
    return data


def request_to_dict(request: PricingRequest) -> dict:
    """The pricing scenario of `request`: `request_from_dict` of it (and `manage.py price_cart`)
    prices the same cart. Used by the back office's "download as scenario"."""
    return {
        "currency": request.currency,
        "moment": request.moment.isoformat(),
        "dealer": {
            "company_id": request.dealer.company_id,
            "tier": request.dealer.tier,
            "region": request.dealer.region,
        },
        "lines": [{"sku": line.sku, "quantity": line.quantity} for line in request.lines],
        "items": [
            {
                "sku": item.sku,
                "list_price": _str_amount(item.list_price),
                "currency": item.currency,
                "min_quantity": item.min_quantity,
                "max_quantity": item.max_quantity,
                "order_multiple": item.order_multiple,
                "categories": list(item.categories),
                "tags": list(item.tags),
            }
            for item in request.items.values()
        ],
        "sources": [
            {
                "kind": source.kind.value,
                "name": source.name,
                "currency": source.currency,
                "prices": {
                    sku: _str_amount(price) for sku, price in source.explicit_prices.items()
                },
                "breaks": {
                    sku: [
                        {"min_quantity": b.min_quantity, "unit_price": _str_amount(b.unit_price)}
                        for b in breaks
                    ]
                    for sku, breaks in source.breaks.items()
                },
                "default_discount_percent": _str_amount(source.default_discount_percent),
                "valid_from": _iso(source.valid_from),
                "valid_until": _iso(source.valid_until),
            }
            for source in request.sources
        ],
        "promotions": [
            _with_currency(
                {
                    "id": p.id,
                    "name": p.name,
                    "kind": reward_kind(p.reward),
                    "reward": cart_to_dict(p.reward),
                    "scope": _scope_dict(p.scope),
                    "audience": _audience_dict(p.audience),
                    "starts_at": _iso(p.starts_at),
                    "ends_at": _iso(p.ends_at),
                    "priority": p.priority,
                    "exclusive": p.exclusive,
                    "stacking_group": p.stacking_group,
                    "budget_amount": _str_amount(p.budget_amount),
                    "budget_uses": p.budget_uses,
                },
                p.currency,
            )
            for p in request.promotions
        ],
        "vouchers": [
            _with_currency(
                {
                    "code": v.code,
                    "name": v.name,
                    "percent": _str_amount(v.percent),
                    "amount": _str_amount(v.amount),
                    "scope": _scope_dict(v.scope),
                    "audience": _audience_dict(v.audience),
                    "min_spend": _str_amount(v.min_spend),
                    "once_per_order": v.once_per_order,
                    "uses_remaining": v.uses_remaining,
                    "dealer_uses_remaining": v.dealer_uses_remaining,
                    "starts_at": _iso(v.starts_at),
                    "ends_at": _iso(v.ends_at),
                },
                v.currency,
            )
            for v in request.vouchers
        ],
        "voucher_codes": list(request.voucher_codes),
        "rebate_credit": _str_amount(request.rebate_credit),
        "rebate_max_share": _str_amount(request.rebate_max_share),
    }
