"""Invitations in the API: `companyInvitations` (dealer admins), `companyInvitationCreate`,
`companyInvitationResend`, `companyInvitationRevoke` (dealer admins), and `invitationAccept`
(the invited person, signed out). No field ever returns a token: it exists only in the e-mail.
Every domain error of a mutation is in `errors` ({field, code, message})."""

from types import SimpleNamespace

import graphene
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import DomainError
from mall.graphql_idempotency import IdempotentMutation, idempotency_key_argument, idempotent
from mall.graphql_types import (
    ApiError,
    CountedConnection,
    Error,
    Money,
    clean_key,
    cursor,
    errors_from,
    money,
    paginate,
)
from partners import invitations as service
from partners.graphql.viewer import dealer_problem, require_dealer, viewer, viewer_company
from partners.memberships import is_company_admin
from partners.models import Invitation, Membership

# The same values as CompanyRoleEnum of companyUsers (storefront), defined here since partners
# does not import storefront.
InvitationRoleEnum = graphene.Enum("InvitationRoleEnum", [(c.name, c.value) for c in Membership.Role])
InvitationStatusEnum = graphene.Enum("InvitationStatusEnum", [(c.name, c.value) for c in Invitation.Status])
NOT_ADMIN = ("NOT_ALLOWED", "Only your company's admins invite users and manage invitations.")


class CompanyInvitation(graphene.ObjectType):
    """An invitation of your company that is not accepted or revoked (expired ones can be resent)."""

    id = graphene.ID(required=True)
    email = graphene.String(required=True)
    role = graphene.Field(InvitationRoleEnum, required=True)
    order_limit = graphene.Field(Money, description="The new user's order limit; null: no limit.")
    status = graphene.Field(InvitationStatusEnum, required=True)
    invited_by_email = graphene.String()
    created_at = graphene.DateTime(required=True)
    sent_at = graphene.DateTime(required=True, description="The last time the e-mail was sent.")
    expires_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_id(root, info):
        return str(root.pk)

    @staticmethod
    def resolve_status(root, info):
        return str(root.status_at(timezone.now()).value)

    @staticmethod
    def resolve_order_limit(root, info):
        return money(root.order_limit, root.company.currency)

    @staticmethod
    def resolve_invited_by_email(root, info):
        return root.invited_by.email if root.invited_by_id else None


class CompanyInvitationEdge(graphene.ObjectType):
    node = graphene.Field(CompanyInvitation, required=True)
    cursor = graphene.String(required=True)


class CompanyInvitationConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(CompanyInvitationEdge), required=True)


def _admin_company(info):
    user, company = require_dealer(info)
    if not is_company_admin(user, company):
        raise ApiError(*NOT_ADMIN)
    return company


class InvitationsQuery(graphene.ObjectType):
    company_invitations = graphene.Field(
        CompanyInvitationConnection, required=True, first=graphene.Int(), after=graphene.String(),
        description="Your company's open invitations, pending or expired in the last INVITATION_EXPIRED_KEEP_DAYS "
        "(30) days, newest first (dealer admins only).",
    )

    @staticmethod
    def resolve_company_invitations(root, info, first=None, after=None):
        company = _admin_company(info)
        queryset = service.listed_invitations(company)
        rows, page_info, offset = paginate(queryset, first, after)
        for row in rows:
            row.company = company  # the limit's currency without a query per row
        edges = [CompanyInvitationEdge(node=row, cursor=cursor(offset + i)) for i, row in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)


class InvitationMutation(IdempotentMutation, graphene.Mutation):
    class Meta:
        abstract = True

    invitation = graphene.Field(CompanyInvitation)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    def run(cls, info, action):
        problem = dealer_problem(info)
        if problem:
            return cls(invitation=None, errors=[Error(field=None, code=problem[0], message=problem[1])])
        company = viewer_company(info)
        try:
            done = action(viewer(info), company)
        except DomainError as exc:
            return cls(invitation=None, errors=errors_from(exc))
        invitation = done.invitation if isinstance(done, service.Sent) else done
        invitation.company = company
        return cls(invitation=invitation, errors=[])

    @classmethod
    def idempotency_answer(cls, payload) -> dict:
        return {"invitation_id": payload.invitation.pk}

    @classmethod
    def idempotency_replay(cls, info, answer, user, company):
        invitation = Invitation.objects.filter(pk=answer["invitation_id"], company=company).select_related("invited_by").first()
        if invitation is not None:
            invitation.company = company
        return cls(invitation=invitation, errors=[])


