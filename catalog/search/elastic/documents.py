"""The Elasticsearch index of SKUs: mapping, analyzers, and the document built for one SKU.

Analyzers:
- SKUs: a lowercase keyword (exact match), edge n-grams of it (prefixes: "851" finds 85123A)
  and its parts split at punctuation ("ABC/123" has "abc" and "123");
- text (names, category, description): the built-in `english` analyzer (stemming), and a
  `cjk` sub-field: the built-in CJK bigram analyzer, because the smartcn / IK plugins for
  Chinese word segmentation are not installed on every cluster.
Prices: the list price, each price list's explicit price for the SKU (`list_prices.pl_<id>`),
and the lists that only have volume breaks for it; the dealer's price is computed from them
at query time (queries.py), so one index serves every dealer.
"""

from decimal import Decimal

from elasticsearch_dsl import (
    Boolean,
    Date,
    Document,
    Integer,
    Keyword,
    Long,
    MetaField,
    Object,
    ScaledFloat,
    Text,
    analyzer,
    normalizer,
    token_filter,
    tokenizer,
)

# Prices are stored as longs of 1/10000 of a unit: exact for every currency's minor unit.
PRICE_SCALE = 10_000

lowercase = normalizer("sku_lowercase", filter=["lowercase", "asciifolding"])
sku_prefix = analyzer(
    "sku_prefix",
    tokenizer="keyword",
    filter=["lowercase", token_filter("sku_edge_ngram", "edge_ngram", min_gram=1, max_gram=32)],
)
sku_search = analyzer("sku_search", tokenizer="keyword", filter=["lowercase"])
sku_parts = analyzer("sku_parts", tokenizer=tokenizer("sku_split", "pattern", pattern="[^\\p{L}\\p{N}]+"), filter=["lowercase"])


def _text(*, sortable: bool = False) -> Text:
    fields = {"cjk": Text(analyzer="cjk")}
    if sortable:
        fields["sort"] = Keyword(normalizer=lowercase)
    return Text(analyzer="english", fields=fields)


class SkuDocument(Document):
    variant_id = Long()
    product_id = Long()
    sku = Keyword(
        normalizer=lowercase,
        fields={"prefix": Text(analyzer=sku_prefix, search_analyzer=sku_search), "parts": Text(analyzer=sku_parts)},
    )
    name = _text(sortable=True)
    product_name = _text(sortable=True)
    category_name = _text()
    description = _text()
    category_id = Long()
    category_slug = Keyword()  # its own category (the category facet)
    category_slugs = Keyword()  # its own slug and its parent's: a filter on a parent takes children
    currency = Keyword()
    list_price = ScaledFloat(scaling_factor=PRICE_SCALE)
    list_prices = Object(dynamic=True)  # pl_<id>: explicit price in that list (dynamic template below)
    break_lists = Keyword()  # ids of the lists with volume breaks for this SKU
    available = Integer()
    in_stock = Boolean()
    units_sold = Integer()
    created_at = Date()

    class Meta:
        dynamic = MetaField("strict")
        dynamic_templates = MetaField(
            [
                {
                    "list_prices": {
                        "path_match": "list_prices.*",
                        "mapping": {"type": "scaled_float", "scaling_factor": PRICE_SCALE},
                    }
                }
            ]
        )

    class Index:
        name = "dealermall-products"  # the alias; settings.ELASTICSEARCH_INDEX overrides it
        settings = {"number_of_shards": 1, "number_of_replicas": 0, "mapping.total_fields.limit": 5000}


def price_text(amount: Decimal | None) -> str | None:
    """Prices go to Elasticsearch as decimal strings (it parses them exactly; no float here)."""
    return None if amount is None else format(amount, "f")


def build_document(
    variant,
    *,
    available: int,
    explicit_prices: dict[int, Decimal],
    break_lists: set[int],
    units_sold: int,
) -> SkuDocument:
    """The document of one SKU; `variant` with its product and category loaded."""
    product = variant.product
    category = product.category
    slugs = []
    if category is not None:
        slugs.append(category.slug)
        if category.parent_id and category.parent is not None:
            slugs.append(category.parent.slug)
    return SkuDocument(
        meta={"id": str(variant.pk)},
        variant_id=variant.pk,
        product_id=product.pk,
        sku=variant.sku,
        name=variant.display_name,
        product_name=product.name,
        category_name=category.name if category else "",
        description=product.description or "",
        category_id=category.pk if category else None,
        category_slug=category.slug if category else None,
        category_slugs=slugs,
        currency=variant.currency,
        list_price=price_text(variant.list_price),
        list_prices={f"pl_{list_id}": price_text(price) for list_id, price in sorted(explicit_prices.items())},
        break_lists=[str(i) for i in sorted(break_lists)],
        available=available,
        in_stock=available > 0,
        units_sold=units_sold,
        created_at=product.created_at,
    )
