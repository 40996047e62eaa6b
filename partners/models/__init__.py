"""Dealer companies, their tiers and regions, their users, and their credit."""

from partners.models.companies import Address, Company, Membership, Region, Tier
from partners.models.credit import CreditAccount
from partners.models.invitations import Invitation  # INVITES
from partners.models.messages import (  # threads, inbox and announcements (DEALS)
    Announcement,
    AnnouncementReceipt,
    Comment,
    CommentAttachment,
    Notification,
    Thread,
)

__all__ = ["Address", "Company", "CreditAccount", "Membership", "Region", "Tier"]
__all__ += ["Announcement", "AnnouncementReceipt", "Comment", "CommentAttachment", "Notification", "Thread"]
__all__ += ["Invitation"]
