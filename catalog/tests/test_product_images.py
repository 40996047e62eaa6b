"""Product pictures: uploaded in the back office, checked by their bytes, shown on the catalog
card (thumbnail) and the product page (full picture, then the others), served to anyone who can
see the catalog; a product without one shows our placeholder."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog.images import add_product_image, first_images
from catalog.models import ProductImage
from mall.errors import DomainError
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def png(name="drill.png", size=(60, 40)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 200)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf() -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\nxref\n0 1\n0000000000 65535 f \ntrailer<<>>\nstartxref\n9\n%%EOF\n"
    return SimpleUploadedFile("spec.pdf", body, content_type="application/pdf")


def test_pictures_are_stored_in_order_and_only_images_are_taken(private_root):
    variant = VariantFactory(sku="DRILL-1", product__name="Cordless drill")
    first = add_product_image(variant.product, png(), alt_text="Drill, side view")
    second = add_product_image(variant.product, png("drill-top.png"))
    assert (first.position, second.position) == (0, 1)
    assert (first.content_type, first.original_name) == ("image/png", "drill.png")
    assert (private_root / first.file_path).exists() and (private_root / first.thumbnail_path).exists()
    assert first_images([variant.product_id]) == {variant.product_id: first}

    for bad, code in ((pdf(), "NOT_AN_IMAGE"), (SimpleUploadedFile("x.png", b"not a picture"), "UPLOAD_TYPE_NOT_ALLOWED")):
        with pytest.raises(DomainError) as error:
            add_product_image(variant.product, bad)
        assert error.value.details[0].code == code
    assert ProductImage.objects.count() == 2


def test_catalog_card_and_product_page_show_the_pictures(client):
    with_pictures = VariantFactory(sku="DRILL-1", product__name="Cordless drill", stock=5)
    plain = VariantFactory(sku="SAW-1", product__name="Hand saw", stock=5)
    front = add_product_image(with_pictures.product, png(), alt_text="Drill, side view")
    back = add_product_image(with_pictures.product, png("back.png"))

    catalog = client.get(reverse("storefront:catalog")).content.decode()
    assert f'src="{reverse("storefront:product_image_thumbnail", args=[front.pk])}" alt="Drill, side view"' in catalog
    assert catalog.count("placeholder.svg") == 1  # the saw has none

    page = client.get(reverse("storefront:product", args=[with_pictures.sku])).content.decode()
    assert f'src="{reverse("storefront:product_image", args=[front.pk])}"' in page
    assert f'href="{reverse("storefront:product_image", args=[back.pk])}"' in page
    assert 'alt="Cordless drill"' in page  # no alt text given: the product name
    assert "placeholder.svg" in client.get(reverse("storefront:product", args=[plain.sku])).content.decode()


def test_pictures_are_served_with_their_type_and_cached(client):
    variant = VariantFactory(sku="DRILL-1")
    image = add_product_image(variant.product, png())
    full = client.get(reverse("storefront:product_image", args=[image.pk]))
    thumb = client.get(reverse("storefront:product_image_thumbnail", args=[image.pk]))
    assert (full.status_code, full["Content-Type"], full["X-Content-Type-Options"]) == (200, "image/png", "nosniff")
    assert (thumb.status_code, thumb["Content-Type"]) == (200, "image/jpeg")
    assert full["Cache-Control"] == "public, max-age=86400"
    assert b"".join(full.streaming_content).startswith(b"\x89PNG")

    variant.product.is_active = False
    variant.product.save()
    assert client.get(reverse("storefront:product_image", args=[image.pk])).status_code == 404
    assert client.get(reverse("storefront:product_image", args=[image.pk + 999])).status_code == 404


def test_staff_upload_a_picture_in_the_product_admin(admin_client):
    variant = VariantFactory(sku="DRILL-1", product__name="Cordless drill")
    product = variant.product
    url = reverse("admin:catalog_product_change", args=[product.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name != "category"}
    data.update({"name": product.name, "slug": product.slug, "is_active": "on", "_save": "Save"})
    if product.category_id:
        data["category"] = product.category_id
    for formset in admin_client.get(url).context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()})
        for i, sub in enumerate(fs.initial_forms):
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                if value is not None and not isinstance(value, bool):
                    data[f"{fs.prefix}-{i}-{name}"] = getattr(value, "pk", value)
                elif value is True:
                    data[f"{fs.prefix}-{i}-{name}"] = "on"
    data["images-TOTAL_FORMS"] = "1"
    data["images-0-upload"] = png()
    data["images-0-alt_text"] = "Drill, side view"
    data["images-0-position"] = "0"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and [f.errors for f in response.context["inline_admin_formsets"][1].formset.forms]
    image = ProductImage.objects.get(product=product)
    assert (image.alt_text, image.content_type) == ("Drill, side view", "image/png")

    data["images-0-upload"] = pdf()  # a PDF is refused on the form, nothing stored
    response = admin_client.post(url, data)
    assert response.status_code == 200 and ProductImage.objects.count() == 1
