"""E-mail domains in their IDNA ASCII form (partners/emails.py).

Before this, an accepted invitation stored the address as typed in lower case, so a user (and
an open invitation) could have a Unicode domain (`ascii@exämple.com`). Each is rewritten to the
ASCII form (`ascii@xn--exmple-cua.com`) when that changes nothing else: a row is left as it is
when another user (or another open invitation of the same company) already has the ASCII form,
since merging two accounts is a person's decision, or when its domain is not valid IDNA. What
was left is printed. Nothing is lost either way: reversing is a no-op.
"""

from django.conf import settings
from django.db import migrations

from partners.emails import InvalidDomain, canonical_email


def _ascii_form(email: str) -> str | None:
    if not email or email.isascii():
        return None
    try:
        canonical = canonical_email(email)
    except InvalidDomain:
        return None
    return canonical if canonical != email and len(canonical) <= 254 else None


def forwards(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Invitation = apps.get_model("partners", "Invitation")
    left = []
    for user in User.objects.exclude(email="").iterator():
        new = _ascii_form(user.email)
        if new is None:
            continue
        taken = User.objects.exclude(pk=user.pk).filter(email__iexact=new).exists() or User.objects.exclude(
            pk=user.pk).filter(username__iexact=new).exists()
        if taken:
            left.append(f"user {user.pk} ({user.email}): {new} is another user's")
            continue
        fields = ["email"]
        if user.username.lower() == user.email.lower():  # the e-mail is also the user name
            user.username = new
            fields.append("username")
        user.email = new
        user.save(update_fields=fields)
    open_rows = Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    for invitation in open_rows.iterator():
        new = _ascii_form(invitation.email)
        if new is None:
            continue
        if open_rows.filter(company_id=invitation.company_id, email=new).exclude(pk=invitation.pk).exists():
            left.append(f"invitation {invitation.pk} ({invitation.email}): the company invited {new} too")
            continue
        invitation.email = new
        invitation.save(update_fields=["email"])
    for line in left:
        print(f"\n  partners.0006 left as it is: {line}")


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0005_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
