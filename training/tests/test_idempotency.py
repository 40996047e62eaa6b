"""quizSubmit with an idempotency key: a retry (after a timeout) uses no second attempt and
answers the first; the key with other answers is IDEMPOTENCY_KEY_REUSED; without a key each
call is an attempt, as before. The course allows 2 attempts; Q1 and Q2 all wrong scores 0.0."""

import pytest

from training.models import QuizAttempt
from training.services import complete_lesson, enrol
from training.tests.factories import all_right, course_with_quiz, none_right
from training.tests.test_graphql import as_input

pytestmark = pytest.mark.django_db

QUIZ = """mutation($id: ID!, $answers: [QuizAnswerInput!]!, $key: String) {
  quizSubmit(courseId: $id, answers: $answers, idempotencyKey: $key) {
    attempt { number correctCount questionCount scorePercent passed } certificate { code } attemptsLeft
    errors { field code message } } }"""


@pytest.fixture
def course(learner):
    course = course_with_quiz()
    enrol(user=learner, company=learner.membership.company, course_id=course.pk)
    for lesson in course.lessons.all():
        complete_lesson(user=learner, lesson_id=lesson.pk)
    return course


def test_a_retried_attempt_is_counted_once_and_answered_the_same(graphql, learner, course):
    api = graphql(learner)
    variables = {"id": str(course.pk), "answers": as_input(none_right(course)), "key": "quiz-1"}
    first = api.execute(QUIZ, variables)["data"]["quizSubmit"]
    assert first == {
        "attempt": {"number": 1, "correctCount": 0, "questionCount": 2, "scorePercent": "0.0", "passed": False},
        "certificate": None, "attemptsLeft": 1, "errors": [],
    }
    assert api.execute(QUIZ, variables)["data"]["quizSubmit"] == first
    assert QuizAttempt.objects.count() == 1
    other = api.execute(QUIZ, {**variables, "answers": as_input(all_right(course))})["data"]["quizSubmit"]
    assert (other["attempt"], [(e["field"], e["code"]) for e in other["errors"]]) == (
        None, [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    )
    assert QuizAttempt.objects.count() == 1


def test_a_passing_attempt_replays_its_certificate(graphql, learner, course):
    api = graphql(learner)
    variables = {"id": str(course.pk), "answers": as_input(all_right(course)), "key": "quiz-pass"}
    first = api.execute(QUIZ, variables)["data"]["quizSubmit"]
    assert first["attempt"]["passed"] is True and first["certificate"]["code"]
    assert api.execute(QUIZ, variables)["data"]["quizSubmit"] == first  # not ALREADY_PASSED


def test_without_a_key_each_submission_is_an_attempt(graphql, learner, course):
    api = graphql(learner)
    variables = {"id": str(course.pk), "answers": as_input(none_right(course))}
    api.execute(QUIZ, variables)
    second = api.execute(QUIZ, variables)["data"]["quizSubmit"]
    assert second["attempt"]["number"] == 2 and second["attemptsLeft"] == 0
    assert [e["code"] for e in api.execute(QUIZ, variables)["data"]["quizSubmit"]["errors"]] == ["ATTEMPTS_EXHAUSTED"]
