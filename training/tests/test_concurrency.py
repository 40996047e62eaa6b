"""Two quiz submissions at once cannot both use the last attempt (enrolment row locked)."""

import pytest
from django.db import connection

from mall.errors import DomainError
from tests.concurrency import race
from training.models import QuizAttempt
from training.services import complete_lesson, enrol, submit_quiz
from training.tests.factories import course_with_quiz, none_right

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"),
]


def test_racing_submissions_never_exceed_the_attempt_limit(learner):
    course = course_with_quiz(max_attempts=1)
    enrol(user=learner, company=learner.membership.company, course_id=course.pk)
    for lesson in course.lessons.all():
        complete_lesson(user=learner, lesson_id=lesson.pk)
    results = race(*(lambda: submit_quiz(user=learner, course_id=course.pk, answers=none_right(course)) for _ in range(3)))
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 2 and {r.details[0].code for r in refused} == {"ATTEMPTS_EXHAUSTED"}, results
    assert QuizAttempt.objects.count() == 1
