"""Typed domain errors. Services raise them; the GraphQL layer and the pages turn them into
`{field, code, message}` for the user. Nothing here knows about GraphQL."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorDetail:
    field: str | None
    code: str
    message: str


class DomainError(Exception):
    """One or more user-facing errors; raising it inside a service rolls its transaction back."""

    def __init__(self, *details: ErrorDetail):
        if not details:
            raise ValueError("DomainError needs at least one detail")
        self.details = tuple(details)
        super().__init__("; ".join(f"{d.code}: {d.message}" for d in details))

    @classmethod
    def single(cls, field: str | None, code: str, message: str) -> "DomainError":
        return cls(ErrorDetail(field, code, message))
