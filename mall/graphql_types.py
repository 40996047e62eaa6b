"""Types and helpers every app's GraphQL package shares: Money, Error, typed query errors,
input cleaning and offset cursors for Relay connections."""

from decimal import Decimal

import graphene
from graphql import GraphQLError
from graphql_relay import cursor_to_offset, offset_to_cursor

from mall.errors import DomainError, ErrorDetail

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class Money(graphene.ObjectType):
    """An exact amount (a decimal string such as "2.30", never a float) and its currency."""

    amount = graphene.Decimal(required=True)
    currency = graphene.String(required=True)


def money(amount: Decimal | None, currency: str) -> Money | None:
    if amount is None:
        return None
    return Money(amount=amount, currency=currency)


def api_field(field: str | None) -> str | None:
    """A field as the API names it: each dotted part in camelCase, like graphene's argument
    names ("order_limit" -> "orderLimit", "lines.0.unit_price" -> "lines.0.unitPrice"). The
    services name fields as Python does (the pages map them onto their forms); every error the
    GraphQL layer answers goes through here, so a client sees one spelling."""
    if not field:
        return field
    return ".".join(_camel(part) for part in field.split("."))


def _camel(part: str) -> str:
    head, *rest = part.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


class Error(graphene.ObjectType):
    """A typed error of a mutation: which input field (camelCase), a stable code, and a message for people."""

    field = graphene.String(description="The input field at fault (e.g. lines.0.quantity, orderLimit), or null.")
    code = graphene.String(required=True)
    message = graphene.String(required=True)

    @staticmethod
    def resolve_field(root, info):
        return api_field(root.field)


def errors_from(exc: DomainError) -> list[Error]:
    return [Error(field=d.field, code=d.code, message=d.message) for d in exc.details]


def error(field: str | None, code: str, message: str) -> DomainError:
    return DomainError(ErrorDetail(field, code, message))


class ApiError(GraphQLError):
    """A query error with a code: `{"message": ..., "extensions": {"code": ..., "field": ...}}`."""

    def __init__(self, code: str, message: str, field: str | None = None):
        extensions = {"code": code}
        if field:
            extensions["field"] = api_field(field)
        super().__init__(message, extensions=extensions)


def api_error_from(exc: DomainError) -> ApiError:
    first = exc.details[0]
    return ApiError(first.code, first.message, first.field)


def clean_text(value: str | None, max_length: int = 200) -> str:
    """Input text safe for the database: NUL bytes removed, trimmed, at most `max_length`."""
    if not value:
        return ""
    return value.replace("\x00", "").strip()[:max_length]


def clean_key(value: str | None, max_length: int = 200) -> str:
    """An identifier (SKU, order number) safe for the database: a NUL byte becomes U+FFFD,
    so "AB\\x00C" stays a different (unknown) SKU instead of turning into "ABC"."""
    if not value:
        return ""
    return value.replace("\x00", "\ufffd").strip()[:max_length]


class PageInfo(graphene.ObjectType):
    has_next_page = graphene.Boolean(required=True)
    has_previous_page = graphene.Boolean(required=True)
    start_cursor = graphene.String()
    end_cursor = graphene.String()


def page_bounds(first: int | None, after: str | None) -> tuple[int, int]:
    """(offset, limit) for `first`/`after`; ApiError for a bad page size or cursor."""
    limit = DEFAULT_PAGE_SIZE if first is None else first
    if limit < 0:
        raise ApiError("INVALID_PAGINATION", "`first` must not be negative.", "first")
    if limit > MAX_PAGE_SIZE:
        raise ApiError(
            "PAGE_SIZE_TOO_LARGE", f"`first` may be at most {MAX_PAGE_SIZE} (asked for {limit}); page on with `after`.", "first"
        )
    offset = 0
    if after:
        start = cursor_to_offset(after[:100])
        if start is None or start < 0:
            raise ApiError("INVALID_PAGINATION", "`after` is not a cursor of this list.", "after")
        offset = start + 1
    return offset, limit


def paginate(queryset, first: int | None, after: str | None):
    """Slice a queryset into one page: (rows, PageInfo, offset). One query (limit + 1 rows)."""
    offset, limit = page_bounds(first, after)
    rows = list(queryset[offset : offset + limit + 1]) if limit else []
    has_next = len(rows) > limit
    rows = rows[:limit]
    info = PageInfo(
        has_next_page=has_next,
        has_previous_page=offset > 0,
        start_cursor=offset_to_cursor(offset) if rows else None,
        end_cursor=offset_to_cursor(offset + len(rows) - 1) if rows else None,
    )
    return rows, info, offset


def cursor(offset: int) -> str:
    return offset_to_cursor(offset)


class CountedConnection(graphene.ObjectType):
    """Base of our Relay connections: `totalCount` is counted only when asked for."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True)
    page_info = graphene.Field(PageInfo, required=True)

    @staticmethod
    def resolve_total_count(root, info):
        return root.queryset.count()
