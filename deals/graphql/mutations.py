"""Deal mutations of the dealer: register (and submit), edit a draft, submit, close as won or
lost. Errors are typed (`errors { field code message }`), INVALID_TRANSITION included."""

import graphene

from deals import selectors, services
from deals.graphql.types import Deal, DealInput
from mall.errors import DomainError
from mall.graphql_idempotency import IdempotentMutation, idempotency_key_argument, idempotent
from mall.graphql_types import Error, clean_key, clean_text, errors_from
from partners.graphql.viewer import dealer_problem, viewer, viewer_company
from partners.models import Region

DealOutcomeEnum = graphene.Enum("DealOutcomeEnum", [("WON", "win"), ("LOST", "lose")])


def _problem(info) -> list[Error]:
    problem = dealer_problem(info)
    return [Error(field=None, code=problem[0], message=problem[1])] if problem else []


def _input(data) -> services.DealInput:
    region_id = None
    code = clean_key(data.get("region_code"), 64)
    if code:
        region = Region.objects.filter(code=code).first()
        region_id = region.pk if region else "unknown"
    return services.DealInput(
        prospect_name=clean_text(data.get("prospect_name"), 300),
        tax_number=clean_text(data.get("tax_number"), 100),
        website=clean_text(data.get("website"), 300),
        contact_name=clean_text(data.get("contact_name"), 300),
        contact_email=clean_text(data.get("contact_email"), 300),
        phone=clean_text(data.get("phone"), 100),
        city=clean_text(data.get("city"), 200),
        region_id=region_id,
        products_of_interest=clean_text(data.get("products_of_interest"), 5000),
        expected_value=data.get("expected_value"),
        currency=clean_text(data.get("currency"), 10),
        expected_close_date=data.get("expected_close_date"),
        notes=clean_text(data.get("notes"), 5000),
    )


class DealMutation(IdempotentMutation, graphene.Mutation):
    class Meta:
        abstract = True

    deal = graphene.Field(Deal)
    duplicate_warning = graphene.String(description="Set when another registration like this one exists (never whose).")
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    def run(cls, info, action):
        errors = _problem(info)
        if errors:
            return cls(deal=None, errors=errors)
        company = viewer_company(info)
        try:
            result = action(viewer(info), company)
        except DomainError as exc:
            return cls(deal=None, errors=errors_from(exc))
        deal_id = result.deal.pk if isinstance(result, services.SubmitResult) else result.pk
        conflict = isinstance(result, services.SubmitResult) and result.conflict
        return cls(
            deal=selectors.deal_of(company, deal_id),
            duplicate_warning=selectors.CONFLICT_MESSAGE if conflict else None,
            errors=[],
        )

    @classmethod
    def idempotency_answer(cls, payload) -> dict:
        return {"deal_id": payload.deal.pk, "duplicate_warning": payload.duplicate_warning}

    @classmethod
    def idempotency_replay(cls, info, answer, user, company):
        return cls(deal=selectors.deal_of(company, answer["deal_id"]), duplicate_warning=answer["duplicate_warning"], errors=[])


class DealRegister(DealMutation):
    """Register a prospect as a draft; `submit: true` submits it for review at once. With an
    `idempotencyKey`, a retry registers nothing again and answers the same deal."""

    class Arguments:
        input = DealInput(required=True)
        submit = graphene.Boolean(default_value=False)
        idempotency_key = idempotency_key_argument()

    @classmethod
    @idempotent
    def mutate(cls, root, info, input, submit=False):
        return cls.run(info, lambda user, company: services.register_deal(company=company, user=user, data=_input(input), submit=submit))


class DealUpdate(DealMutation):
    """Change a draft (NOT_EDITABLE once submitted)."""

    class Arguments:
        id = graphene.ID(required=True)
        input = DealInput(required=True)

    @classmethod
    def mutate(cls, root, info, id, input):
        return cls.run(info, lambda user, company: services.update_deal(clean_key(id, 20), company=company, user=user, data=_input(input)))


class DealSubmit(DealMutation):
    """Submit a draft for the vendor's review; the duplicate check runs now."""

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def mutate(cls, root, info, id):
        return cls.run(info, lambda user, company: services.submit_deal(clean_key(id, 20), company=company, user=user))


class DealClose(DealMutation):
    """Record the outcome of an approved deal: WON or LOST."""

    class Arguments:
        id = graphene.ID(required=True)
        outcome = DealOutcomeEnum(required=True)
        reason = graphene.String()

    @classmethod
    def mutate(cls, root, info, id, outcome, reason=None):
        value = getattr(outcome, "value", outcome)
        return cls.run(
            info,
            lambda user, company: services.close_deal(
                clean_key(id, 20), outcome=value, by=user, company=company, reason=clean_text(reason, 2000)
            ),
        )


class DealsMutation(graphene.ObjectType):
    deal_register = DealRegister.Field()
    deal_update = DealUpdate.Field()
    deal_submit = DealSubmit.Field()
    deal_close = DealClose.Field()
