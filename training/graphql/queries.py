"""Dealer queries of the academy: courses, one course with lessons and quiz, enrolments,
the company's certificates, and what it still must pass."""

import graphene
from django.db.models import Prefetch

from partners.graphql.viewer import require_dealer
from training.graphql.types import Certificate, Course, Enrolment, MissingCourse
from training.models import Lesson, Question
from training.selectors import (
    certificates_of_company,
    enrolments_of,
    missing_overview,
    published_courses,
)


def courses_with_content():
    return published_courses().prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.select_related("document").order_by("position", "id")),
        Prefetch("questions", queryset=Question.objects.prefetch_related("choices").order_by("position", "id")),
    )


class TrainingQuery(graphene.ObjectType):
    courses = graphene.List(graphene.NonNull(Course), required=True, description="Published academy courses (signed-in dealers).")
    course = graphene.Field(Course, slug=graphene.String(required=True))
    my_enrolments = graphene.List(graphene.NonNull(Enrolment), required=True)
    certificates = graphene.List(graphene.NonNull(Certificate), required=True, description="Certificates held by your company's people.")
    missing_certifications = graphene.List(
        graphene.NonNull(MissingCourse), required=True, description="Courses your tier or a product line requires that nobody at your company holds."
    )

    @staticmethod
    def resolve_courses(root, info):
        require_dealer(info)
        return list(courses_with_content())

    @staticmethod
    def resolve_course(root, info, slug):
        require_dealer(info)
        return courses_with_content().filter(slug=(slug or "")[:200]).first()

    @staticmethod
    def resolve_my_enrolments(root, info):
        user, _ = require_dealer(info)
        return list(enrolments_of(user).prefetch_related("progress", "attempts").select_related("certificate"))

    @staticmethod
    def resolve_certificates(root, info):
        _, company = require_dealer(info)
        return list(certificates_of_company(company))

    @staticmethod
    def resolve_missing_certifications(root, info):
        _, company = require_dealer(info)
        return missing_overview(company)
