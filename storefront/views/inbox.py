"""The dealer's inbox: announcements (read, acknowledge) and notifications; and comment
attachments, handed out only to those who may read their thread."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mall.errors import DomainError
from mall.uploads import serve_stored_file
from partners import announcements, messaging

from .context import dealer_required

PAGE_SIZE = 25


@dealer_required
def inbox(request, company):
    page = Paginator(announcements.inbox_of(request.user, company), PAGE_SIZE).get_page(request.GET.get("page"))
    notifications = list(request.user.notifications.order_by("-created_at", "-id")[:50])
    return render(request, "storefront/inbox.html", {"page": page, "notifications": notifications, "company": company})


@dealer_required
def announcement_detail(request, company, pk: int):
    try:
        announcements.mark_read(request.user, company, pk)
        announcement = announcements.announcement_for(request.user, company, pk)
    except DomainError:
        raise Http404("No such announcement.") from None
    return render(request, "storefront/announcement.html", {"announcement": announcement, "company": company})


@require_POST
@dealer_required
def announcement_acknowledge(request, company, pk: int):
    try:
        announcements.acknowledge(request.user, company, pk)
    except DomainError as exc:
        if exc.details[0].code == "NOT_FOUND":
            raise Http404("No such announcement.") from None
        messages.error(request, exc.details[0].message)
    else:
        messages.success(request, gettext("Thank you: your acknowledgement is recorded."))
    return redirect("storefront:announcement", pk=pk)


@require_POST
@dealer_required
def notification_open(request, company, pk: int):
    try:
        item = messaging.mark_notification_read(request.user, pk)
    except DomainError:
        raise Http404("No such notification.") from None
    internal = item.link.startswith("/") and not item.link.startswith("//")
    return redirect(item.link if internal else "storefront:inbox")


@login_required
def attachment(request, pk: int):
    """The file of a comment: 404 unless the user may read its thread (staff included)."""
    found = messaging.attachment_for(request.user, pk)
    return serve_stored_file(request, found, allowed=found is not None, thumbnail=bool(request.GET.get("thumbnail")))


@require_POST
@dealer_required
def thread_comment(request, company, kind: str, key: str):
    """A comment (with files) on one of the company's own orders, deals or fund claims
    (MESSAGE_THREAD_TARGETS); another dealer's object is 404. Back to the object's page."""
    target = messaging.find_target(kind, key[:64], company=company)
    if target is None:
        raise Http404("Not found.")
    try:
        messaging.post_comment(
            thread=messaging.thread_for(target, participants=[getattr(target, "user", None) or getattr(target, "registered_by", None)]),
            author=request.user, body=request.POST.get("body", ""), files=request.FILES.getlist("attachments"),
        )
    except DomainError as exc:
        messages.error(request, " ".join(d.message for d in exc.details))
    else:
        messages.success(request, gettext("Your comment is posted; the vendor's team is notified."))
    return redirect(messaging.link_for(target, request.user, company.pk) or "storefront:inbox")


def order_comment(request, number: str):
    return thread_comment(request, kind="order", key=number)
