"""Rebate programs, the accrual ledger and settlements, and the rebate wallet."""

from rebates.models.ledger import AccrualEntry, DealerPeriod, Settlement
from rebates.models.programs import RebateProgram, RebateTarget
from rebates.models.wallet import RebateWallet, WalletEntry

__all__ = ["AccrualEntry", "DealerPeriod", "RebateProgram", "RebateTarget", "RebateWallet", "Settlement", "WalletEntry"]
