"""Every write of the academy: enrolment, lesson progress, quiz attempts, certificates.

Answers are checked here, on the server, against the stored correct choices; the API never
sends which choices are correct. Attempts are counted under a lock on the enrolment row, so
two quiz submissions at once cannot both use the last attempt.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from mall.errors import DomainError
from mall.uploads import StoredFileFields, store_upload
from partners.models import Company
from training.models import (
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonDocument,
    LessonProgress,
    QuizAttempt,
)

# Verification codes: 16 characters of an alphabet without look-alikes (0/O, 1/I): 80 bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


def _published(course_id) -> Course:
    course = Course.objects.filter(pk=course_id, is_published=True).first()
    if course is None:
        raise DomainError.single("course", "COURSE_NOT_FOUND", gettext("No such course."))
    return course


@transaction.atomic
def enrol(*, user, company: Company, course_id) -> Enrolment:
    """Enrol the user in a published course; enrolling again returns the same enrolment."""
    course = _published(course_id)
    enrolment = Enrolment.objects.filter(user=user, course=course).first()
    if enrolment is not None:
        return enrolment
    try:
        with transaction.atomic():
            return Enrolment.objects.create(user=user, company=company, course=course)
    except IntegrityError:  # a concurrent enrolment of the same person committed first
        return Enrolment.objects.get(user=user, course=course)


def _my_enrolment(user, course_id, *, lock: bool = False) -> Enrolment:
    rows = Enrolment.objects.select_related("course")
    if lock:
        rows = rows.select_for_update(of=("self",))
    enrolment = rows.filter(user=user, course_id=course_id).first()
    if enrolment is None:
        raise DomainError.single("course", "NOT_ENROLLED", gettext("Enrol in the course first."))
    return enrolment


@transaction.atomic
def complete_lesson(*, user, lesson_id) -> LessonProgress:
    lesson = Lesson.objects.filter(pk=lesson_id, course__is_published=True).first()
    if lesson is None:
        raise DomainError.single("lesson", "LESSON_NOT_FOUND", gettext("No such lesson."))
    enrolment = _my_enrolment(user, lesson.course_id)
    progress, _ = LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    return progress


@dataclass(frozen=True)
class QuizResult:
    attempt: QuizAttempt
    certificate: Certificate | None
    attempts_left: int


def _clean_answers(course: Course, answers: dict) -> dict[int, set[int]]:
    """{question id: {choice ids}} for the course's questions only; refuses foreign ids."""
    questions = {q.pk: {c.pk for c in q.choices.all()} for q in course.questions.prefetch_related("choices")}
    if not questions:
        raise DomainError.single("course", "NO_QUIZ", gettext("This course has no quiz yet."))
    clean: dict[int, set[int]] = {}
    for raw_question, raw_choices in (answers or {}).items():
        try:
            question_id = int(raw_question)
            choice_ids = {int(c) for c in raw_choices}
        except (TypeError, ValueError):
            raise DomainError.single("answers", "INVALID", gettext("Answers are question ids with lists of choice ids.")) from None
        if question_id not in questions or not choice_ids <= questions[question_id]:
            raise DomainError.single("answers", "INVALID", gettext("An answer names a question or choice that is not in this quiz."))
        clean[question_id] = choice_ids
    missing = set(questions) - set(clean)
    if missing:
        raise DomainError.single("answers", "UNANSWERED", gettext("Answer every question (%(missing)s left).") % {"missing": len(missing)})
    return clean


@transaction.atomic
def submit_quiz(*, user, course_id, answers: dict, holder_name: str = "") -> QuizResult:
    """Score an attempt; passing (with every lesson done) completes the course and issues the
    certificate. ATTEMPTS_EXHAUSTED once the course's limit is used up."""
    enrolment = _my_enrolment(user, course_id, lock=True)
    course = enrolment.course
    if enrolment.completed_at is not None:
        raise DomainError.single("course", "ALREADY_PASSED", gettext("You passed this course already."))
    lesson_ids = set(course.lessons.values_list("pk", flat=True))
    done = set(enrolment.progress.values_list("lesson_id", flat=True))
    if lesson_ids - done:
        raise DomainError.single("course", "LESSONS_INCOMPLETE", gettext("Finish every lesson first (%(value)s left).") % {"value": len(lesson_ids - done)})
    used = enrolment.attempts.count()
    if used >= course.max_attempts:
        raise DomainError.single("course", "ATTEMPTS_EXHAUSTED", gettext("All %(max_attempts)s attempts are used; ask your academy contact.") % {"max_attempts": course.max_attempts})
    given = _clean_answers(course, answers)
    correct = {q.pk: {c.pk for c in q.choices.all() if c.is_correct} for q in course.questions.prefetch_related("choices")}
    right = sum(1 for qid, choices in given.items() if choices == correct[qid])
    score = (Decimal(right) * 100 / len(correct)).quantize(Decimal("0.1"))
    passed = score >= course.pass_mark_percent
    attempt = QuizAttempt.objects.create(
        enrolment=enrolment,
        number=used + 1,
        answers={str(q): sorted(c) for q, c in sorted(given.items())},
        correct_count=right,
        question_count=len(correct),
        score_percent=score,
        passed=passed,
    )
    certificate = None
    if passed:
        now = timezone.now()
        enrolment.completed_at = now
        enrolment.save(update_fields=["completed_at"])
        certificate = Certificate.objects.create(
            enrolment=enrolment,
            user=user,
            company_id=enrolment.company_id,
            course=course,
            holder_name=(holder_name.strip() or user.get_full_name() or user.email or user.get_username())[:200],
            code=new_code(),
            issued_at=now,
            expires_at=now + timedelta(days=course.validity_days) if course.validity_days else None,
        )
    return QuizResult(attempt=attempt, certificate=certificate, attempts_left=course.max_attempts - attempt.number)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def revoke_certificate(certificate_id, *, by=None) -> Certificate:
    cert = Certificate.objects.select_for_update().get(pk=certificate_id)
    if cert.revoked_at is None:
        cert.revoked_at = timezone.now()
        cert.save(update_fields=["revoked_at"])
    return cert


@transaction.atomic
def attach_lesson_pdf(lesson_id, upload) -> LessonDocument:
    """Store a lesson's PDF (checked by content: a PDF, not just a name ending in .pdf)."""
    lesson = Lesson.objects.select_for_update().get(pk=lesson_id)
    stored = store_upload(upload, category="academy", field="document")
    if stored.content_type != "application/pdf":
        raise DomainError.single("document", "UPLOAD_TYPE_NOT_ALLOWED", gettext("A lesson document must be a PDF."))
    LessonDocument.objects.filter(lesson=lesson).delete()
    return LessonDocument.objects.create(lesson=lesson, **StoredFileFields.fields_from(stored))
