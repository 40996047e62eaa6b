"""The Elasticsearch backend without a server: the mapping, the documents, the request dict
the DSL produces, reading an answer, the alias switch of a reindex, and what happens when the
server cannot be reached. (With ELASTICSEARCH_URL set, test_behaviour.py also runs every
behaviour test against a real server.)"""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.search import SearchFilters, Sort, search_products
from catalog.search.dealer_prices import dealer_pricing
from catalog.search.elastic import indexing
from catalog.search.elastic.backend import result_from_response
from catalog.search.elastic.documents import SkuDocument
from catalog.search.elastic.queries import build_search
from catalog.search.types import PageRequest
from catalog.services import receive_stock

pytestmark = pytest.mark.django_db


def test_mapping_has_sku_english_and_cjk_analyzers():
    index = SkuDocument._index.to_dict()
    analysis = index["settings"]["analysis"]
    assert analysis["filter"]["sku_edge_ngram"] == {"type": "edge_ngram", "min_gram": 1, "max_gram": 32}
    assert analysis["analyzer"]["sku_prefix"] == {"type": "custom", "tokenizer": "keyword", "filter": ["lowercase", "sku_edge_ngram"]}
    fields = index["mappings"]["properties"]
    assert fields["sku"]["type"] == "keyword" and fields["sku"]["normalizer"] == "sku_lowercase"
    assert fields["sku"]["fields"]["prefix"] == {"type": "text", "analyzer": "sku_prefix", "search_analyzer": "sku_search"}
    assert fields["name"]["analyzer"] == "english" and fields["name"]["fields"]["cjk"] == {"type": "text", "analyzer": "cjk"}
    assert fields["list_price"] == {"type": "scaled_float", "scaling_factor": 10000}
    assert index["mappings"]["dynamic"] == "strict"


def test_documents_carry_prices_per_list_stock_and_categories(shop):
    skus = shop["skus"]
    ids = [v.pk for v in skus.values()]
    with CaptureQueriesContext(connection) as queries:
        documents, deleted = indexing.documents_for(ids)
    assert len(queries) == 5  # variants, stock, explicit prices, breaks, units sold: for any number of SKUs
    assert deleted == [skus["OLD-1"].pk]
    by_sku = {d.sku: d.to_dict() for d in documents}
    contract = shop["alpha"].contract_price_lists.get()
    assert by_sku["NB-100"]["list_prices"] == {f"pl_{contract.pk}": "9.00"}
    assert by_sku["NB-100"]["list_price"] == "12.00" and by_sku["NB-100"]["in_stock"] is False
    assert by_sku["LN-77"]["break_lists"] == [str(contract.pk)]
    assert by_sku["85123A"]["category_slugs"] == ["lanterns", "lighting"] and by_sku["85123A"]["category_slug"] == "lanterns"
    assert by_sku["85123A"]["available"] == 100 and by_sku["CN-8"]["name"] == "红灯笼 Chinese paper lantern"


def test_the_request_reads_text_as_words_only(shop):
    hostile = 'ABC/123 AND "x" OR * \\ title:(a)'
    body = build_search(
        hostile, pricing=None, filters=SearchFilters(category="lighting", in_stock=True), sort=Sort.RELEVANCE,
        page=PageRequest(48, 48), index="dm",
    ).to_dict()
    text = json.dumps(body)
    assert "query_string" not in text and "simple_query_string" not in text and "regexp" not in text
    should = body["query"]["bool"]["must"][0]["bool"]["should"] if "must" in body["query"]["bool"] else body["query"]["bool"]["should"]
    assert should[0] == {"match": {"sku": {"query": hostile, "boost": 100}}}
    assert {"match": {"sku.prefix": {"query": hostile, "boost": 10}}} in should
    assert any(q.get("multi_match", {}).get("fuzziness") == "AUTO" for q in should)
    assert body["query"]["bool"]["filter"] == [{"term": {"in_stock": True}}, {"term": {"category_slugs": "lighting"}}]
    assert "post_filter" not in body
    assert body["aggs"]["categories"] == {"terms": {"field": "category_slug", "size": 200}}
    assert body["from"] == 48 and body["size"] == 48 and body["_source"] is False
    assert body["sort"] == ["_score", {"product_name.sort": "asc"}, {"sku": "asc"}]


