"""Dealer companies, their tiers and regions, their users, and their credit."""

from partners.models.companies import Address, Company, Membership, Region, Tier
from partners.models.credit import CreditAccount

__all__ = ["Address", "Company", "CreditAccount", "Membership", "Region", "Tier"]
