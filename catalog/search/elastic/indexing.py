"""Writing the Elasticsearch index: documents for given SKUs in bulk, and a full reindex into a
new index with an atomic alias switch (no moment without a complete index behind the alias).

Documents for any number of SKUs are built in five queries per batch (variants with product
and category, stock, explicit prices, breaks, units sold).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from django.db.models import F, Sum
from elasticsearch.helpers import bulk

from catalog.models import SearchDocument, Stock, Variant
from pricing_engine.models import PriceBreak, PriceListItem

from .client import alias_name, client
from .documents import SkuDocument, build_document

BATCH_SIZE = 1000


def _visible(ids: list[int]):
    return (
        Variant.objects.filter(pk__in=ids, is_active=True, product__is_active=True)
        .select_related("product__category__parent")
        .order_by("pk")
    )


def documents_for(variant_ids: Iterable[int]) -> tuple[list[SkuDocument], list[int]]:
    """(documents of the visible SKUs among the ids, ids to delete: inactive or gone)."""
    ids = sorted({int(i) for i in variant_ids})
    variants = list(_visible(ids))
    found = [v.pk for v in variants]
    available = dict(
        Stock.objects.filter(variant_id__in=found)
        .values("variant_id")
        .annotate(units=Sum(F("quantity_on_hand") - F("quantity_allocated")))
        .values_list("variant_id", "units")
    )
    explicit: dict[int, dict[int, object]] = defaultdict(dict)
    for variant_id, list_id, price in PriceListItem.objects.filter(
        variant_id__in=found, price_list__is_active=True
    ).values_list("variant_id", "price_list_id", "unit_price"):
        explicit[variant_id][list_id] = price
    breaks: dict[int, set[int]] = defaultdict(set)
    for variant_id, list_id in PriceBreak.objects.filter(variant_id__in=found, price_list__is_active=True).values_list(
        "variant_id", "price_list_id"
    ):
        breaks[variant_id].add(list_id)
    sold = dict(SearchDocument.objects.filter(variant_id__in=found).values_list("variant_id", "units_sold"))
    documents = [
        build_document(
            v,
            available=int(available.get(v.pk) or 0),
            explicit_prices=explicit.get(v.pk, {}),
            break_lists=breaks.get(v.pk, set()),
            units_sold=int(sold.get(v.pk) or 0),
        )
        for v in variants
    ]
    return documents, sorted(set(ids) - set(found))


def bulk_actions(documents: list[SkuDocument], deleted: list[int], index: str) -> Iterator[dict]:
    for document in documents:
        action = document.to_dict(include_meta=True)
        action["_index"] = index
        yield action
    for variant_id in deleted:
        yield {"_op_type": "delete", "_index": index, "_id": str(variant_id)}


def index_variants(variant_ids: Iterable[int], *, index: str | None = None) -> int:
    """Index (or delete) these SKUs in the live index; returns the actions sent. Idempotent."""
    ids = sorted({int(i) for i in variant_ids})
    sent = 0
    for start in range(0, len(ids), BATCH_SIZE):
        documents, deleted = documents_for(ids[start : start + BATCH_SIZE])
        actions = list(bulk_actions(documents, deleted, index or alias_name()))
        # A delete of a SKU that was never indexed is not an error.
        bulk(client(), actions, raise_on_error=False, raise_on_exception=True, ignore_status=(404,))
        sent += len(actions)
    return sent


def new_index_name(alias: str, now: datetime | None = None) -> str:
    return f"{alias}-{(now or datetime.now(UTC)).strftime('%Y%m%d%H%M%S%f')}"


def reindex(progress=None) -> str:
    """Build a complete new index and switch the alias to it in one atomic alias update, then
    drop the old indices. Searches read the old index until the switch. Returns the new name.
    `progress` is called with the number of SKUs done after each batch (the command's bar)."""
    es = client()
    alias = alias_name()
    name = new_index_name(alias)
    SkuDocument._index.clone(name=name, using=es).create()
    ids = list(Variant.objects.filter(is_active=True, product__is_active=True).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        documents, _ = documents_for(ids[start : start + BATCH_SIZE])
        bulk(es, bulk_actions(documents, [], name), raise_on_error=True)
        if progress is not None:
            progress(min(BATCH_SIZE, len(ids) - start))
    es.indices.refresh(index=name)
    old = list(es.indices.get_alias(name=alias).keys()) if es.indices.exists_alias(name=alias) else []
    actions = [{"remove": {"index": index, "alias": alias}} for index in old]
    actions.append({"add": {"index": name, "alias": alias}})
    es.indices.update_aliases(actions=actions)
    for index in old:
        es.indices.delete(index=index, ignore_unavailable=True)
    return name
