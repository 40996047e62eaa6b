"""What merchandisers edit: price lists and contract prices (price_lists.py), promotions and
vouchers (promotions.py). The loaders turn these rows into pricing_engine/core's types."""

from .price_lists import PriceBreak, PriceList, PriceListItem
from .promotions import (
    REWARD_EXAMPLES,
    Promotion,
    RewardKind,
    Voucher,
    VoucherRedemption,
    build_reward,
)

__all__ = [
    "REWARD_EXAMPLES",
    "PriceBreak",
    "PriceList",
    "PriceListItem",
    "Promotion",
    "RewardKind",
    "Voucher",
    "VoucherRedemption",
    "build_reward",
]
