"""Dealer mutations of the marketing funds. Every domain error comes back in `errors`.

Proof is uploaded as base64 (`contentBase64`): a JSON request body has a size limit of its
own (Django's DATA_UPLOAD_MAX_MEMORY_SIZE), so larger files go through the storefront page,
which takes multipart uploads up to settings.UPLOAD_MAX_BYTES.
"""

import base64
import binascii

import graphene
from django.core.files.uploadedfile import SimpleUploadedFile

from expenses.graphql.queries import parse_id, plans_with_details
from expenses.graphql.types import ActivityPlan, ActivityPlanInput, ProofFile
from expenses.models import ProofFile as ProofFileModel
from expenses.services.claims import add_proof, submit_claim
from expenses.services.plans import PlanInput, cancel_plan, create_plan, submit_plan
from mall.errors import DomainError
from mall.graphql_idempotency import IdempotentMutation, idempotency_key_argument, idempotent
from mall.graphql_types import Error, clean_text, errors_from
from mall.uploads import max_upload_bytes
from partners.graphql.viewer import dealer_problem, viewer, viewer_company


def _problem(info) -> list[Error]:
    problem = dealer_problem(info)
    return [Error(field=None, code=problem[0], message=problem[1])] if problem else []


def _fresh(company, plan_id):
    return plans_with_details(company).get(pk=plan_id)


def _not_found() -> list[Error]:
    return [Error(field="id", code="PLAN_NOT_FOUND", message="No such activity plan.")]


class PlanMutation(IdempotentMutation, graphene.Mutation):
    """Base: check the dealer, run the service, answer with the plan as it is now (also when an
    idempotency key answers a retry)."""

    class Meta:
        abstract = True

    plan = graphene.Field(ActivityPlan)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    def run(cls, info, plan_id, service):
        errors = _problem(info)
        if errors:
            return cls(plan=None, errors=errors)
        user, company = viewer(info), viewer_company(info)
        pk = parse_id(plan_id) if plan_id is not None else None
        if plan_id is not None and pk is None:
            return cls(plan=None, errors=_not_found())
        try:
            plan = service(user, company, pk)
        except DomainError as exc:
            return cls(plan=None, errors=errors_from(exc))
        return cls(plan=_fresh(company, plan.pk), errors=[])

    @classmethod
    def idempotency_answer(cls, payload) -> dict:
        return {"plan_id": payload.plan.pk}

    @classmethod
    def idempotency_replay(cls, info, answer, user, company):
        return cls(plan=plans_with_details(company).filter(pk=answer["plan_id"]).first(), errors=[])


class ActivityPlanCreate(PlanMutation):
    """Draft a plan on one of the dealer's funds (dealer admins only). With an `idempotencyKey`,
    a retry drafts nothing again and answers the same plan."""

    class Arguments:
        input = ActivityPlanInput(required=True)
        idempotency_key = idempotency_key_argument()

    @classmethod
    @idempotent
    def mutate(cls, root, info, input):
        fund_id = parse_id(input.fund_id)
        data = PlanInput(
            fund_id=fund_id or 0,
            kind=getattr(input.kind, "value", input.kind),
            title=clean_text(input.title, 200),
            description=clean_text(input.get("description"), 4000),
            starts_on=input.starts_on,
            ends_on=input.ends_on,
            requested_amount=input.requested_amount,
            expected_outcome=clean_text(input.expected_outcome, 4000),
        )
        return cls.run(info, None, lambda user, company, _: create_plan(user=user, company=company, data=data))


class ActivityPlanSubmit(PlanMutation):
    """Send a draft for approval."""

    class Arguments:
        id = graphene.ID(required=True)

    @classmethod
    def mutate(cls, root, info, id):
        return cls.run(info, id, lambda user, company, pk: submit_plan(pk, user=user, company=company))


class ActivityPlanCancel(PlanMutation):
    """Withdraw a draft, a submitted or an approved plan (an approved plan frees its budget)."""

    class Arguments:
        id = graphene.ID(required=True)
        reason = graphene.String()

    @classmethod
    def mutate(cls, root, info, id, reason=""):
        return cls.run(info, id, lambda user, company, pk: cancel_plan(pk, user=user, company=company, reason=clean_text(reason, 500)))


class ActivityPlanClaim(PlanMutation):
    """After the activity: claim with the actual spend (proof must be uploaded first). With an
    `idempotencyKey`, a retry answers the claimed plan instead of INVALID_TRANSITION."""

    class Arguments:
        id = graphene.ID(required=True)
        actual_spend = graphene.Decimal(required=True)
        note = graphene.String()
        idempotency_key = idempotency_key_argument()

    @classmethod
    @idempotent
    def mutate(cls, root, info, id, actual_spend, note=""):
        return cls.run(
            info, id,
            lambda user, company, pk: submit_claim(pk, user=user, company=company, actual_spend=actual_spend, note=clean_text(note, 4000)),
        )


def decode_upload(file_name: str, content_base64: str) -> SimpleUploadedFile:
    """The upload, refusing too-large content before decoding it."""
    limit = max_upload_bytes()
    if len(content_base64) * 3 // 4 > limit + 3:
        raise DomainError.single("content_base64", "UPLOAD_TOO_LARGE", f"The file is larger than the limit of {limit:,} bytes.")
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError.single("content_base64", "INVALID", "contentBase64 is not valid base64.") from None
    return SimpleUploadedFile(file_name or "upload", data)


class ActivityPlanProofUpload(IdempotentMutation, graphene.Mutation):
    """Attach a photo (JPEG/PNG) or a PDF to an approved plan. The type is read from the bytes,
    not the name; executables and other types are refused (UPLOAD_TYPE_NOT_ALLOWED). With an
    `idempotencyKey`, a retry attaches nothing again and answers the same proof."""

    class Arguments:
        id = graphene.ID(required=True)
        file_name = graphene.String(required=True)
        content_base64 = graphene.String(required=True)
        description = graphene.String()
        idempotency_key = idempotency_key_argument()

    proof = graphene.Field(ProofFile)
    plan = graphene.Field(ActivityPlan)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    @idempotent
    def mutate(cls, root, info, id, file_name, content_base64, description=""):
        errors = _problem(info)
        pk = parse_id(id)
        if not errors and pk is None:
            errors = _not_found()
        if errors:
            return ActivityPlanProofUpload(proof=None, plan=None, errors=errors)
        user, company = viewer(info), viewer_company(info)
        try:
            upload = decode_upload(clean_text(file_name, 200), content_base64)
            proof = add_proof(pk, user=user, company=company, upload=upload, description=clean_text(description, 255))
        except DomainError as exc:
            return ActivityPlanProofUpload(proof=None, plan=None, errors=errors_from(exc))
        return ActivityPlanProofUpload(proof=proof, plan=_fresh(company, pk), errors=[])

    @classmethod
    def idempotency_answer(cls, payload) -> dict:
        return {"proof_id": payload.proof.pk, "plan_id": payload.plan.pk}

    @classmethod
    def idempotency_replay(cls, info, answer, user, company):
        proof = ProofFileModel.objects.filter(pk=answer["proof_id"], plan__company=company).first()
        plan = plans_with_details(company).filter(pk=answer["plan_id"]).first()
        return cls(proof=proof, plan=plan, errors=[])


class ExpensesMutation(graphene.ObjectType):
    activity_plan_create = ActivityPlanCreate.Field()
    activity_plan_submit = ActivityPlanSubmit.Field()
    activity_plan_cancel = ActivityPlanCancel.Field()
    activity_plan_claim = ActivityPlanClaim.Field()
    activity_plan_proof_upload = ActivityPlanProofUpload.Field()
