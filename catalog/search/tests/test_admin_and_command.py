"""Staff edits in the back office reach search at once; `manage.py reindex` rebuilds it."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import SearchDocument
from catalog.search import search_products

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(get_user_model().objects.create_superuser("admin", "admin@vendor.example", "pw-123456789"))
    return client


def skus(query):
    return [v.sku for v in search_products(query, company=None).hits]


def test_renaming_a_category_in_the_back_office_is_searchable_at_once(staff_client, shop):
    category = shop["fasteners"]
    url = reverse("admin:catalog_category_change", args=[category.pk])
    response = staff_client.post(url, {"name": "Ironmongery", "slug": "fasteners", "parent": ""})
    assert response.status_code == 302
    assert set(skus("ironmongery")) == {"ABC/123", "NB-100", "EU-1"}


def test_editing_a_sku_in_the_back_office_is_searchable_at_once(staff_client, shop):
    variant = shop["skus"]["CN-8"]
    url = reverse("admin:catalog_variant_change", args=[variant.pk])
    response = staff_client.post(url, {
        "product": variant.product_id, "sku": "CN-8", "name": "Paper lantern festival red", "list_price": "4.00",
        "currency": "GBP", "pack_size": 1, "min_quantity": 1, "order_multiple": 1, "is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert skus("festival") == ["CN-8"]


def test_search_documents_admin_lists_and_rewrites(staff_client, shop):
    SearchDocument.objects.filter(sku="NB-100").update(text="stale")
    page = staff_client.get(reverse("admin:catalog_searchdocument_changelist"))
    assert page.status_code == 200 and "NB-100" in page.content.decode()
    staff_client.post(reverse("admin:catalog_searchdocument_changelist"), {
        "action": "rewrite", "_selected_action": [shop["skus"]["NB-100"].pk],
    })
    assert SearchDocument.objects.get(sku="NB-100").text == "NB-100 Nut & Bolt assortment box"


def test_reindex_command_rebuilds_documents(shop, capsys):
    SearchDocument.objects.all().delete()
    call_command("reindex")
    assert "search documents rewritten" in capsys.readouterr().out
    assert SearchDocument.objects.count() == 8  # every SKU, inactive ones too (search filters those)
    assert skus("assortment") == ["NB-100"]


def test_reindex_of_elasticsearch_without_a_server_says_why(shop, settings):
    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(CommandError, match="ELASTICSEARCH_URL is not set"):
        call_command("reindex", "--elasticsearch")