class CompanyInvitationCreate(InvitationMutation):
    """Invite a person by e-mail to your company with a role and an order limit (null: no
    limit). The e-mail is sent in the language of the request (Accept-Language). NOT_ALLOWED,
    REQUIRED, INVALID, NEGATIVE, TOO_LARGE, EMAIL_TAKEN, ALREADY_INVITED, TOO_MANY_PENDING. With
    an `idempotencyKey`, a retry sends no second e-mail and answers the same invitation."""

    class Arguments:
        email = graphene.String(required=True)
        role = InvitationRoleEnum(required=True)
        order_limit = graphene.Decimal()
        idempotency_key = idempotency_key_argument()

    @classmethod
    @idempotent
    def mutate(cls, root, info, email, role, order_limit=None):
        role = getattr(role, "value", role)
        return cls.run(
            info,
            lambda user, company: service.invite(
                actor=user, company=company, email=clean_key(email, 300), role=role, order_limit=order_limit
            ),
        )


class CompanyInvitationResend(InvitationMutation):
    """Send an open invitation again with a new link (the old one stops working) and a new
    expiry. NOT_ALLOWED, NOT_FOUND, ALREADY_ACCEPTED, REVOKED, SENT_RECENTLY, EMAIL_TAKEN. With
    an `idempotencyKey`, a retry sends nothing again (the link of the first resend keeps working)."""

    class Arguments:
        id = graphene.ID(required=True)
        idempotency_key = idempotency_key_argument()

    @classmethod
    @idempotent
    def mutate(cls, root, info, id):
        return cls.run(
            info, lambda user, company: service.resend(actor=user, company=company, invitation_id=clean_key(id, 20))
        )


class CompanyInvitationRevoke(InvitationMutation):
    """Withdraw an invitation: its link stops working. NOT_ALLOWED, NOT_FOUND, ALREADY_ACCEPTED."""

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def mutate(cls, root, info, id):
        return cls.run(
            info, lambda user, company: service.revoke(actor=user, company=company, invitation_id=clean_key(id, 20))
        )


class InvitationAccept(graphene.Mutation):
    """Accept an invitation with the token from its link: makes your user with the name and
    password you choose. Then sign in with tokenCreate (the invited e-mail and this password).
    UNKNOWN, EXPIRED, REVOKED, USED, EMAIL_TAKEN, REQUIRED, TOO_LONG, the password rules' codes
    (e.g. PASSWORD_TOO_SHORT), SIGNED_IN (send no Authorization header)."""

    class Arguments:
        token = graphene.String(required=True)
        first_name = graphene.String(required=True)
        last_name = graphene.String(required=True)
        password = graphene.String(required=True)

    success = graphene.Boolean(required=True)
    email = graphene.String(description="The e-mail to sign in with.")
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, token, first_name, last_name, password):
        if viewer(info) is not None:
            return InvitationAccept(
                success=False, email=None,
                errors=[Error(field=None, code="SIGNED_IN", message=_("You are signed in: an invitation makes a new user, so accept it signed out."))],
            )
        try:
            user = service.accept(
                token=clean_key(token, service.MAX_TOKEN_LENGTH + 1), first_name=first_name[:300], last_name=last_name[:300],
                password=password[:4096], now=timezone.now(),
            )
        except DomainError as exc:
            return InvitationAccept(success=False, email=None, errors=errors_from(exc))
        return InvitationAccept(success=True, email=user.email, errors=[])


class InvitationsMutation(graphene.ObjectType):
    company_invitation_create = CompanyInvitationCreate.Field()
    company_invitation_resend = CompanyInvitationResend.Field()
    company_invitation_revoke = CompanyInvitationRevoke.Field()
    invitation_accept = InvitationAccept.Field()
