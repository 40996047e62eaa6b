"""GraphQL shapes of the academy. Quiz choices never carry whether they are correct."""

import graphene
from django.urls import reverse
from django.utils import timezone

from training.models import Enrolment as EnrolmentModel
from training.models import Lesson as LessonModel

LessonKindEnum = graphene.Enum("LessonKindEnum", [(c.name, c.value) for c in LessonModel.Kind])

_ENROLMENTS = "_academy_viewer_enrolments"


def viewer_enrolments(info) -> dict[int, EnrolmentModel]:
    """The viewer's enrolments by course id, with progress and attempts: one load per request."""
    request = info.context
    if not hasattr(request, _ENROLMENTS):
        user = getattr(request, "user", None)
        rows = {}
        if user is not None and user.is_authenticated:
            rows = {
                e.course_id: e
                for e in EnrolmentModel.objects.filter(user=user).prefetch_related("progress", "attempts").select_related("certificate")
            }
        setattr(request, _ENROLMENTS, rows)
    return getattr(request, _ENROLMENTS)


def forget_enrolments(info) -> None:
    if hasattr(info.context, _ENROLMENTS):
        delattr(info.context, _ENROLMENTS)


class QuizChoice(graphene.ObjectType):
    id = graphene.ID(required=True)
    text = graphene.String(required=True)


class QuizQuestion(graphene.ObjectType):
    id = graphene.ID(required=True)
    text = graphene.String(required=True)
    choices = graphene.List(graphene.NonNull(QuizChoice), required=True)
    multiple = graphene.Boolean(required=True, description="More than one choice may be right: tick all that are.")

    @staticmethod
    def resolve_choices(root, info):
        return root.choices.all()

    @staticmethod
    def resolve_multiple(root, info):
        # Says only how many to tick (like a paper quiz's "choose all that apply"), not which.
        return sum(1 for c in root.choices.all() if c.is_correct) > 1


class Lesson(graphene.ObjectType):
    id = graphene.ID(required=True)
    position = graphene.Int(required=True)
    title = graphene.String(required=True)
    kind = graphene.Field(LessonKindEnum, required=True)
    body = graphene.String(required=True)
    video_url = graphene.String()
    document_url = graphene.String(description="The lesson's PDF, for signed-in dealers.")
    completed = graphene.Boolean(required=True, description="Whether the viewer has done this lesson.")

    @staticmethod
    def resolve_video_url(root, info):
        return root.video_url or None

    @staticmethod
    def resolve_document_url(root, info):
        document = getattr(root, "document", None) if hasattr(root, "document") else None
        return reverse("storefront:academy_lesson_document", args=[root.pk]) if document else None

    @staticmethod
    def resolve_completed(root, info):
        enrolment = viewer_enrolments(info).get(root.course_id)
        return enrolment is not None and any(p.lesson_id == root.pk for p in enrolment.progress.all())


class QuizAttempt(graphene.ObjectType):
    number = graphene.Int(required=True)
    correct_count = graphene.Int(required=True)
    question_count = graphene.Int(required=True)
    score_percent = graphene.Decimal(required=True)
    passed = graphene.Boolean(required=True)
    submitted_at = graphene.DateTime(required=True)


class Certificate(graphene.ObjectType):
    id = graphene.ID(required=True)
    code = graphene.String(required=True, description="Anyone can check it on the public verification page.")
    course_title = graphene.String(required=True)
    holder_name = graphene.String(required=True)
    issued_at = graphene.DateTime(required=True)
    expires_at = graphene.DateTime()
    valid = graphene.Boolean(required=True)
    download_url = graphene.String(required=True)
    verify_url = graphene.String(required=True)

    @staticmethod
    def resolve_course_title(root, info):
        return root.course.title

    @staticmethod
    def resolve_valid(root, info):
        return root.is_valid(timezone.now())

    @staticmethod
    def resolve_download_url(root, info):
        return reverse("storefront:academy_certificate_pdf", args=[root.pk])

    @staticmethod
    def resolve_verify_url(root, info):
        return reverse("storefront:academy_verify") + f"?code={root.code}"


class Enrolment(graphene.ObjectType):
    enrolled_at = graphene.DateTime(required=True)
    completed_at = graphene.DateTime()
    lessons_completed = graphene.Int(required=True)
    attempts = graphene.List(graphene.NonNull(QuizAttempt), required=True)
    attempts_left = graphene.Int(required=True)
    certificate = graphene.Field(Certificate)

    @staticmethod
    def resolve_lessons_completed(root, info):
        return len(root.progress.all())

    @staticmethod
    def resolve_attempts(root, info):
        return sorted(root.attempts.all(), key=lambda a: a.number)

    @staticmethod
    def resolve_attempts_left(root, info):
        return max(root.course.max_attempts - len(root.attempts.all()), 0)

    @staticmethod
    def resolve_certificate(root, info):
        return getattr(root, "certificate", None) if hasattr(root, "certificate") else None


class Course(graphene.ObjectType):
    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    title = graphene.String(required=True)
    summary = graphene.String(required=True)
    pass_mark_percent = graphene.Int(required=True)
    max_attempts = graphene.Int(required=True)
    validity_days = graphene.Int()
    lessons = graphene.List(graphene.NonNull(Lesson), required=True)
    quiz = graphene.List(graphene.NonNull(QuizQuestion), required=True)
    my_enrolment = graphene.Field(Enrolment)

    @staticmethod
    def resolve_lessons(root, info):
        return root.lessons.all()

    @staticmethod
    def resolve_quiz(root, info):
        return root.questions.all()

    @staticmethod
    def resolve_my_enrolment(root, info):
        return viewer_enrolments(info).get(root.pk)


class MissingCourse(graphene.ObjectType):
    """A course the dealer must still pass, and what it unlocks."""

    course = graphene.Field(Course, required=True)
    for_tier = graphene.Boolean(required=True)
    categories = graphene.List(graphene.NonNull(graphene.String), required=True)
    products = graphene.List(graphene.NonNull(graphene.String), required=True)


class QuizAnswerInput(graphene.InputObjectType):
    question_id = graphene.ID(required=True)
    choice_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
