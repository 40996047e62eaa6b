"""Dealer mutations of the academy: enrol, mark a lesson done, submit the quiz."""

import graphene

from mall.errors import DomainError
from mall.graphql_idempotency import IdempotentMutation, idempotency_key_argument, idempotent
from mall.graphql_types import Error, errors_from
from partners.graphql.viewer import dealer_problem, viewer, viewer_company
from training.graphql.types import (
    Certificate,
    Enrolment,
    QuizAnswerInput,
    QuizAttempt,
    forget_enrolments,
)
from training.models import Certificate as CertificateModel
from training.models import Enrolment as EnrolmentModel
from training.models import QuizAttempt as QuizAttemptModel
from training.services import complete_lesson, enrol, submit_quiz

MAX_ANSWERS = 200


def _problem(info) -> list[Error]:
    problem = dealer_problem(info)
    return [Error(field=None, code=problem[0], message=problem[1])] if problem else []


def _int(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _enrolment(pk):
    return EnrolmentModel.objects.select_related("course", "certificate").prefetch_related("progress", "attempts").get(pk=pk)


class CourseEnrol(graphene.Mutation):
    class Arguments:
        course_id = graphene.ID(required=True)

    enrolment = graphene.Field(Enrolment)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, course_id):
        errors = _problem(info)
        if errors:
            return CourseEnrol(enrolment=None, errors=errors)
        try:
            enrolment = enrol(user=viewer(info), company=viewer_company(info), course_id=_int(course_id) or 0)
        except DomainError as exc:
            return CourseEnrol(enrolment=None, errors=errors_from(exc))
        forget_enrolments(info)
        return CourseEnrol(enrolment=_enrolment(enrolment.pk), errors=[])


class LessonComplete(graphene.Mutation):
    class Arguments:
        lesson_id = graphene.ID(required=True)

    enrolment = graphene.Field(Enrolment)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, lesson_id):
        errors = _problem(info)
        if errors:
            return LessonComplete(enrolment=None, errors=errors)
        try:
            progress = complete_lesson(user=viewer(info), lesson_id=_int(lesson_id) or 0)
        except DomainError as exc:
            return LessonComplete(enrolment=None, errors=errors_from(exc))
        forget_enrolments(info)
        return LessonComplete(enrolment=_enrolment(progress.enrolment_id), errors=[])


class QuizSubmit(IdempotentMutation, graphene.Mutation):
    """Answer every question; the server scores it. The answer says the score, never which
    choices were right, so a retry cannot be worked out from the previous one. With an
    `idempotencyKey`, a retry (after a timeout) uses no second attempt and answers the first."""

    class Arguments:
        course_id = graphene.ID(required=True)
        answers = graphene.List(graphene.NonNull(QuizAnswerInput), required=True)
        idempotency_key = idempotency_key_argument()

    attempt = graphene.Field(QuizAttempt)
    certificate = graphene.Field(Certificate)
    attempts_left = graphene.Int()
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    @idempotent
    def mutate(cls, root, info, course_id, answers):
        errors = _problem(info)
        if not errors and len(answers) > MAX_ANSWERS:
            errors = [Error(field="answers", code="INVALID", message=f"Send at most {MAX_ANSWERS} answers.")]
        if errors:
            return QuizSubmit(errors=errors)
        given = {str(a.question_id): [str(c) for c in a.choice_ids[:50]] for a in answers}
        try:
            result = submit_quiz(user=viewer(info), course_id=_int(course_id) or 0, answers=given)
        except DomainError as exc:
            return QuizSubmit(errors=errors_from(exc))
        forget_enrolments(info)
        return QuizSubmit(attempt=result.attempt, certificate=result.certificate, attempts_left=result.attempts_left, errors=[])

    @classmethod
    def idempotency_answer(cls, payload) -> dict:
        certificate = payload.certificate
        return {"attempt_id": payload.attempt.pk, "certificate_id": certificate.pk if certificate else None,
                "attempts_left": payload.attempts_left}

    @classmethod
    def idempotency_replay(cls, info, answer, user, company):
        attempt = QuizAttemptModel.objects.filter(pk=answer["attempt_id"], enrolment__user=user).first()
        certificate = None
        if answer["certificate_id"] is not None:
            certificate = CertificateModel.objects.filter(pk=answer["certificate_id"], enrolment__user=user).first()
        return cls(attempt=attempt, certificate=certificate, attempts_left=answer["attempts_left"], errors=[])


class TrainingMutation(graphene.ObjectType):
    course_enrol = CourseEnrol.Field()
    lesson_complete = LessonComplete.Field()
    quiz_submit = QuizSubmit.Field()
