"""Factories of the academy tests."""

import factory

from training.models import Choice, Course, Lesson, Question, Requirement


class CourseFactory(factory.django.DjangoModelFactory):
    """A published course, pass mark 50 %, 2 attempts (add lessons and questions)."""

    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    is_published = True
    pass_mark_percent = 50
    max_attempts = 2


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    body = "Read this."


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    course = factory.SubFactory(CourseFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Question {n}?")


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Choice {n}")
    is_correct = False


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    course = factory.SubFactory(CourseFactory)


def course_with_quiz(title="Safe handling of power tools", slug="power-tools-safety", lessons=2, **kwargs):
    """A course with `lessons` lessons and two questions:
    Q1 (single answer: choice "right"), Q2 (two correct choices: "a" and "b", not "c")."""
    course = CourseFactory(title=title, slug=slug, **kwargs)
    for _ in range(lessons):
        LessonFactory(course=course)
    q1 = QuestionFactory(course=course, text="Which guard stays on?")
    right = ChoiceFactory(question=q1, text="right", is_correct=True)
    wrong = ChoiceFactory(question=q1, text="wrong")
    q2 = QuestionFactory(course=course, text="Which are protective gear?")
    a = ChoiceFactory(question=q2, text="a", is_correct=True)
    b = ChoiceFactory(question=q2, text="b", is_correct=True)
    c = ChoiceFactory(question=q2, text="c")
    course.ids = {"q1": q1.pk, "right": right.pk, "wrong": wrong.pk, "q2": q2.pk, "a": a.pk, "b": b.pk, "c": c.pk}
    return course


def all_right(course):
    i = course.ids
    return {str(i["q1"]): [i["right"]], str(i["q2"]): [i["a"], i["b"]]}


def half_right(course):
    i = course.ids
    return {str(i["q1"]): [i["right"]], str(i["q2"]): [i["a"]]}  # Q2 needs both a and b


def none_right(course):
    i = course.ids
    return {str(i["q1"]): [i["wrong"]], str(i["q2"]): [i["a"], i["c"]]}
