"""Enrolment, progress, the quiz checked on the server, certificates and their verification."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mall.errors import DomainError
from training.models import Certificate, QuizAttempt
from training.selectors import certificate_for_user, verify_code
from training.services import complete_lesson, enrol, revoke_certificate, submit_quiz
from training.tests.factories import (
    CourseFactory,
    all_right,
    course_with_quiz,
    half_right,
    none_right,
)

pytestmark = pytest.mark.django_db


def codes(exc):
    return [d.code for d in exc.value.details]


def ready(user, course):
    """Enrolled with every lesson done."""
    enrolment = enrol(user=user, company=user.membership.company, course_id=course.pk)
    for lesson in course.lessons.all():
        complete_lesson(user=user, lesson_id=lesson.pk)
    return enrolment


def test_enrolling_twice_gives_the_same_enrolment_and_unpublished_courses_are_closed(learner):
    course = course_with_quiz()
    company = learner.membership.company
    assert enrol(user=learner, company=company, course_id=course.pk) == enrol(user=learner, company=company, course_id=course.pk)
    draft = CourseFactory(is_published=False)
    with pytest.raises(DomainError) as exc:
        enrol(user=learner, company=company, course_id=draft.pk)
    assert codes(exc) == ["COURSE_NOT_FOUND"]


def test_the_quiz_waits_until_every_lesson_is_done(learner):
    course = course_with_quiz(lessons=2)
    enrol(user=learner, company=learner.membership.company, course_id=course.pk)
    complete_lesson(user=learner, lesson_id=course.lessons.first().pk)
    with pytest.raises(DomainError) as exc:
        submit_quiz(user=learner, course_id=course.pk, answers=all_right(course))
    assert codes(exc) == ["LESSONS_INCOMPLETE"]
    assert "1 left" in exc.value.details[0].message


def test_lesson_progress_needs_an_enrolment(learner):
    course = course_with_quiz()
    with pytest.raises(DomainError) as exc:
        complete_lesson(user=learner, lesson_id=course.lessons.first().pk)
    assert codes(exc) == ["NOT_ENROLLED"]


def test_scoring_is_done_on_the_server_and_every_choice_of_a_question_must_match(learner):
    course = course_with_quiz()  # pass mark 50 %
    ready(learner, course)
    result = submit_quiz(user=learner, course_id=course.pk, answers=none_right(course))
    assert (result.attempt.correct_count, result.attempt.score_percent, result.attempt.passed) == (0, Decimal("0.0"), False)
    assert result.certificate is None and result.attempts_left == 1

    result = submit_quiz(user=learner, course_id=course.pk, answers=half_right(course))
    # Q1 right, Q2 half-ticked counts as wrong: 1 of 2 = 50.0 %, which reaches the pass mark.
    assert (result.attempt.correct_count, result.attempt.score_percent, result.attempt.passed) == (1, Decimal("50.0"), True)
    cert = result.certificate
    assert cert.holder_name == "Anna Smith" and cert.company == learner.membership.company
    assert len(cert.code) == 16 and cert.expires_at is None
    assert learner.enrolments.get().completed_at is not None


def test_attempts_are_limited(learner):
    course = course_with_quiz(max_attempts=2)
    ready(learner, course)
    submit_quiz(user=learner, course_id=course.pk, answers=none_right(course))
    submit_quiz(user=learner, course_id=course.pk, answers=none_right(course))
    with pytest.raises(DomainError) as exc:
        submit_quiz(user=learner, course_id=course.pk, answers=all_right(course))
    assert codes(exc) == ["ATTEMPTS_EXHAUSTED"]
    assert QuizAttempt.objects.count() == 2


def test_answers_must_cover_the_quiz_and_name_only_its_own_choices(learner):
    course = course_with_quiz()
    other = course_with_quiz(title="Other", slug="other")
    ready(learner, course)
    i = course.ids
    with pytest.raises(DomainError) as exc:
        submit_quiz(user=learner, course_id=course.pk, answers={str(i["q1"]): [i["right"]]})
    assert codes(exc) == ["UNANSWERED"]
    with pytest.raises(DomainError) as exc:
        submit_quiz(user=learner, course_id=course.pk, answers={str(i["q1"]): [other.ids["right"]], str(i["q2"]): [i["a"]]})
    assert codes(exc) == ["INVALID"]
    with pytest.raises(DomainError) as exc:
        submit_quiz(user=learner, course_id=course.pk, answers={"x": ["y"]})
    assert codes(exc) == ["INVALID"]
    assert not QuizAttempt.objects.exists()  # refused answers use no attempt


def test_a_passed_course_is_not_taken_again(learner):
    course = course_with_quiz()
    ready(learner, course)
    submit_quiz(user=learner, course_id=course.pk, answers=all_right(course))
    with pytest.raises(DomainError) as exc:
        submit_quiz(user=learner, course_id=course.pk, answers=all_right(course))
    assert codes(exc) == ["ALREADY_PASSED"]


def test_certificate_validity_and_public_verification(learner):
    course = course_with_quiz(validity_days=365)
    ready(learner, course)
    cert = submit_quiz(user=learner, course_id=course.pk, answers=all_right(course)).certificate
    assert cert.expires_at - cert.issued_at == timedelta(days=365)
    assert verify_code(cert.code.lower()) == cert  # codes are read case-insensitively
    assert verify_code("NOSUCHCODE000000") is None
    Certificate.objects.filter(pk=cert.pk).update(expires_at=timezone.now() - timedelta(seconds=1), issued_at=timezone.now() - timedelta(days=400))
    assert verify_code(cert.code) is None  # expired


def test_a_revoked_certificate_no_longer_verifies(learner):
    course = course_with_quiz()
    ready(learner, course)
    cert = submit_quiz(user=learner, course_id=course.pk, answers=all_right(course)).certificate
    revoke_certificate(cert.pk)
    assert verify_code(cert.code) is None


def test_a_certificate_is_for_its_company_only(learner, colleague, outsider):
    course = course_with_quiz()
    ready(learner, course)
    cert = submit_quiz(user=learner, course_id=course.pk, answers=all_right(course)).certificate
    assert certificate_for_user(learner, cert.pk) == cert
    assert certificate_for_user(colleague, cert.pk) == cert  # same dealer
    assert certificate_for_user(outsider, cert.pk) is None
