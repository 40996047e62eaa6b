"""GraphQL of messages: comment threads, the dealer's inbox (announcements and notifications),
read and acknowledge. Every field is scoped to the signed-in dealer's company."""

from types import SimpleNamespace

import graphene
from django.conf import settings
from django.urls import reverse

from mall.errors import DomainError
from mall.graphql_idempotency import IdempotentMutation, idempotency_key_argument, idempotent
from mall.graphql_types import CountedConnection, Error, clean_key, cursor, errors_from, paginate
from partners import announcements, messaging
from partners.graphql.viewer import dealer_problem, require_dealer, viewer, viewer_company
from partners.models import Comment as CommentModel

# One value per kind of MESSAGE_THREAD_TARGETS (deal, order, fund_claim ...).
ThreadKindEnum = graphene.Enum("ThreadKindEnum", [(kind.upper(), kind) for kind in settings.MESSAGE_THREAD_TARGETS])
AnnouncementKindEnum = graphene.Enum(
    "AnnouncementKindEnum", [("POLICY", "policy"), ("PRICE_CHANGE", "price_change"), ("PROMOTION", "promotion"), ("GENERAL", "general")]
)


class Attachment(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    content_type = graphene.String(required=True)
    size = graphene.Int(required=True)
    url = graphene.String(required=True, description="Download with the same session or token; 404 to anyone else.")

    @staticmethod
    def resolve_name(root, info):
        return root.original_name

    @staticmethod
    def resolve_url(root, info):
        return reverse("storefront:attachment", args=[root.pk])


class Comment(graphene.ObjectType):
    id = graphene.ID(required=True)
    author = graphene.String(required=True, description='The writer\'s name, or "Vendor" for vendor staff.')
    by_vendor = graphene.Boolean(required=True)
    body = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    attachments = graphene.List(graphene.NonNull(Attachment), required=True)

    @staticmethod
    def resolve_author(root, info):
        if root.by_vendor:
            return "Vendor"
        user = root.author
        return (user.get_full_name() or user.email) if user else "Former user"

    @staticmethod
    def resolve_attachments(root, info):
        return list(root.attachments.all())


class Thread(graphene.ObjectType):
    """The comments on one order, deal or fund claim, between the dealer's people and the vendor's."""

    kind = graphene.String(required=True)
    key = graphene.String(required=True, description="The order number, deal id or fund claim (activity plan) id.")
    comments = graphene.List(graphene.NonNull(Comment), required=True)

    @staticmethod
    def resolve_comments(root, info):
        if root.thread is None:
            return []
        return list(messaging.comments_of(root.thread))


def thread_view(kind: str, key: str, target) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, key=key, thread=messaging.existing_thread(target))


class Announcement(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    body = graphene.String(required=True)
    kind = graphene.Field(AnnouncementKindEnum, required=True)
    published_at = graphene.DateTime(required=True)
    requires_acknowledgement = graphene.Boolean(required=True)
    read_at = graphene.DateTime(description="When you first opened it; null while unread.")
    acknowledged_at = graphene.DateTime()


class Notification(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    body = graphene.String(required=True)
    link = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    read_at = graphene.DateTime()


class AnnouncementEdge(graphene.ObjectType):
    node = graphene.Field(Announcement, required=True)
    cursor = graphene.String(required=True)


class AnnouncementConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(AnnouncementEdge), required=True)


class NotificationEdge(graphene.ObjectType):
    node = graphene.Field(Notification, required=True)
    cursor = graphene.String(required=True)


class NotificationConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(NotificationEdge), required=True)


class Inbox(graphene.ObjectType):
    unread_count = graphene.Int(required=True, description="Unread announcements plus unread notifications.")
    announcements = graphene.Field(AnnouncementConnection, required=True, first=graphene.Int(), after=graphene.String())
    notifications = graphene.Field(NotificationConnection, required=True, first=graphene.Int(), after=graphene.String())

    @staticmethod
    def resolve_unread_count(root, info):
        return announcements.unread_count(root.user, root.company)

    @staticmethod
    def resolve_announcements(root, info, first=None, after=None):
        queryset = announcements.inbox_of(root.user, root.company)
        rows, page_info, offset = paginate(queryset, first, after)
        edges = [AnnouncementEdge(node=a, cursor=cursor(offset + i)) for i, a in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)

    @staticmethod
    def resolve_notifications(root, info, first=None, after=None):
        queryset = root.user.notifications.order_by("-created_at", "-id")
        rows, page_info, offset = paginate(queryset, first, after)
        edges = [NotificationEdge(node=n, cursor=cursor(offset + i)) for i, n in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)


