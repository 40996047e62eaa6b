"""The academy API: a learner's whole path, correct answers never exposed, and access over
every query and mutation (another dealer never sees a certificate or attempt of ours)."""

import pytest

from tests.factories import CategoryFactory
from training.models import LessonProgress, QuizAttempt
from training.services import complete_lesson, enrol, submit_quiz
from training.tests.factories import RequirementFactory, all_right, course_with_quiz, none_right

pytestmark = pytest.mark.django_db

COURSES = "{ courses { id slug title passMarkPercent lessons { id title completed } quiz { id text multiple choices { id text } } myEnrolment { lessonsCompleted attemptsLeft } } }"
COURSE = "query($slug: String!) { course(slug: $slug) { id title myEnrolment { lessonsCompleted attempts { number scorePercent passed } certificate { code } } } }"
ENROLMENTS = "{ myEnrolments { enrolledAt completedAt lessonsCompleted attempts { number scorePercent passed } certificate { code } } }"
CERTIFICATES = "{ certificates { id code courseTitle holderName valid downloadUrl verifyUrl } }"
MISSING = "{ missingCertifications { course { title } forTier categories products } }"
ENROL = "mutation($id: ID!) { courseEnrol(courseId: $id) { enrolment { lessonsCompleted attemptsLeft } errors { field code message } } }"
LESSON = "mutation($id: ID!) { lessonComplete(lessonId: $id) { enrolment { lessonsCompleted } errors { field code message } } }"
QUIZ = """mutation($id: ID!, $answers: [QuizAnswerInput!]!) { quizSubmit(courseId: $id, answers: $answers) {
  attempt { number correctCount questionCount scorePercent passed } certificate { code holderName courseTitle } attemptsLeft
  errors { field code message } } }"""


def as_input(answers: dict) -> list[dict]:
    return [{"questionId": q, "choiceIds": [str(c) for c in choices]} for q, choices in answers.items()]


def test_a_learner_enrols_does_the_lessons_and_passes_through_the_api(graphql, learner):
    course = course_with_quiz()
    api = graphql(learner)
    listed = api.execute(COURSES)["data"]["courses"]
    assert [c["slug"] for c in listed] == ["power-tools-safety"]
    assert listed[0]["myEnrolment"] is None
    quiz = listed[0]["quiz"]
    assert [q["multiple"] for q in quiz] == [False, True]
    assert "isCorrect" not in str(listed) and "correct" not in str(quiz).lower()

    assert api.execute(ENROL, {"id": str(course.pk)})["data"]["courseEnrol"] == {
        "enrolment": {"lessonsCompleted": 0, "attemptsLeft": 2}, "errors": []
    }
    early = api.execute(QUIZ, {"id": str(course.pk), "answers": as_input(all_right(course))})["data"]["quizSubmit"]
    assert [e["code"] for e in early["errors"]] == ["LESSONS_INCOMPLETE"]
    for lesson in listed[0]["lessons"]:
        api.execute(LESSON, {"id": lesson["id"]})
    assert [lesson["completed"] for lesson in api.execute(COURSES)["data"]["courses"][0]["lessons"]] == [True, True]

    failed = api.execute(QUIZ, {"id": str(course.pk), "answers": as_input(none_right(course))})["data"]["quizSubmit"]
    assert failed["attempt"] == {"number": 1, "correctCount": 0, "questionCount": 2, "scorePercent": "0.0", "passed": False}
    assert failed["certificate"] is None and failed["attemptsLeft"] == 1

    passed = api.execute(QUIZ, {"id": str(course.pk), "answers": as_input(all_right(course))})["data"]["quizSubmit"]
    assert passed["attempt"]["scorePercent"] == "100.0" and passed["attempt"]["passed"] is True
    assert passed["certificate"]["holderName"] == "Anna Smith" and passed["certificate"]["courseTitle"] == "Safe handling of power tools"

    certificates = api.execute(CERTIFICATES)["data"]["certificates"]
    code = passed["certificate"]["code"]
    assert [(c["code"], c["valid"]) for c in certificates] == [(code, True)]
    assert certificates[0]["downloadUrl"] == f"/academy/certificates/{certificates[0]['id']}.pdf"
    assert certificates[0]["verifyUrl"] == f"/academy/verify/?code={code}"
    enrolments = api.execute(ENROLMENTS)["data"]["myEnrolments"]
    assert [a["passed"] for a in enrolments[0]["attempts"]] == [False, True]