def test_price_sort_range_and_facets_walk_the_dealers_lists_in_order(shop, settings):
    settings.SEARCH_PRICE_RANGES = ["1", "5"]
    pricing = dealer_pricing(shop["alpha"], timezone.now())
    contract, gold = pricing.price_lists
    body = build_search(
        "", pricing=pricing, filters=SearchFilters(price_max=Decimal("2.30")), sort=Sort.PRICE_ASC,
        page=PageRequest(0, 10), index="dm",
    ).to_dict()
    script = body["sort"][0]["_script"]
    assert script["order"] == "asc" and script["script"]["params"]["lists"] == [
        {"id": str(contract.pk), "percent": None},
        {"id": str(gold.pk), "percent": "10.00"},
    ]
    assert script["script"]["params"]["currency"] == "GBP" and script["script"]["params"]["missing"] == 10**15
    price_filter = body["query"]["bool"]["filter"][0]["script"]["script"]
    assert price_filter["params"]["below"] == "2.305"  # shown 2.30 is every raw price below 2.305
    ranges = body["aggs"]["chosen"]["aggs"]["prices"]["range"]["ranges"]
    assert ranges == [{"from": "-0.005", "to": "0.995"}, {"from": "0.995", "to": "4.995"}, {"from": "4.995"}]


def test_an_answer_becomes_a_result_with_live_rows_only(shop, settings):
    settings.SEARCH_PRICE_RANGES = ["1"]
    skus = shop["skus"]
    body = {
        "hits": {"total": {"value": 3}, "hits": [{"_id": str(skus["LN-77"].pk)}, {"_id": str(skus["OLD-1"].pk)}, {"_id": str(skus["ABC/123"].pk)}]},
        "aggregations": {
            "categories": {"buckets": [{"key": "fasteners", "doc_count": 2}, {"key": "lanterns", "doc_count": 1}]},
            "chosen": {"doc_count": 3, "in_stock": {"doc_count": 2}, "on_promotion": {"doc_count": 0},
                       "prices": {"buckets": [{"key": "a", "doc_count": 1}, {"key": "b", "doc_count": 2}]}},
        },
    }
    result = result_from_response(body, dealer_pricing(shop["alpha"], timezone.now()))
    assert [v.sku for v in result.hits] == ["LN-77", "ABC/123"]  # OLD-1 was deactivated since
    assert result.hits[0].available == 3 and result.total == 3
    assert [(c.slug, c.name, c.count) for c in result.facets.categories] == [("fasteners", "Fasteners", 2), ("lanterns", "Lanterns", 1)]
    assert [(r.min, r.max, r.count) for r in result.facets.price_ranges] == [(Decimal("0.00"), Decimal("1.00"), 1), (Decimal("1.00"), None, 2)]
    assert result.facets.in_stock == 2 and result.facets.on_promotion == 0


class FakeIndices:
    def __init__(self, log):
        self.log = log

    def create(self, index, **kwargs):
        self.log.append(("create", index))

    def refresh(self, index):
        self.log.append(("refresh", index))

    def exists_alias(self, name):
        return True

    def get_alias(self, name):
        return {"dealermall-products-old": {"aliases": {name: {}}}}

    def update_aliases(self, actions):
        self.log.append(("update_aliases", actions))

    def delete(self, index, **kwargs):
        self.log.append(("delete", index))


class FakeClient:
    """Records what reindex asks of Elasticsearch (no server on this machine)."""

    def __init__(self):
        self.log = []
        self.indices = FakeIndices(self.log)


def test_reindex_fills_a_new_index_then_switches_the_alias_at_once(shop, monkeypatch):
    fake = FakeClient()
    sent = []
    monkeypatch.setattr(indexing, "client", lambda: fake)
    monkeypatch.setattr(indexing, "bulk", lambda es, actions, **kw: sent.extend(actions))
    done = []
    name = indexing.reindex(progress=done.append)
    assert name.startswith("dealermall-products-")
    assert fake.log[0] == ("create", name)
    assert sorted(a["_source"]["sku"] for a in sent) == sorted(["ABC/123", "NB-100", "85123A", "85123B", "LN-77", "CN-8", "EU-1"])
    assert {a["_index"] for a in sent} == {name} and sum(done) == 7
    assert fake.log[-2] == ("update_aliases", [
        {"remove": {"index": "dealermall-products-old", "alias": "dealermall-products"}},
        {"add": {"index": name, "alias": "dealermall-products"}},
    ])
    assert fake.log[-1] == ("delete", "dealermall-products-old")


def test_when_elasticsearch_cannot_be_reached_the_database_answers(shop, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    result = search_products("ABC/123", company=shop["alpha"])
    assert result.backend == "postgres" and result.hits[0].sku == "ABC/123"


def test_stock_changes_queue_the_skus_for_elasticsearch_after_commit(shop, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.SEARCH_BACKEND = "elasticsearch"
    queued = []
    monkeypatch.setattr("catalog.search.tasks.index_in_elasticsearch", lambda ids: queued.append(ids) or len(ids))
    variant = shop["skus"]["NB-100"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receive_stock({variant.pk: 5})
    assert queued == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert queued == [[variant.pk]]
