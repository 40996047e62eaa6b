"""Announcements to the channel: who may see one, the dealer's inbox, reads and
acknowledgements, publishing and its e-mail.

Audience rule: `to_all_dealers`, or the segment: (a listed tier, if tiers are listed) AND (a
listed region, if regions are listed), OR one of the named dealers. A segment with nothing
listed reaches nobody, so publishing refuses it.
"""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from mall.errors import DomainError
from partners.messaging import parse_id, send_mails, unread_notifications
from partners.models import Announcement, AnnouncementReceipt, Company, Membership

MAIL_BATCH = 500


def _through(name: str):
    return getattr(Announcement, name).through.objects.filter(announcement_id=OuterRef("pk"))


def audience_filter(company: Company) -> Q:
    """The condition "this announcement reaches `company`" (subqueries, no duplicate rows)."""
    has_tiers, has_regions = Exists(_through("tiers")), Exists(_through("regions"))
    tier_ok = Exists(_through("tiers").filter(tier_id=company.tier_id)) if company.tier_id else Q(pk__in=[])
    region_ok = Exists(_through("regions").filter(region_id=company.region_id)) if company.region_id else Q(pk__in=[])
    segment = (has_tiers | has_regions) & (~has_tiers | tier_ok) & (~has_regions | region_ok)
    named = Exists(_through("companies").filter(company_id=company.pk))
    return Q(to_all_dealers=True) | Q(segment) | Q(named)


def visible_to(company: Company, now=None):
    """Published announcements that reach the dealer, newest first."""
    now = now or timezone.now()
    return Announcement.objects.filter(audience_filter(company), published_at__isnull=False, published_at__lte=now)


def inbox_of(user, company: Company, now=None):
    """The dealer user's announcements, each with `read_at` and `acknowledged_at` of this user
    (None when not yet), in one query."""
    receipts = AnnouncementReceipt.objects.filter(announcement_id=OuterRef("pk"), user_id=user.pk)
    return (
        visible_to(company, now)
        .annotate(
            read_at=Subquery(receipts.values("read_at")[:1]),
            acknowledged_at=Subquery(receipts.values("acknowledged_at")[:1]),
        )
        .order_by("-published_at", "-id")
    )


def unread_announcements(user, company: Company, now=None):
    read = AnnouncementReceipt.objects.filter(announcement_id=OuterRef("pk"), user_id=user.pk)
    return visible_to(company, now).filter(~Exists(read))


def unread_count(user, company: Company | None) -> int:
    """Unread announcements plus unread notifications (two counting queries)."""
    if user is None or not user.is_authenticated:
        return 0
    count = unread_notifications(user).count()
    if company is not None:
        count += unread_announcements(user, company).count()
    return count


def announcement_for(user, company: Company, announcement_id) -> Announcement:
    """One announcement the dealer may see, or NOT_FOUND (also for another segment's)."""
    pk = parse_id(announcement_id)
    found = inbox_of(user, company).filter(pk=pk).first() if pk else None
    if found is None:
        raise DomainError.single("id", "NOT_FOUND", gettext("No such announcement."))
    return found


@transaction.atomic
def mark_read(user, company: Company, announcement_id) -> AnnouncementReceipt:
    announcement = announcement_for(user, company, announcement_id)
    receipt, _ = AnnouncementReceipt.objects.get_or_create(
        announcement=announcement, user=user, defaults={"company": company, "read_at": timezone.now()}
    )
    return receipt


@transaction.atomic
def acknowledge(user, company: Company, announcement_id) -> AnnouncementReceipt:
    """Record that the user read and accepts the announcement (once; later calls keep the
    first time). NOT_REQUIRED if the announcement asks for no acknowledgement."""
    announcement = announcement_for(user, company, announcement_id)
    if not announcement.requires_acknowledgement:
        raise DomainError.single("id", "NOT_REQUIRED", gettext("This announcement needs no acknowledgement."))
    now = timezone.now()
    receipt, _ = AnnouncementReceipt.objects.get_or_create(
        announcement=announcement, user=user, defaults={"company": company, "read_at": now}
    )
    AnnouncementReceipt.objects.filter(pk=receipt.pk, acknowledged_at__isnull=True).update(acknowledged_at=now)
    receipt.refresh_from_db()
    return receipt


def audience_companies(announcement: Announcement):
    """The active dealer companies the announcement reaches."""
    companies = Company.objects.filter(is_active=True)
    if announcement.to_all_dealers:
        return companies
    tiers = list(announcement.tiers.values_list("pk", flat=True))
    regions = list(announcement.regions.values_list("pk", flat=True))
    segment = Q(pk__in=[])
    if tiers or regions:
        segment = Q()
        if tiers:
            segment &= Q(tier_id__in=tiers)
        if regions:
            segment &= Q(region_id__in=regions)
    return companies.filter(segment | Q(pk__in=announcement.companies.values("pk")))


def publish(announcement_id: int, *, by=None) -> Announcement:
    """Make a draft visible now and queue its e-mail (after commit). Publishing twice is
    refused (ALREADY_PUBLISHED); an empty segment too (EMPTY_AUDIENCE)."""
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
        if announcement.published_at is not None:
            raise DomainError.single(None, "ALREADY_PUBLISHED", gettext("This announcement is already published."))
        if not announcement.to_all_dealers and not (
            announcement.tiers.exists() or announcement.regions.exists() or announcement.companies.exists()
        ):
            raise DomainError.single("to_all_dealers", "EMPTY_AUDIENCE", gettext("Choose all dealers, or at least one tier, region or dealer."))
        announcement.published_at = timezone.now()
        announcement.save(update_fields=["published_at"])
        transaction.on_commit(lambda: email_announcement.delay(announcement.pk))
    return announcement


def send_announcement_email(announcement_id: int) -> int:
    """E-mail every active user of the audience, once: the task claims `emailed_at` with a
    conditional UPDATE, so a retried or doubled task sends nothing more. Returns mails sent."""
    claimed = Announcement.objects.filter(
        pk=announcement_id, published_at__isnull=False, emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return 0
    announcement = Announcement.objects.get(pk=announcement_id)
    emails = list(
        Membership.objects.filter(company__in=audience_companies(announcement), user__is_active=True)
        .exclude(user__email="")
        .order_by("user_id")
        .values_list("user__email", flat=True)
    )
    note = "\n\nPlease acknowledge it in your inbox." if announcement.requires_acknowledgement else ""
    subject = f"[{announcement.get_kind_display()}] {announcement.title}"
    body = f"{announcement.body}{note}\n\n/inbox/{announcement.pk}/"
    sent = 0
    for start in range(0, len(emails), MAIL_BATCH):
        batch = emails[start : start + MAIL_BATCH]
        sent += send_mails([(subject, body, settings.DEFAULT_FROM_EMAIL, [e]) for e in batch])
    return sent


def statistics(announcement: Announcement) -> dict[str, int]:
    """For the back office: dealers reached, and how many of them read / acknowledged."""
    receipts = AnnouncementReceipt.objects.filter(announcement=announcement)
    return {
        "audience": audience_companies(announcement).count(),
        "read": receipts.values("company_id").distinct().count(),
        "acknowledged": receipts.filter(acknowledged_at__isnull=False).values("company_id").distinct().count(),
    }


@shared_task(name="partners.email_announcement", acks_late=True)
def email_announcement(announcement_id: int) -> int:
    """Celery task (partners/tasks.py exposes it to workers): the announcement's e-mail."""
    return send_announcement_email(announcement_id)