def _target(info, kind, key):
    _, company = require_dealer(info)
    kind = getattr(kind, "value", kind)
    key = clean_key(key, 64)
    return kind, key, messaging.find_target(kind, key, company=company)


class MessagesQuery(graphene.ObjectType):
    inbox = graphene.Field(Inbox, required=True, description="The signed-in dealer user's inbox.")
    announcement = graphene.Field(Announcement, id=graphene.ID(required=True))
    thread = graphene.Field(
        Thread, kind=ThreadKindEnum(required=True), key=graphene.String(required=True),
        description="The comments on your order (key: its number) or deal (key: its id); null if not yours.",
    )

    @staticmethod
    def resolve_inbox(root, info):
        user, company = require_dealer(info)
        return SimpleNamespace(user=user, company=company)

    @staticmethod
    def resolve_announcement(root, info, id):
        user, company = require_dealer(info)
        try:
            return announcements.announcement_for(user, company, clean_key(id, 20))
        except DomainError:
            return None

    @staticmethod
    def resolve_thread(root, info, kind, key):
        kind, key, target = _target(info, kind, key)
        return thread_view(kind, key, target) if target is not None else None


def _problem(info) -> list[Error]:
    problem = dealer_problem(info)
    return [Error(field=None, code=problem[0], message=problem[1])] if problem else []


class CommentPost(IdempotentMutation, graphene.Mutation):
    """Write in the thread of your order or deal (attachments: on the storefront page). With an
    `idempotencyKey`, a retry posts nothing again and answers the same comment."""

    class Arguments:
        kind = ThreadKindEnum(required=True)
        key = graphene.String(required=True)
        body = graphene.String(required=True)
        idempotency_key = idempotency_key_argument()

    comment = graphene.Field(Comment)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    @idempotent
    def mutate(cls, root, info, kind, key, body):
        errors = _problem(info)
        if errors:
            return CommentPost(comment=None, errors=errors)
        kind, key, target = _target(info, kind, key)
        if target is None:
            return CommentPost(comment=None, errors=[Error(field="key", code="NOT_FOUND", message="No such order or deal.")])
        try:
            comment = messaging.post_comment(thread=messaging.thread_for(target), author=viewer(info), body=body)
        except DomainError as exc:
            return CommentPost(comment=None, errors=errors_from(exc))
        return CommentPost(comment=comment, errors=[])

    @classmethod
    def idempotency_answer(cls, payload) -> dict:
        return {"comment_id": payload.comment.pk}

    @classmethod
    def idempotency_replay(cls, info, answer, user, company):
        comment = CommentModel.objects.filter(pk=answer["comment_id"], author=user).select_related("author").first()
        return cls(comment=comment, errors=[])


class _ReceiptMutation(graphene.Mutation):
    class Meta:
        abstract = True

    class Arguments:
        id = graphene.ID(required=True)

    announcement = graphene.Field(Announcement)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    def run(cls, info, id, service):
        errors = _problem(info)
        if errors:
            return cls(announcement=None, errors=errors)
        user, company = viewer(info), viewer_company(info)
        try:
            service(user, company, clean_key(id, 20))
        except DomainError as exc:
            return cls(announcement=None, errors=errors_from(exc))
        return cls(announcement=announcements.announcement_for(user, company, id), errors=[])


class AnnouncementMarkRead(_ReceiptMutation):
    """Mark an announcement of your inbox read (repeating it changes nothing)."""

    @classmethod
    def mutate(cls, root, info, id):
        return cls.run(info, id, announcements.mark_read)


class AnnouncementAcknowledge(_ReceiptMutation):
    """Acknowledge an announcement that asks for it (NOT_REQUIRED otherwise)."""

    @classmethod
    def mutate(cls, root, info, id):
        return cls.run(info, id, announcements.acknowledge)


class NotificationMarkRead(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)

    notification = graphene.Field(Notification)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, id):
        errors = _problem(info)
        if errors:
            return NotificationMarkRead(notification=None, errors=errors)
        try:
            item = messaging.mark_notification_read(viewer(info), clean_key(id, 20))
        except DomainError as exc:
            return NotificationMarkRead(notification=None, errors=errors_from(exc))
        return NotificationMarkRead(notification=item, errors=[])


class MessagesMutation(graphene.ObjectType):
    comment_post = CommentPost.Field()
    announcement_mark_read = AnnouncementMarkRead.Field()
    announcement_acknowledge = AnnouncementAcknowledge.Field()
    notification_mark_read = NotificationMarkRead.Field()
