"""Academy back office: completion by region and dealer, lesson PDFs, revoking certificates."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import CompanyFactory, RegionFactory, UserFactory
from training.models import Certificate, LessonDocument
from training.services import complete_lesson, enrol, submit_quiz
from training.tests.factories import all_right, course_with_quiz
from training.tests.test_pages import pdf_upload

pytestmark = pytest.mark.django_db


def test_staff_see_completion_by_region_and_dealer(admin_client, learner, colleague):
    course = course_with_quiz()
    north = CompanyFactory(name="Gamma Nord", region=RegionFactory(code="de", name="Germany"))
    gamma = UserFactory(company=north)
    for user in (learner, colleague, gamma):
        enrol(user=user, company=user.membership.company, course_id=course.pk)
    for lesson in course.lessons.all():
        complete_lesson(user=learner, lesson_id=lesson.pk)
    submit_quiz(user=learner, course_id=course.pk, answers=all_right(course))

    page = admin_client.get("/admin/training/course/completion/").content.decode()
    assert "Germany: 0 of 1 enrolments completed" in page
    assert "United Kingdom: 1 of 2 enrolments completed" in page
    assert page.index("Germany") < page.index("United Kingdom")
    filtered = admin_client.get(f"/admin/training/course/completion/?course={course.pk + 999}").content.decode()
    assert "No enrolments yet." in filtered


def test_a_lesson_pdf_is_uploaded_in_the_back_office_and_a_fake_one_refused(admin_client):
    course = course_with_quiz(lessons=1)
    lesson = course.lessons.get()
    form = {"course": course.pk, "position": lesson.position, "title": lesson.title, "kind": "pdf", "body": "", "video_url": ""}
    admin_client.post(f"/admin/training/lesson/{lesson.pk}/change/", {**form, "pdf": SimpleUploadedFile("fake.pdf", b"MZ" + b"\x00" * 200)})
    assert not LessonDocument.objects.exists()
    admin_client.post(f"/admin/training/lesson/{lesson.pk}/change/", {**form, "pdf": pdf_upload()})
    assert LessonDocument.objects.get().content_type == "application/pdf"


def test_revoking_a_certificate_in_the_back_office(admin_client, learner):
    course = course_with_quiz()
    enrol(user=learner, company=learner.membership.company, course_id=course.pk)
    for lesson in course.lessons.all():
        complete_lesson(user=learner, lesson_id=lesson.pk)
    cert = submit_quiz(user=learner, course_id=course.pk, answers=all_right(course)).certificate
    admin_client.post("/admin/training/certificate/", {"action": "revoke", "_selected_action": [cert.pk]})
    assert Certificate.objects.get().revoked_at is not None
