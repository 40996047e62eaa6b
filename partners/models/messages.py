"""Messages between the vendor and its dealers: comment threads on any dealer-owned object,
inbox notifications, and announcements to all dealers or a segment."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy

from mall.uploads import StoredFileFields


class Thread(models.Model):
    """The comments on one object (an order, a deal, a fund claim). Only the owning dealer's
    users and, when `vendor_visible`, the vendor's staff may read or write it."""

    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64)
    company = models.ForeignKey("partners.Company", on_delete=models.CASCADE, related_name="threads")
    vendor_visible = models.BooleanField(default=True)
    # Who hears of a new comment: the deal team, and everyone who wrote in the thread.
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="message_threads")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target_type", "target_id"], name="one_thread_per_target")]

    def __str__(self) -> str:
        return f"Thread on {self.target_type.model} {self.target_id}"


class Comment(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Written by vendor staff (shown as the vendor to the dealer) rather than the dealer's user.
    by_vendor = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.thread}"


class CommentAttachment(StoredFileFields):
    """A file on a comment, stored through mall/uploads.py (checked by content, private)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="attachments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Notification(models.Model):
    """An inbox item for one user: a comment in a thread, a deal decision, a reminder."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=255, blank=True, help_text="Storefront path to open, e.g. /deals/12/.")
    thread = models.ForeignKey(Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]


class Announcement(models.Model):
    """A message from the vendor to its dealers. Audience: every dealer, or a segment
    (tiers AND regions, each when given) plus any named dealers."""

    class Kind(models.TextChoices):
        POLICY = "policy", gettext_lazy("Policy")
        PRICE_CHANGE = "price_change", gettext_lazy("Price change")
        PROMOTION = "promotion", gettext_lazy("Promotion")
        GENERAL = "general", gettext_lazy("General")

    title = models.CharField(max_length=200)
    body = models.TextField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    requires_acknowledgement = models.BooleanField(default=False)
    to_all_dealers = models.BooleanField(default=True, help_text="Off: only the tiers, regions and dealers below.")
    tiers = models.ManyToManyField("partners.Tier", blank=True, related_name="+")
    regions = models.ManyToManyField("partners.Region", blank=True, related_name="+")
    companies = models.ManyToManyField("partners.Company", blank=True, related_name="+", verbose_name="named dealers")
    published_at = models.DateTimeField(null=True, blank=True, help_text="Empty: a draft nobody sees.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Claimed by the e-mail task, so a retried or duplicated task sends the e-mails once.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AnnouncementReceipt(models.Model):
    """That one dealer user read (and perhaps acknowledged) an announcement. Made on first
    read, so publishing to thousands of dealers writes nothing per dealer."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("partners.Company", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["read_at", "id"]
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="one_receipt_per_user")]
