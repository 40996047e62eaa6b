"""Rebate credit offered at checkout: what the buyer asks to pay from the rebate wallet."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from mall.errors import DomainError


def wallet_credit_offered(value) -> Decimal:
    """The amount as a Decimal (0 when none is offered); INVALID for anything else."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool | float):
        raise DomainError.single("rebate_credit", "INVALID", gettext("Give the rebate credit as a decimal amount."))
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise DomainError.single("rebate_credit", "INVALID", gettext("Give the rebate credit as a decimal amount.")) from None
    if not amount.is_finite() or amount < 0:
        raise DomainError.single("rebate_credit", "INVALID", gettext("The rebate credit must be zero or more."))
    return amount
