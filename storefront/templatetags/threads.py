"""`{% comment_thread obj action_url %}`: the comment thread of a dealer-owned object (an
order, a deal) with its post form, for the dealer pages."""

from django import forms, template

from partners import messaging

register = template.Library()


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=messaging.MAX_COMMENT_LENGTH, required=False)


@register.inclusion_tag("storefront/_thread.html")
def comment_thread(target, action: str):
    thread = messaging.existing_thread(target)
    return {"comments": list(messaging.comments_of(thread)) if thread else [], "action": action, "comment_form": CommentForm()}
