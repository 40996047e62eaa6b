"""`{% inbox_unread_count as n %}`: unread announcements and notifications of the signed-in
dealer user, for the navigation (two counting queries, cached on the request)."""

from django import template

from partners.announcements import unread_count
from partners.models import Membership

register = template.Library()

_CACHE = "_dealermall_inbox_unread"


@register.simple_tag(takes_context=True)
def inbox_unread_count(context) -> int:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    if not hasattr(request, _CACHE):
        membership = Membership.objects.filter(user_id=request.user.pk, company__is_active=True).select_related("company").first()
        setattr(request, _CACHE, unread_count(request.user, membership.company if membership else None))
    return getattr(request, _CACHE)