def test_missing_certifications_lists_tier_and_product_line_courses(graphql, learner):
    company = learner.membership.company
    RequirementFactory(course=course_with_quiz(title="Gold onboarding", slug="gold"), tier=company.tier)
    RequirementFactory(course=course_with_quiz(title="Power tool safety", slug="power"), category=CategoryFactory(name="Power tools", slug="power-tools"))
    missing = graphql(learner).execute(MISSING)["data"]["missingCertifications"]
    assert missing == [
        {"course": {"title": "Gold onboarding"}, "forTier": True, "categories": [], "products": []},
        {"course": {"title": "Power tool safety"}, "forTier": False, "categories": ["Power tools"], "products": []},
    ]


@pytest.fixture
def learners_work(learner):
    """Anna (Alpha) passed the course after one failed attempt."""
    course = course_with_quiz()
    enrol(user=learner, company=learner.membership.company, course_id=course.pk)
    for lesson in course.lessons.all():
        complete_lesson(user=learner, lesson_id=lesson.pk)
    submit_quiz(user=learner, course_id=course.pk, answers=none_right(course))
    cert = submit_quiz(user=learner, course_id=course.pk, answers=all_right(course)).certificate
    return course, cert


def test_another_dealer_sees_no_certificate_attempt_or_progress_of_ours(graphql, learners_work, outsider):
    course, cert = learners_work
    api = graphql(outsider)
    assert api.execute(CERTIFICATES)["data"]["certificates"] == []
    assert api.execute(ENROLMENTS)["data"]["myEnrolments"] == []
    assert api.execute(COURSE, {"slug": course.slug})["data"]["course"]["myEnrolment"] is None
    assert all(c["myEnrolment"] is None for c in api.execute(COURSES)["data"]["courses"])
    assert cert.code not in str(api.execute(MISSING))


def test_another_dealers_mutations_touch_only_their_own_enrolment(graphql, learners_work, outsider):
    course, _ = learners_work
    api = graphql(outsider)
    lesson_id = str(course.lessons.first().pk)
    assert [e["code"] for e in api.execute(LESSON, {"id": lesson_id})["data"]["lessonComplete"]["errors"]] == ["NOT_ENROLLED"]
    quiz = api.execute(QUIZ, {"id": str(course.pk), "answers": as_input(all_right(course))})["data"]["quizSubmit"]
    assert [e["code"] for e in quiz["errors"]] == ["NOT_ENROLLED"]
    api.execute(ENROL, {"id": str(course.pk)})
    assert LessonProgress.objects.filter(enrolment__user=outsider).count() == 0
    assert QuizAttempt.objects.filter(enrolment__user=outsider).count() == 0
    assert QuizAttempt.objects.count() == 2  # Anna's two attempts, untouched


@pytest.mark.parametrize(
    "query, variables",
    [(COURSES, None), (COURSE, {"slug": "power-tools-safety"}), (ENROLMENTS, None), (CERTIFICATES, None), (MISSING, None)],
    ids=["courses", "course", "enrolments", "certificates", "missing"],
)
def test_anonymous_gets_no_query(graphql, learners_work, query, variables):
    answer = graphql().execute(query, variables)
    assert answer["data"] is None or not any(answer["data"].values())
    assert answer["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


@pytest.mark.parametrize("mutation", ["enrol", "lesson", "quiz"])
def test_anonymous_gets_no_mutation(graphql, learners_work, mutation):
    course, _ = learners_work
    query, variables = {
        "enrol": (ENROL, {"id": str(course.pk)}),
        "lesson": (LESSON, {"id": str(course.lessons.first().pk)}),
        "quiz": (QUIZ, {"id": str(course.pk), "answers": as_input(all_right(course))}),
    }[mutation]
    payload = next(iter(graphql().execute(query, variables)["data"].values()))
    assert [e["code"] for e in payload["errors"]] == ["NOT_AUTHENTICATED"]
    assert QuizAttempt.objects.count() == 2
