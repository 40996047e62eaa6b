"""Product pictures: the one write (add a picture) and the one read the pages need (the first
picture of each product on a page, in one query)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from catalog.models import Product, ProductImage
from mall.errors import DomainError
from mall.uploads import store_upload, validate_upload


def add_product_image(product: Product, upload, *, alt_text: str = "", field: str = "image") -> ProductImage:
    """Store `upload` (JPEG or PNG, checked by its bytes) as the product's last picture.
    A PDF or anything else is a typed error and nothing is stored."""
    _data, content_type = validate_upload(upload, field=field)
    if not content_type.startswith("image/"):
        raise DomainError.single(field, "NOT_AN_IMAGE", "A product picture must be a JPEG or PNG image.")
    if hasattr(upload, "seek"):
        upload.seek(0)
    stored = store_upload(upload, category="products", field=field)
    with transaction.atomic():
        list(Product.objects.select_for_update().filter(pk=product.pk).values_list("pk"))  # positions in turn
        last = ProductImage.objects.filter(product=product).aggregate(m=Max("position"))["m"]
        return ProductImage.objects.create(
            product=product, alt_text=(alt_text or "").strip()[:200],
            position=0 if last is None else last + 1, **ProductImage.fields_from(stored),
        )


def first_images(product_ids: Iterable[int]) -> dict[int, ProductImage]:
    """The first picture of each product (one query, whatever the number of products)."""
    ids = set(product_ids)
    if not ids:
        return {}
    first: dict[int, ProductImage] = {}
    rows = ProductImage.objects.filter(product_id__in=ids).only("id", "product_id", "alt_text", "position")
    for image in rows.order_by("product_id", "position", "id"):
        first.setdefault(image.product_id, image)
    return first
