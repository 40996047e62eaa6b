"""Dealer queries: rebate progress per program and the rebate wallet (its own company's only)."""

from types import SimpleNamespace

import graphene

from mall.graphql_types import ApiError, clean_key, money
from partners.graphql.viewer import require_dealer
from rebates.graphql.types import RebateProgress, RebateWallet
from rebates.selectors import progress_for, wallet_balance, wallets


def _currency(company, currency: str | None) -> str:
    """The dealer's own currency, or one it holds a wallet in; anything else (an unknown code,
    or "XXX", which ISO 4217 lists for "no currency") is a typed error, not a balance of 0."""
    code = clean_key(currency, 3).upper() if currency else company.currency
    if len(code) != 3 or not code.isalpha():
        raise ApiError("INVALID", "Give a three-letter currency code such as GBP.", "currency")
    if code == company.currency:
        return code
    held = [w.currency for w in wallets(company)]
    if code not in held:
        choices = ", ".join(dict.fromkeys([company.currency, *held]))
        raise ApiError("INVALID", f"You have no rebate wallet in {code}: ask for {choices}.", "currency")
    return code


class RebatesQuery(graphene.ObjectType):
    rebate_progress = graphene.List(
        graphene.NonNull(RebateProgress), required=True,
        description="The dealer's standing in each rebate program it qualifies for, this period. Requires a signed-in dealer.",
    )
    rebate_wallet = graphene.Field(
        RebateWallet, required=True, currency=graphene.String(description="Defaults to the dealer's currency."),
        description="The dealer's rebate credit and its ledger. Requires a signed-in dealer.",
    )

    @staticmethod
    def resolve_rebate_progress(root, info):
        _, company = require_dealer(info)
        return progress_for(company)

    @staticmethod
    def resolve_rebate_wallet(root, info, currency=None):
        _, company = require_dealer(info)
        code = _currency(company, currency)
        return SimpleNamespace(company=company, currency=code, balance=money(wallet_balance(company, code), code))
