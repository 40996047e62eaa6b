"""Every write of the rebates app: accrual (accrual.py), settlement (settlement.py) and the
rebate wallet (wallet.py). Other apps call the names exported here (see CONTRACTS)."""

from rebates.services.accrual import accrue_order, reverse_order, reverse_return
from rebates.services.settlement import approve_settlement, close_rebate_periods
from rebates.services.wallet import credit_wallet, refund_to_wallet, spend_wallet, wallet_for

__all__ = [
    "accrue_order",
    "approve_settlement",
    "close_rebate_periods",
    "credit_wallet",
    "refund_to_wallet",
    "reverse_order",
    "reverse_return",
    "spend_wallet",
    "wallet_for",
]
