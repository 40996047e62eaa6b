"""Comment threads on dealer-owned objects, and inbox notifications with e-mail.

A thread belongs to the object's dealer company (`target.company`): that company's users may
read and write it, vendor staff too when the thread is `vendor_visible`, nobody else. Which
objects may carry a thread, how the API names them and where their page is, is the setting
MESSAGE_THREAD_TARGETS (a kind -> model, lookup field, dealer page). E-mail is sent after the
transaction commits; the inbox item is the durable record of a notification.
"""

import logging
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext

from mall.errors import DomainError
from mall.uploads import StoredFileFields, store_upload
from partners.models import Comment, CommentAttachment, Membership, Notification, Thread

logger = logging.getLogger(__name__)

MAX_COMMENT_LENGTH = 5000
MAX_ATTACHMENTS = 5
MAX_ID = 2**63 - 1  # PostgreSQL bigint: a longer id is "not found", not a database error


def parse_id(value) -> int | None:
    """A primary key from user input ("12", 12), or None for anything else or out of range."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


@dataclass(frozen=True)
class TargetKind:
    kind: str
    model: str  # "app_label.Model"
    lookup: str  # field the API identifies it by
    link: str  # dealer page, formatted with the object as `obj`


def target_kinds() -> dict[str, TargetKind]:
    return {kind: TargetKind(kind, *spec) for kind, spec in settings.MESSAGE_THREAD_TARGETS.items()}


def kind_of(target) -> TargetKind | None:
    label = target._meta.label
    return next((k for k in target_kinds().values() if k.model == label), None)


def find_target(kind: str, key: str, *, company=None):
    """The object of `kind` identified by `key`, or None. With `company`, only that dealer's
    own objects are found (another dealer's order is "not found", like a missing one)."""
    spec = target_kinds().get(kind)
    if spec is None or not key:
        return None
    model = apps.get_model(spec.model)
    lookup = spec.lookup
    if lookup in ("pk", "id"):
        key = parse_id(key)
        if key is None:
            return None
    rows = model.objects.filter(**{lookup: key})
    if company is not None:
        rows = rows.filter(company=company)
    return rows.first()


def thread_for(target, *, vendor_visible: bool = True, participants=()) -> Thread:
    """The thread on `target` (made on first use), owned by `target.company`. `participants`
    (users) are added to those who hear of new comments."""
    content_type = ContentType.objects.get_for_model(target)
    thread, _ = Thread.objects.get_or_create(
        target_type=content_type,
        target_id=str(target.pk),
        defaults={"company_id": target.company_id, "vendor_visible": vendor_visible},
    )
    users = [u for u in participants if u is not None]
    if users:
        thread.participants.add(*users)
    return thread


def existing_thread(target) -> Thread | None:
    return Thread.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)).first()


def is_vendor_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def _dealer_company_id(user) -> int | None:
    if not (user and user.is_authenticated and user.is_active):
        return None
    membership = Membership.objects.filter(user_id=user.pk, company__is_active=True).only("company_id").first()
    return membership.company_id if membership else None


def can_view_thread(user, thread: Thread) -> bool:
    """The owning dealer's users, and vendor staff on a vendor-visible thread; nobody else."""
    if is_vendor_staff(user) and thread.vendor_visible:
        return True
    return _dealer_company_id(user) == thread.company_id


