"""Staff-side billing mutations (vendor finance): release a dealer's overdue hold."""

import graphene

from billing.services import release_overdue_hold
from mall.errors import DomainError
from mall.graphql_types import Error, clean_key, errors_from
from partners.graphql.viewer import viewer
from partners.models import Company

RELEASE_PERMISSION = "partners.change_creditaccount"


class ReleaseOverdueHold(graphene.Mutation):
    """Let a dealer with overdue invoices order on account again until `until` (finance only:
    staff with the permission to change credit accounts). Who and when are recorded."""

    class Arguments:
        dealer_code = graphene.String(required=True, description="The vendor's customer number of the dealer.")
        until = graphene.Date(required=True)
        note = graphene.String()

    released_until = graphene.Date()
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, dealer_code, until, note=""):
        user = viewer(info)
        if user is None:
            return ReleaseOverdueHold(errors=[Error(field=None, code="NOT_AUTHENTICATED", message="Sign in first.")])
        if not (user.is_staff and user.has_perm(RELEASE_PERMISSION)):
            return ReleaseOverdueHold(errors=[Error(field=None, code="PERMISSION_DENIED", message="Only finance staff may release a hold.")])
        company = Company.objects.filter(code=clean_key(dealer_code, 64)).first()
        if company is None:
            return ReleaseOverdueHold(errors=[Error(field="dealer_code", code="NOT_FOUND", message="There is no dealer with this code.")])
        try:
            account = release_overdue_hold(company, until=until, by=user, note=note or "")
        except DomainError as exc:
            return ReleaseOverdueHold(errors=errors_from(exc))
        return ReleaseOverdueHold(released_until=account.hold_released_until, errors=[])


class BillingMutation(graphene.ObjectType):
    release_overdue_hold = ReleaseOverdueHold.Field()
