"""Reads of the academy: what a dealer holds, what it is missing, and who may see what."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from catalog.models import Category
from partners.models import Company, Membership
from training.models import Certificate, Course, Enrolment, Lesson, Question, Requirement


def published_courses():
    return Course.objects.filter(is_published=True).order_by("title", "id")


def course_with_content(slug: str) -> Course | None:
    """A published course with its lessons (and their PDFs) and its questions and choices."""
    return (
        published_courses()
        .filter(slug=slug)
        .prefetch_related(
            Prefetch("lessons", queryset=Lesson.objects.select_related("document").order_by("position", "id")),
            Prefetch("questions", queryset=Question.objects.prefetch_related("choices").order_by("position", "id")),
        )
        .first()
    )


def enrolment_of(user, course: Course) -> Enrolment | None:
    return Enrolment.objects.filter(user=user, course=course).prefetch_related("progress").first()


def enrolments_of(user):
    return Enrolment.objects.filter(user=user).select_related("course").order_by("-enrolled_at", "-id")


def certificates_of_company(company: Company):
    """Certificates held by the company's people (still its members), newest first."""
    return (
        Certificate.objects.filter(company=company, user__membership__company=company)
        .select_related("course", "user")
        .order_by("-issued_at", "-id")
    )


def certificate_for_user(user, certificate_id) -> Certificate | None:
    """A certificate the user may download: its own company's, or any for staff who may view them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    rows = Certificate.objects.select_related("course", "company").filter(pk=certificate_id)
    if user.is_staff and user.has_perm("training.view_certificate"):
        return rows.first()
    membership = Membership.objects.filter(user_id=user.pk).only("company_id").first()
    if membership is None:
        return None
    return rows.filter(company_id=membership.company_id).first()


def verify_code(code: str) -> Certificate | None:
    """The certificate a public verification code names, if it is valid now."""
    code = (code or "").strip().upper()[:32]
    if not code:
        return None
    cert = Certificate.objects.select_related("course").filter(code=code).first()
    return cert if cert is not None and cert.is_valid() else None


def held_course_ids(company: Company, course_ids) -> set[int]:
    """Which of the courses someone of the company (still a member) holds a valid certificate for."""
    now = timezone.now()
    return set(
        Certificate.objects.filter(
            company=company,
            user__membership__company=company,
            course_id__in=list(course_ids),
            revoked_at__isnull=True,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("course_id", flat=True)
    )


def _ancestors(category_ids: set[int]) -> dict[int, set[int]]:
    """Each category with all its parents (a requirement on a parent covers its children).
    One query per level of the tree, not per category."""
    parents: dict[int, int | None] = {}
    todo = {c for c in category_ids if c is not None}
    while todo:
        rows = dict(Category.objects.filter(pk__in=todo).values_list("pk", "parent_id"))
        parents.update(rows)
        todo = {p for p in rows.values() if p is not None and p not in parents}
    result = {}
    for start in category_ids:
        chain, current = set(), start
        while current is not None and current not in chain:
            chain.add(current)
            current = parents.get(current)
        result[start] = chain
    return result


def missing_certifications(company: Company, variants) -> dict[str, list[Course]]:
    """{sku: [courses the company must hold to order it but does not]}; SKUs it may order
    are absent. One query when no product line requires a course (the usual case)."""
    requirements = list(
        Requirement.objects.filter(Q(category__isnull=False) | Q(product__isnull=False))
        .filter(course__is_published=True)
        .select_related("course")
    )
    if not requirements:
        return {}
    variants = list(variants)
    by_product, by_category = defaultdict(list), defaultdict(list)
    for requirement in requirements:
        if requirement.product_id:
            by_product[requirement.product_id].append(requirement.course)
        else:
            by_category[requirement.category_id].append(requirement.course)
    chains = _ancestors({v.product.category_id for v in variants if v.product.category_id}) if by_category else {}
    needed: dict[str, list[Course]] = {}
    for variant in variants:
        courses = list(by_product.get(variant.product_id, []))
        for category_id in chains.get(variant.product.category_id, ()):
            courses.extend(by_category.get(category_id, []))
        if courses:
            needed[variant.sku] = courses
    if not needed:
        return {}
    held = held_course_ids(company, {c.pk for courses in needed.values() for c in courses})
    missing = {}
    for sku, courses in needed.items():
        unique = {c.pk: c for c in courses if c.pk not in held}
        if unique:
            missing[sku] = sorted(unique.values(), key=lambda c: c.title)
    return missing


def missing_for_tier(company: Company) -> list[Course]:
    """Courses the dealer's tier requires that nobody at the dealer holds."""
    if not company.tier_id:
        return []
    courses = [r.course for r in Requirement.objects.filter(tier_id=company.tier_id, course__is_published=True).select_related("course")]
    held = held_course_ids(company, [c.pk for c in courses])
    return sorted({c.pk: c for c in courses if c.pk not in held}.values(), key=lambda c: c.title)


def product_line_requirements():
    """Every published category or product requirement with its course (for the academy page)."""
    return (
        Requirement.objects.filter(course__is_published=True)
        .filter(Q(category__isnull=False) | Q(product__isnull=False))
        .select_related("course", "category", "product")
        .order_by("course__title", "id")
    )


def completion_by_dealer(course_ids=None):
    """Rows for the staff report: per region and dealer, enrolments and completions per course."""
    rows = Enrolment.objects.all()
    if course_ids:
        rows = rows.filter(course_id__in=course_ids)
    return (
        rows.values("company__region__name", "company__name", "company__code", "course__title")
        .annotate(enrolled=Count("id"), completed=Count("id", filter=Q(completed_at__isnull=False)))
        .order_by("company__region__name", "company__name", "course__title")
    )


def certification_message(sku: str, courses) -> str:
    names = " and ".join(f'"{c.title}"' for c in courses)
    return f"Ordering {sku} needs the academy course {names}; someone at your company must pass it first."


@dataclass(frozen=True)
class MissingCourse:
    course: Course
    for_tier: bool
    categories: list[str]
    products: list[str]


def missing_overview(company: Company) -> list[MissingCourse]:
    """Every course the dealer still lacks: for its tier, and for the product lines it unlocks."""
    result: dict[int, MissingCourse] = {c.pk: MissingCourse(c, True, [], []) for c in missing_for_tier(company)}
    requirements = list(product_line_requirements())
    held = held_course_ids(company, {r.course_id for r in requirements})
    for requirement in requirements:
        if requirement.course_id in held:
            continue
        entry = result.setdefault(requirement.course_id, MissingCourse(requirement.course, False, [], []))
        if requirement.category_id:
            entry.categories.append(requirement.category.name)
        else:
            entry.products.append(requirement.product.name)
    return sorted(result.values(), key=lambda m: m.course.title)
