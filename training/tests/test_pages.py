"""Academy pages: courses, the quiz, certificate downloads only for the holder's company,
lesson PDFs only for dealers, and the public verification page (name, course, date only)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from reportlab.pdfgen import canvas

from mall.errors import DomainError
from tests.factories import UserFactory
from training.models import QuizAttempt
from training.services import attach_lesson_pdf, complete_lesson, enrol, submit_quiz
from training.tests.factories import RequirementFactory, all_right, course_with_quiz

pytestmark = pytest.mark.django_db


def pdf_upload():
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Lesson handout")
    page.save()
    return SimpleUploadedFile("handout.pdf", out.getvalue())


@pytest.fixture
def certified(learner):
    course = course_with_quiz()
    enrol(user=learner, company=learner.membership.company, course_id=course.pk)
    for lesson in course.lessons.all():
        complete_lesson(user=learner, lesson_id=lesson.pk)
    return course, submit_quiz(user=learner, course_id=course.pk, answers=all_right(course)).certificate


def test_the_academy_shows_what_the_company_is_missing(client, learner):
    RequirementFactory(course=course_with_quiz(title="Gold onboarding", slug="gold"), tier=learner.membership.company.tier)
    client.force_login(learner)
    page = client.get("/academy/").content.decode()
    assert "Still needed by Alpha Tools Ltd" in page and "Gold onboarding" in page and "required for your tier" in page


def test_taking_the_quiz_on_the_page(client, learner):
    course = course_with_quiz()
    client.force_login(learner)
    client.post(f"/academy/{course.slug}/enrol/")
    for lesson in course.lessons.all():
        assert client.post(f"/academy/{course.slug}/lessons/{lesson.pk}/").status_code == 302
    quiz_page = client.get(f"/academy/{course.slug}/quiz/").content.decode()
    assert "Which guard stays on?" in quiz_page and "is_correct" not in quiz_page
    i = course.ids
    response = client.post(f"/academy/{course.slug}/quiz/", {f"q{i['q1']}": [i["right"]], f"q{i['q2']}": [i["a"], i["b"]]})
    page = response.content.decode()
    assert "You answered 2 of 2 questions right: 100.0 %" in page and "Download your certificate" in page


def test_the_certificate_pdf_goes_to_the_company_and_nobody_else(client, certified, colleague, outsider):
    _, cert = certified
    url = f"/academy/certificates/{cert.pk}.pdf"
    client.force_login(colleague)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and response["X-Content-Type-Options"] == "nosniff"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_the_public_verification_page_shows_only_name_course_and_date(client, certified):
    _, cert = certified
    page = client.get(f"/academy/verify/?code={cert.code}").content.decode()
    assert "Valid certificate" in page and "Anna Smith" in page and "Safe handling of power tools" in page
    assert "Alpha Tools" not in page and "anna@alpha.example" not in page
    missing = client.get("/academy/verify/?code=WRONGCODE1234567")
    assert missing.status_code == 404 and "No valid certificate has this code" in missing.content.decode()


def test_lesson_pdfs_go_to_dealers_only(client, learner):
    course = course_with_quiz()
    lesson = course.lessons.first()
    attach_lesson_pdf(lesson.pk, pdf_upload())
    url = f"/academy/lessons/{lesson.pk}/document/"
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(UserFactory(email="nobody@example.com"))  # signed in, no dealer
    assert client.get(url).status_code == 404
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"] == 'attachment; filename="handout.pdf"'


def test_a_lesson_document_must_really_be_a_pdf(learner):
    lesson = course_with_quiz().lessons.first()
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, "PNG")
    with pytest.raises(DomainError) as exc:
        attach_lesson_pdf(lesson.pk, SimpleUploadedFile("slides.pdf", png.getvalue()))
    assert exc.value.details[0].code == "UPLOAD_TYPE_NOT_ALLOWED"


def test_anonymous_gets_no_academy_page(client, certified):
    course, _ = certified
    for url in ("/academy/", f"/academy/{course.slug}/", f"/academy/{course.slug}/quiz/"):
        assert client.get(url).status_code == 302
    assert client.post(f"/academy/{course.slug}/quiz/", {}).status_code == 302
    assert QuizAttempt.objects.count() == 1