def comments_of(thread: Thread):
    """The thread's comments, oldest first, with authors and attachments (three queries)."""
    return (
        Comment.objects.filter(thread=thread)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=CommentAttachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def post_comment(*, thread: Thread, author, body: str, files=()) -> Comment:
    """Add a comment (text and up to MAX_ATTACHMENTS files) and notify the other participants.

    Files are checked and stored first (mall/uploads.py: JPEG, PNG, PDF by content, size
    limit); any refused file means no comment at all. A stored file whose comment then fails
    stays an unreachable orphan under a random name."""
    if not can_view_thread(author, thread):
        raise DomainError.single("thread", "NOT_FOUND", gettext("No such thread."))
    text = (body or "").replace("\x00", "").strip()
    files = list(files or ())
    if not text and not files:
        raise DomainError.single("body", "REQUIRED", gettext("Write a comment or attach a file."))
    if len(text) > MAX_COMMENT_LENGTH:
        raise DomainError.single("body", "TOO_LONG", gettext("A comment may have at most %(limit)s characters.") % {"limit": MAX_COMMENT_LENGTH})
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError.single("attachments", "TOO_MANY_FILES", gettext("Attach at most %(limit)s files.") % {"limit": MAX_ATTACHMENTS})
    stored = [store_upload(f, category="comments", field=f"attachments.{i}") for i, f in enumerate(files)]
    with transaction.atomic():
        comment = Comment.objects.create(thread=thread, author=author, by_vendor=is_vendor_staff(author), body=text)
        CommentAttachment.objects.bulk_create(
            [CommentAttachment(comment=comment, **StoredFileFields.fields_from(s)) for s in stored]
        )
        thread.participants.add(author)
        target = thread.target_type.get_object_for_this_type(pk=thread.target_id)
        who = "The vendor" if comment.by_vendor else (author.get_full_name() or author.email or author.get_username())
        notify(
            recipients_of(thread, comment),
            title=f"New comment on {target}",
            body=f"{who} wrote: {text[:300]}" if text else f"{who} attached {len(stored)} file(s).",
            link=lambda user: link_for(target, user, thread.company_id),
            thread=thread,
        )
    return comment


def readers_of(thread: Thread):
    """The thread's participants who may still read it (one query)."""
    may_read = Q(membership__company_id=thread.company_id, membership__company__is_active=True)
    if thread.vendor_visible:
        may_read |= Q(is_staff=True)
    return thread.participants.filter(may_read, is_active=True).distinct()


def recipients_of(thread: Thread, comment: Comment) -> list:
    """Who hears of a comment: the other participants who may read the thread; for a dealer's
    comment that no vendor participant would hear of, the staff group MESSAGE_VENDOR_GROUP."""
    users = list(readers_of(thread).exclude(pk=comment.author_id))
    if not comment.by_vendor and thread.vendor_visible and not any(u.is_staff for u in users):
        users += vendor_group()
    return users


def vendor_group() -> list:
    """The active staff of MESSAGE_VENDOR_GROUP: who hears of what no specialist follows."""
    group = getattr(settings, "MESSAGE_VENDOR_GROUP", "Channel managers")
    return list(get_user_model().objects.filter(groups__name=group, is_staff=True, is_active=True).distinct())


def link_for(target, user, company_id: int) -> str:
    """Where the user reads about `target`: the dealer page, or the back-office page for staff."""
    if is_vendor_staff(user) and getattr(getattr(user, "membership", None), "company_id", None) != company_id:
        meta = target._meta
        try:
            return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[target.pk])
        except NoReverseMatch:
            return ""
    spec = kind_of(target)
    return spec.link.format(obj=target) if spec else ""


def attachment_for(user, attachment_id) -> CommentAttachment | None:
    """The attachment if `user` may see its thread, else None (the view answers 404)."""
    pk = parse_id(attachment_id)
    if pk is None:
        return None
    attachment = CommentAttachment.objects.select_related("comment__thread").filter(pk=pk).first()
    if attachment is None or not can_view_thread(user, attachment.comment.thread):
        return None
    return attachment


def notify(users, *, title: str, body: str = "", link="", thread: Thread | None = None) -> list[Notification]:
    """An inbox item per user, and an e-mail each once the transaction commits. `link` is a
    path, or a function of the user (staff and dealers open different pages)."""
    users = [u for u in users if u is not None]
    if not users:
        return []
    items = Notification.objects.bulk_create(
        [
            Notification(user=u, title=title[:200], body=body, link=link(u) if callable(link) else link, thread=thread)
            for u in users
        ]
    )
    sender = settings.DEFAULT_FROM_EMAIL
    mails = [
        (title, f"{body}\n\n{item.link}" if item.link else body, sender, [u.email])
        for u, item in zip(users, items, strict=True)
        if u.email
    ]
    if mails:
        transaction.on_commit(lambda: send_mails(mails))
    return items


def send_mails(mails) -> int:
    """Sends after commit; a mail server that is down costs the e-mail, never the change."""
    try:
        return send_mass_mail(mails, fail_silently=False)
    except Exception:  # noqa: BLE001 - the inbox item is the record; log and go on
        logger.exception("could not send %d notification e-mails", len(mails))
        return 0


def unread_notifications(user):
    return Notification.objects.filter(user=user, read_at__isnull=True)


def mark_notification_read(user, notification_id) -> Notification:
    pk = parse_id(notification_id)
    item = Notification.objects.filter(pk=pk, user=user).first() if pk else None
    if item is None:
        raise DomainError.single("id", "NOT_FOUND", gettext("No such notification."))
    Notification.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())
    item.refresh_from_db(fields=["read_at"])
    return item
