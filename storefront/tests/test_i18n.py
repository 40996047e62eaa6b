"""Languages of the dealer pages: British English (default) and Simplified Chinese.

The switch (set_language) and Accept-Language choose the language; catalog, cart and checkout
come out in Chinese; money and dates are written for the locale (values worked out by hand);
every dealer template keeps its visible text inside translation tags; and the catalog has a
translation for every string, compiles, and matches the committed .mo file.
"""

import datetime as dt
import gettext as gnu_gettext
import io
import json
import re
import zoneinfo
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.template.base import Lexer, TokenType
from django.urls import reverse
from django.utils import translation

from mall.auth_tokens import create_access_token
from mall.i18n import catalogs
from mall.pdf_fonts import pdf_fonts
from storefront.templatetags.storefront import money, signed_money

CART = reverse("storefront:cart")
ADD = reverse("storefront:cart_add")
CHECKOUT = reverse("storefront:checkout")
CATALOG = reverse("storefront:catalog")
SET_LANGUAGE = reverse("set_language")
TEMPLATES = Path(settings.BASE_DIR) / "storefront" / "templates"


def choose_chinese(client, next_url):
    response = client.post(SET_LANGUAGE, {"language": "zh-hans", "next": next_url})
    assert response.status_code == 302 and response.url == next_url
    return response


# ---------------------------------------------------------------- the pages in Chinese


@pytest.mark.django_db
def test_language_switch_is_a_plain_form_in_the_header(client, variant):
    html = client.get(CATALOG).content.decode()
    assert '<html lang="en-gb">' in html
    form = re.search(r'<form action="/i18n/setlang/" method="post" class="language-switch" data-testid="language-switch">(.*?)</form>', html, re.S)
    assert form, "the header carries the language switch"
    body = form.group(1)
    assert 'name="csrfmiddlewaretoken"' in body and 'name="next" value="/"' in body
    assert '<label for="language-select">Language</label>' in body
    assert '<option value="en-gb" lang="en-gb" selected>English</option>' in body
    assert '<option value="zh-hans" lang="zh-hans">简体中文</option>' in body
    assert '<button type="submit"' in body  # works without JavaScript


@pytest.mark.django_db
def test_language_switch_on_an_error_page_returns_to_the_form_page(dealer_client, variant):
    # A bad add renders the cart at the POST-only URL; switching language must not GET that.
    page = dealer_client.post(ADD, {"sku": "NOPE-1", "quantity": "1"}, HTTP_REFERER="http://testserver/cart/")
    assert page.status_code == 400
    assert 'name="next" value="http://testserver/cart/"' in page.content.decode()


@pytest.mark.django_db
def test_switching_to_chinese_translates_catalog_cart_and_checkout(dealer_client, variant):
    choose_chinese(dealer_client, CATALOG)
    catalog = dealer_client.get(CATALOG).content.decode()
    assert '<html lang="zh-hans">' in catalog
    assert "<h1>商品目录</h1>" in catalog
    assert "加入购物车" in catalog and "您的价格" in catalog and "目录价" in catalog
    assert '<option value="zh-hans" lang="zh-hans" selected>简体中文</option>' in catalog
    assert "£2.30" in catalog  # Gold price 2.55 less 10% = 2.295 -> 2.30, same digits in zh

    dealer_client.post(ADD, {"sku": "85123A", "quantity": "4"})
    cart = dealer_client.get(CART).content.decode()
    assert "<h1>您的购物车</h1>" in cart
    assert "快速添加" in cart and "价格构成" in cart and "去结算" in cart
    assert "目录价" in cart  # the first waterfall step, named on the page, not in the core
    assert "£9.20" in cart  # 4 x 2.30
    assert "已将 4 × 85123A 加入购物车。" in cart  # the view's message, in Chinese

    checkout = dealer_client.get(CHECKOUT).content.decode()
    assert "<h1>结算</h1>" in checkout
    assert "订单核对" in checkout and "提交订单" in checkout and "赊账（月结）" in checkout
    assert "可用信用额度" in checkout and "£1,000.00" in checkout
    assert "Your cart" not in cart and "Place order" not in checkout


@pytest.mark.django_db
def test_a_service_error_reaches_the_cart_in_chinese(dealer_client, variant):
    choose_chinese(dealer_client, CART)
    html = dealer_client.post(ADD, {"sku": "NOPE-1", "quantity": "1", "next": CART}).content.decode()
    assert "没有在售的 SKU 为 &#x27;NOPE-1&#x27; 的商品。" in html


@pytest.mark.django_db
def test_switching_back_to_english(dealer_client, variant):
    choose_chinese(dealer_client, CART)
    dealer_client.post(SET_LANGUAGE, {"language": "en-gb", "next": CART})
    html = dealer_client.get(CART).content.decode()
    assert '<html lang="en-gb">' in html and "<h1>Your cart</h1>" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "lang", "heading"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.5", "zh-hans", "<h1>商品目录</h1>"),
        ("zh-Hans", "zh-hans", "<h1>商品目录</h1>"),
        ("en-US,en;q=0.9", "en-gb", "<h1>Catalog</h1>"),
        ("fr-FR", "en-gb", "<h1>Catalog</h1>"),  # not offered: the default
    ],
)
def test_accept_language_picks_the_language(client, variant, header, lang, heading):
    html = client.get(CATALOG, HTTP_ACCEPT_LANGUAGE=header).content.decode()
    assert f'<html lang="{lang}">' in html and heading in html


