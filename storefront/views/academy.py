"""Partner academy pages: courses, lessons, the quiz, certificates, and the public page that
verifies a certificate code (name, course and date only)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from mall.errors import DomainError
from mall.uploads import serve_stored_file
from partners.models import Membership
from training.certificates import render_certificate_pdf
from training.models import Lesson
from training.selectors import (
    certificate_for_user,
    certificates_of_company,
    course_with_content,
    enrolment_of,
    missing_overview,
    published_courses,
    verify_code,
)
from training.services import complete_lesson, enrol, submit_quiz

from .context import dealer_company, dealer_required
from .funds import requesting_user


@dealer_required
def academy(request, company):
    enrolments = {e.course_id: e for e in request.user.enrolments.all()}
    courses = [(course, enrolments.get(course.pk)) for course in published_courses()]
    return render(
        request,
        "storefront/academy/index.html",
        {
            "company": company,
            "courses": courses,
            "missing": missing_overview(company),
            "certificates": list(certificates_of_company(company)),
        },
    )


def _course_or_404(slug: str):
    course = course_with_content((slug or "")[:200])
    if course is None:
        raise Http404("No such course.")
    return course


@dealer_required
def course_detail(request, company, slug: str):
    course = _course_or_404(slug)
    enrolment = enrolment_of(request.user, course)
    done = {p.lesson_id for p in enrolment.progress.all()} if enrolment else set()
    lessons = [(lesson, lesson.pk in done) for lesson in course.lessons.all()]
    attempts = list(enrolment.attempts.order_by("number")) if enrolment else []
    return render(
        request,
        "storefront/academy/course.html",
        {
            "course": course,
            "enrolment": enrolment,
            "lessons": lessons,
            "all_done": bool(lessons) and all(d for _, d in lessons),
            "attempts": attempts,
            "attempts_left": course.max_attempts - len(attempts),
            "certificate": getattr(enrolment, "certificate", None) if enrolment and hasattr(enrolment, "certificate") else None,
        },
    )


@require_POST
@dealer_required
def course_enrol(request, company, slug: str):
    course = _course_or_404(slug)
    try:
        enrol(user=request.user, company=company, course_id=course.pk)
    except DomainError as exc:
        messages.error(request, exc.details[0].message)
    return redirect("storefront:academy_course", slug=course.slug)


@dealer_required
def lesson_detail(request, company, slug: str, lesson_id: int):
    course = _course_or_404(slug)
    lesson = next((item for item in course.lessons.all() if item.pk == lesson_id), None)
    if lesson is None:
        raise Http404("No such lesson.")
    if request.method == "POST":
        try:
            complete_lesson(user=request.user, lesson_id=lesson.pk)
            messages.success(request, gettext("Lesson “%(title)s” done.") % {"title": lesson.title})
        except DomainError as exc:
            messages.error(request, exc.details[0].message)
        return redirect("storefront:academy_course", slug=course.slug)
    return render(request, "storefront/academy/lesson.html", {"course": course, "lesson": lesson})


@dealer_required
def quiz(request, company, slug: str):
    course = _course_or_404(slug)
    errors, result = [], None
    if request.method == "POST":
        answers = {str(q.pk): request.POST.getlist(f"q{q.pk}")[:50] for q in course.questions.all() if request.POST.getlist(f"q{q.pk}")}
        try:
            result = submit_quiz(user=request.user, course_id=course.pk, answers=answers)
        except DomainError as exc:
            errors = [d.message for d in exc.details]
    return render(
        request,
        "storefront/academy/quiz.html",
        {"course": course, "questions": course.questions.all(), "errors": errors, "result": result},
        status=400 if errors else 200,
    )


def certificate_pdf(request, pk: int):
    """The certificate as a PDF: for the holder's company and staff; others get a 404."""
    cert = certificate_for_user(requesting_user(request), pk)
    if cert is None:
        raise Http404("No such certificate.")
    verify = request.build_absolute_uri(reverse("storefront:academy_verify"))
    response = HttpResponse(render_certificate_pdf(cert, verify), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def lesson_document(request, pk: int):
    """A lesson's PDF: for signed-in users of an active dealer and for academy staff."""
    lesson = Lesson.objects.select_related("document", "course").filter(pk=pk, course__is_published=True).first()
    document = getattr(lesson, "document", None) if lesson is not None and hasattr(lesson, "document") else None
    user = requesting_user(request)
    allowed = False
    if user is not None and user.is_authenticated and user.is_active:
        if user.is_staff and user.has_perm("training.view_course"):
            allowed = True
        elif request.user == user:
            allowed = dealer_company(request) is not None
        else:  # a bearer-token client
            allowed = Membership.objects.filter(user=user, company__is_active=True).exists()
    if document is None:
        raise Http404("No such file.")
    return serve_stored_file(request, document, allowed=allowed)


def verify(request):
    """Public: anyone holding a code can check it. Shows the name, the course and the date only."""
    code = (request.GET.get("code") or "").strip()[:32]
    cert = verify_code(code) if code else None
    return render(request, "storefront/academy/verify.html", {"code": code, "certificate": cert}, status=404 if code and cert is None else 200)
