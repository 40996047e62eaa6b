"""Typo tolerance on PostgreSQL: the word dictionary (catalog/search/spelling.py) kept in step
with the documents, and a misspelt word searched as its closest dictionary words.

The fixture's names (conftest.shop), words of 3+ letters without digits, documents holding
them: bolt 4 (ABC/123, NB-100, EU-1, OLD-1), hex 3, hanging/heart/light/holder 2 (the two
hearts), lantern 2 (LN-77, CN-8), storm 1, discontinued 1 (OLD-1, inactive).
"""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from catalog.models import Product
from catalog.search import PageRequest, SearchFilters, Sort, search_products
from catalog.search.documents import refresh_documents
from catalog.search.spelling import corrections

from .conftest import make_sku

pytestmark = pytest.mark.django_db


def counts(*words):
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, documents FROM catalog_searchword WHERE word = ANY(%s)", [list(words)])
        return dict(cursor.fetchall())


def skus(result):
    return [v.sku for v in result.hits]


def find(query, company=None, **kwargs):
    return search_products(query, company=company, backend="postgres", **kwargs)


def test_the_dictionary_counts_the_documents_holding_each_word(shop):
    assert counts("bolt", "hex", "heart", "lantern", "storm", "discontinued") == {
        "bolt": 4, "hex": 3, "heart": 2, "lantern": 2, "storm": 1, "discontinued": 1,
    }
    assert counts("m8", "t", "in", "abc") == {}  # codes, short words and SKUs are not words


def test_a_renamed_product_moves_the_counts_of_its_old_and_new_words(shop):
    storm = shop["skus"]["LN-77"]
    assert skus(find("storn")) == ["LN-77"]
    Product.objects.filter(pk=storm.product_id).update(name="Hurricane lantern, brass")
    refresh_documents([storm.pk])  # what the back office and the importer call
    assert counts("storm", "lantern", "hurricane", "brass") == {"storm": 0, "lantern": 2, "hurricane": 1, "brass": 1}
    assert skus(find("huricane")) == ["LN-77"]
    assert find("storn").total == 0  # no document holds "storm" any more


def test_a_new_sku_adds_its_words(shop):
    make_sku("GL-1", "Glass lantern", "3.00", shop["lighting"], on_hand=1)
    refresh_documents(Product.objects.filter(name="Glass lantern").values_list("variants__pk", flat=True))
    assert counts("glass", "lantern") == {"glass": 2, "lantern": 3}


def test_reindex_recounts_after_rows_written_behind_the_services_back(shop):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_searchword SET documents = 99 WHERE word = 'bolt'")
        cursor.execute("DELETE FROM catalog_searchword WHERE word = 'heart'")
    call_command("reindex")
    assert counts("bolt", "heart") == {"bolt": 4, "heart": 2}


def test_only_unknown_words_are_corrected_most_similar_first(shop):
    found = corrections("whyte heart")
    assert found.words[1] == ("heart",)  # known: stays as typed
    assert found.words[0][:2] == ("whyte", "white")
    assert corrections("hex bolt").changed is False
    assert corrections("m8 x1").changed is False  # codes are not corrected


def test_misspelt_words_find_the_products_of_their_close_spellings(shop):
    assert skus(find("whyte heart")) == ["85123A"]
    assert skus(find("storm lanturn")) == ["LN-77"]
    assert set(skus(find("hangng"))) == {"85123A", "85123B"}
    # ... with the dealer's facets, sorts and filters as for any search: "lantern" is in two
    # names and is the hearts' category; in stock, at Alpha's prices 2.30, 2.66, 7.50 (CN-8 has none).
    in_stock = find("lanturn", company=shop["alpha"], filters=SearchFilters(in_stock=True), sort=Sort.PRICE_ASC)
    assert skus(in_stock) == ["85123A", "85123B", "LN-77"] and in_stock.total == 3 and in_stock.facets.in_stock == 3


def test_a_close_spelling_of_an_inactive_products_word_finds_nothing(shop):
    result = find("discontinud", company=shop["beta"])
    assert result.total == 0 and result.hits == []


def test_nothing_close_finds_nothing_and_costs_no_second_search(shop):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = find("zq", page=PageRequest(0, 10))
    assert result.total == 0
    assert sum("WITH m AS" in q["sql"] for q in captured.captured_queries) == 1


@pytest.mark.django_db(transaction=True)
def test_two_back_office_saves_sharing_words_at_once_both_count(shop):
    """Two transactions renaming products whose names share words: the word rows are locked
    in word order, so neither deadlocks and the counts add up."""
    hearts = [shop["skus"]["85123A"], shop["skus"]["85123B"]]
    barrier = threading.Barrier(2)
    errors = []

    def rename(variant, name):
        try:
            with transaction.atomic():
                Product.objects.filter(pk=variant.product_id).update(name=name)
                barrier.wait(timeout=10)
                refresh_documents([variant.pk])
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=rename, args=(hearts[0], "White zinc heart candle")),
        threading.Thread(target=rename, args=(hearts[1], "Red zinc heart candle")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert counts("candle", "zinc", "heart", "hanging", "holder") == {
        "candle": 2, "zinc": 3, "heart": 2, "hanging": 0, "holder": 0,
    }