@pytest.mark.django_db
def test_not_found_page_in_chinese(client):
    html = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "未找到" in html and "返回商品目录" in html


@pytest.mark.django_db
def test_statement_files_in_chinese(dealer_client, company):
    choose_chinese(dealer_client, CART)
    query = {"start": "2026-11-01", "end": "2026-11-30"}
    xlsx = dealer_client.get(reverse("storefront:statement_file", args=["xlsx"]), query)
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["对账单", "账龄"]
    rows = list(book["对账单"].iter_rows(values_only=True))
    assert rows[0][0] == "对账单：Acme Lighting Ltd（D001）"
    assert rows[1][0] == "期间 2026-11-01 至 2026-11-30" and rows[1][3] == "币种 GBP"
    assert rows[3] == ("日期", "类型", "单据", "描述", "借方", "贷方", "余额")
    assert rows[4][3] == "期初余额" and rows[-1][3] == "期末余额"
    assert list(book["账龄"].iter_rows(values_only=True))[1] == ("未到期", "1–30 天", "31–60 天", "61–90 天", "90 天以上", "合计")
    pdf = dealer_client.get(reverse("storefront:statement_file", args=["pdf"]), query).content
    assert b"/BaseFont /STSong-Light" in pdf  # a font with Chinese glyphs; Helvetica has none


def test_pdf_fonts_follow_the_language_and_the_names_printed():
    with translation.override("en-gb"):
        assert pdf_fonts("Acme Lighting Ltd") == ("Helvetica", "Helvetica-Bold")
        assert pdf_fonts("Acme Lighting Ltd", "上海照明有限公司") == ("STSong-Light", "STSong-Light")
    with translation.override("zh-hans"):
        assert pdf_fonts("Acme Lighting Ltd") == ("STSong-Light", "STSong-Light")


@pytest.mark.django_db
def test_graphql_codes_stay_messages_follow_accept_language(client, buyer, variant):
    token = create_access_token(buyer)
    query = 'mutation { cartAddLines(lines: [{sku: "NOPE-1", quantity: 1}]) { errors { field code message } } }'

    def errors(**headers):
        body = json.dumps({"query": query})
        response = client.post("/graphql/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **headers)
        return response.json()["data"]["cartAddLines"]["errors"]

    english, chinese = errors(), errors(HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert [e["code"] for e in english] == [e["code"] for e in chinese] and english[0]["code"]
    assert english[0]["message"] == "No product with SKU 'NOPE-1' is for sale."
    assert chinese[0]["message"] == "没有在售的 SKU 为 'NOPE-1' 的商品。"


# ---------------------------------------------------------------- money and dates


@pytest.mark.parametrize(
    ("language", "amount", "currency", "shown"),
    [
        ("en-gb", "1234.5", "GBP", "£1,234.50"),
        ("zh-hans", "1234.5", "GBP", "£1,234.50"),
        ("en-gb", "1234.5", "CNY", "CN¥1,234.50"),
        ("zh-hans", "1234.5", "CNY", "¥1,234.50"),  # the yuan is plain ¥ in Chinese
        ("en-gb", "1234.5", "USD", "US$1,234.50"),
        ("zh-hans", "1999.5", "JPY", "JP¥2,000"),  # no minor unit; half up
        # The project's rule rounds halves up: 2.345 -> 2.35 (babel alone would print 2.34).
        ("en-gb", "2.345", "GBP", "£2.35"),
        ("zh-hans", "2.345", "GBP", "£2.35"),
    ],
)
def test_money_is_written_for_the_locale(language, amount, currency, shown):
    with translation.override(language):
        assert money(Decimal(amount), currency) == shown


def test_signed_money_in_chinese():
    with translation.override("zh-hans"):
        assert signed_money(Decimal("-0.25"), "GBP") == "−£0.25"
        assert signed_money(Decimal("0.10"), "CNY") == "+¥0.10"


LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-gb", "3 Dec 2026 | 3 Dec 2026, 14:30 | December 2026 | 3 Dec | 12,345"),
        ("zh-hans", "2026年12月3日 | 2026年12月3日 14:30 | 2026年12月 | 12月3日 | 12,345"),
    ],
)
def test_dates_and_numbers_are_written_for_the_locale(language, expected):
    template = Template(
        '{% load humanize %}{{ day|date:"DATE_FORMAT" }} | {{ moment|date:"DATETIME_FORMAT" }} | '
        '{{ day|date:"YEAR_MONTH_FORMAT" }} | {{ day|date:"MONTH_DAY_FORMAT" }} | {{ n|intcomma }}'
    )
    context = Context({"day": dt.date(2026, 12, 3), "moment": dt.datetime(2026, 12, 3, 14, 30, tzinfo=LONDON), "n": 12345})
    with translation.override(language):
        assert template.render(context) == expected
        assert intcomma(1234567) == "1,234,567"


