"""The dealer's price lists and live promotions for a search, in one small query (PostgreSQL).

A search needs the price lists that apply to the dealer now (to price inside the query) and
the dealer's live line promotions (the promotion facet, the cards' badges). Loading them with
the ORM cost two to seven queries and most of a short search's time in Python. Here one raw
query returns both:
- the applicable price lists themselves: the rule of `pricing_engine.loaders.
  applicable_price_lists` (the dealer's contract lists, then its tier's lists, active and
  valid at `moment`, by kind, priority and id), only the columns search reads;
- a fingerprint of everything the live promotions are built from: the rows of the active
  promotions live at `moment` and of their scope and audience relations (with the SKUs'
  codes).
The promotions are then built once per fingerprint (`load_promotions`) and kept in Django's
cache: any change to a promotion — a back-office save, a budget taken by a checkout, a SKU
added to its scope, one starting or ending — changes the fingerprint, so the next search sees
it at once, in every process, whichever way it was written. Only renaming a tier's or
region's code is seen after SEARCH_PROMOTIONS_CACHE_SECONDS (default 300).
"""

import json
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from partners.models import Company
from pricing_engine.models import PriceList, Promotion
from pricing_engine.promotion_loaders import load_promotions

DEFAULT_CACHE_SECONDS = 300
_KIND_ORDER = {PriceList.Kind.CONTRACT: 0, PriceList.Kind.TIER: 1}


def _relation_rows(field_name: str, other: str) -> str:
    through = Promotion._meta.get_field(field_name).remote_field.through._meta
    column = through.get_field(other).column
    if field_name == "skus":  # the core's scope holds SKU codes: a renamed SKU changes it
        return (
            f"SELECT 's' || r.promotion_id || '/' || v.sku FROM {through.db_table} r "
            f"JOIN catalog_variant v ON v.id = r.{column} WHERE r.promotion_id IN (SELECT id FROM live)"
        )
    return (
        f"SELECT '{field_name[0]}' || r.promotion_id || '/' || r.{column} FROM {through.db_table} r "
        "WHERE r.promotion_id IN (SELECT id FROM live)"
    )


def _snapshot_sql() -> str:
    relations = " UNION ALL ".join(
        _relation_rows(name, other)
        for name, other in (
            ("skus", "variant"), ("categories", "category"), ("tiers", "tier"), ("regions", "region"), ("companies", "company"),
        )
    )
    return f"""
WITH live AS (
    SELECT p.* FROM pricing_engine_promotion p
    WHERE p.is_active AND (p.starts_at IS NULL OR p.starts_at <= %(moment)s) AND (p.ends_at IS NULL OR p.ends_at > %(moment)s)
)
SELECT
    (SELECT json_agg(json_build_array(l.id, l.name, l.kind, l.priority, l.currency, l.default_discount_percent::text))
     FROM pricing_engine_pricelist l
     WHERE l.is_active
       AND ((l.kind = 'contract' AND l.company_id = %(company)s) OR (l.kind = 'tier' AND l.tier_id = %(tier)s))
       AND (l.valid_from IS NULL OR l.valid_from <= %(moment)s) AND (l.valid_until IS NULL OR l.valid_until > %(moment)s)),
    (SELECT count(*) FROM live),
    (SELECT md5(COALESCE(string_agg(live::text, '|' ORDER BY live.id), '')) FROM live),
    (SELECT md5(COALESCE(string_agg(x.r, '|' ORDER BY x.r), '')) FROM ({relations}) AS x(r))
"""


def _price_list(row: list) -> PriceList:
    pk, name, kind, priority, currency, percent = row
    return PriceList(
        pk=pk, name=name, kind=kind, priority=priority, currency=currency,
        default_discount_percent=None if percent is None else Decimal(percent),
    )


def snapshot(company: Company, moment: datetime) -> tuple[list[PriceList], tuple]:
    """(the applicable price lists in precedence order, the promotions `load_promotions`
    gives for this dealer at `moment`): one query, plus the promotion loader's on a change."""
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql(), {"moment": moment, "company": company.pk, "tier": company.tier_id})
        lists_json, live_count, promotions_hash, relations_hash = cursor.fetchone()
    rows = json.loads(lists_json) if isinstance(lists_json, str) else (lists_json or [])
    lists = sorted((_price_list(r) for r in rows), key=lambda pl: (_KIND_ORDER[pl.kind], pl.priority, pl.pk))
    if not live_count:  # no promotion is live: nothing to build or cache
        return lists, ()
    key = f"search-promotions:{company.pk}:{company.tier_id}:{company.region_id}:{promotions_hash}:{relations_hash}"
    promotions = cache.get(key)
    if promotions is None:
        promotions = load_promotions(company, moment)
        cache.set(key, promotions, int(getattr(settings, "SEARCH_PROMOTIONS_CACHE_SECONDS", DEFAULT_CACHE_SECONDS)))
    return lists, promotions