# ---------------------------------------------------------------- every template string translated

# Names that read the same in every language: the brand and file formats.
BRANDS = {"DealerMall", "CSV", "PDF", "XLSX"}
ATTRIBUTES = re.compile(r'\b(?:alt|title|placeholder|aria-label)="([^"]*)"')
SUBMIT_VALUES = re.compile(r'<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"')


def untranslated_text(source: str) -> list[str]:
    """Latin words a visitor would read that are outside {% translate %} / {% blocktranslate %}."""
    kept, skip_until = [], None
    for token in Lexer(source).tokenize():
        if skip_until:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == skip_until:
                skip_until = None
            continue
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0]
            if word in ("blocktranslate", "blocktrans", "comment"):
                skip_until = "end" + word
            kept.append(" ")
        elif token.token_type == TokenType.TEXT:
            kept.append(token.contents)
        else:
            kept.append(" ")  # {{ variables }} and {# comments #}
    html = "".join(kept)
    html = re.sub(r"<(script|style)\b.*?</\1>|<!--.*?-->|&\w+;|&#\w+;", " ", html, flags=re.S | re.I)
    visible = ATTRIBUTES.findall(html) + SUBMIT_VALUES.findall(html)
    visible.append(re.sub(r"<[^>]*>", " ", html))
    words = re.findall(r"[A-Za-z][A-Za-z'’-]+", " ".join(visible))
    return [w for w in words if w not in BRANDS]


def dealer_templates():
    yield TEMPLATES / "404.html"
    yield TEMPLATES / "500.html"
    yield from sorted((TEMPLATES / "storefront").rglob("*.html"))


def test_the_checker_finds_text_outside_translation_tags():
    source = (
        '{% load i18n %}<p title="Hello there">{% translate "Fine" %} Cart {{ x }}</p>'
        '{% blocktranslate %}Also fine {{ x }}{% endblocktranslate %}<img alt="{% translate \'ok\' %}">'
        "<script>var x = 'ignored';</script>{# a comment #}{% comment %}Not shown{% endcomment %}DealerMall"
    )
    assert untranslated_text(source) == ["Hello", "there", "Cart"]


@pytest.mark.parametrize("path", list(dealer_templates()), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_dealer_template_has_no_text_outside_translation_tags(path):
    assert untranslated_text(path.read_text(encoding="utf-8")) == []


# ---------------------------------------------------------------- the catalog

PO = catalogs.po_path("zh-hans")
PLACEHOLDERS = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}|<[^>]+>")
KEPT_AS_IS = {"SKU", "IBAN", "BIC", "PDF", "Excel", "CSV"}


def read_catalog():
    with PO.open("rb") as f:
        return read_po(f)


def strings(message):
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def ids(message):
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def test_every_string_has_a_chinese_translation():
    catalog = read_catalog()
    assert catalog.plural_forms == "nplurals=1; plural=0;"  # Chinese has one form
    messages = [m for m in catalog if m.id]
    assert len(messages) > 500
    missing = [ids(m)[0] for m in messages if m.fuzzy or not all(s and s.strip() for s in strings(m))]
    assert missing == []
    for message in messages:
        assert len(strings(message)) == 1  # nplurals=1: one msgstr, also for plural msgids
        # Chinese text, except for entries that are only codes and names kept as they are.
        words = set(re.findall(r"\w+", PLACEHOLDERS.sub(" ", ids(message)[0])))
        assert re.search(r"[\u4e00-\u9fff]", strings(message)[0]) or words <= KEPT_AS_IS, ids(message)[0]


def test_translations_keep_every_placeholder_and_tag():
    for message in read_catalog():
        if not message.id:
            continue
        wanted = sorted({p for text in ids(message) for p in PLACEHOLDERS.findall(text)})
        assert sorted(set(PLACEHOLDERS.findall(strings(message)[0]))) == wanted, ids(message)[0]


def test_catalog_is_up_to_date_with_the_code():
    """Every marked string of the code is in the .po, and the .po has no leftovers: run
    `manage.py update_translations` after changing text (docs/translations.md)."""
    template = catalogs.template_catalog(catalogs.extract())
    assert catalogs.differences("zh-hans", template) == []


def test_po_compiles_and_matches_the_committed_mo():
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(), use_fuzzy=False)
    fresh = gnu_gettext.GNUTranslations(io.BytesIO(compiled.getvalue()))
    with PO.with_suffix(".mo").open("rb") as f:
        committed = gnu_gettext.GNUTranslations(f)
    assert fresh._catalog == committed._catalog, "run manage.py compile_translations"
    assert fresh.gettext("Cart") == "购物车"
    assert fresh.ngettext("%(shown)s product", "%(shown)s products", 2) == "%(shown)s 件商品"
