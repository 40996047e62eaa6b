"""The partner academy (伙伴学堂): courses of lessons and a quiz, enrolments, certificates, and
the certifications a tier or a product line requires."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from mall.uploads import StoredFileFields


class Course(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    pass_mark_percent = models.PositiveSmallIntegerField(default=80, help_text="Score needed to pass the quiz, 1-100.")
    max_attempts = models.PositiveSmallIntegerField(default=3, help_text="Quiz attempts per person.")
    validity_days = models.PositiveIntegerField(null=True, blank=True, help_text="How long a certificate is valid; empty: no end.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark_percent__gte=1, pass_mark_percent__lte=100), name="course_pass_mark_1_100"),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="course_at_least_one_attempt"),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", gettext_lazy("Text")
        VIDEO = "video", gettext_lazy("Video link")
        PDF = "pdf", gettext_lazy("PDF document")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(blank=True, help_text="Plain text; shown as paragraphs.")
    video_url = models.URLField(blank=True, help_text="An https:// link to the video.")

    class Meta:
        ordering = ["course", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "position"], name="one_lesson_per_position")]

    def __str__(self) -> str:
        return f"{self.course}: {self.position}. {self.title}"


class LessonDocument(StoredFileFields):
    """The PDF of a PDF lesson (stored by mall/uploads.py, served to dealers and staff)."""

    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="document")
    uploaded_at = models.DateTimeField(default=timezone.now)


class Question(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.TextField()

    class Meta:
        ordering = ["course", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    """An answer option. A question may have several correct ones: all must be ticked, no other."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Enrolment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    company = models.ForeignKey("partners.Company", on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="one_enrolment_per_user_course")]

    def __str__(self) -> str:
        return f"{self.user} in {self.course}"


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="one_progress_per_lesson")]


class QuizAttempt(models.Model):
    """One submitted quiz: the answers as given, the score the server worked out."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    answers = models.JSONField(help_text="{question id: [choice ids]} as submitted.")
    correct_count = models.PositiveSmallIntegerField()
    question_count = models.PositiveSmallIntegerField()
    score_percent = models.DecimalField(max_digits=5, decimal_places=1)
    passed = models.BooleanField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["enrolment", "number"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "number"], name="one_attempt_per_number")]


class Certificate(models.Model):
    """Proof that a person passed a course; `code` lets anyone check it on the public page."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="certificate")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates")
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="certificates")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    holder_name = models.CharField(max_length=200)
    code = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["company", "course"], name="certificate_company_course")]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("issued_at")), name="certificate_expires_after_issue"),
        ]

    def __str__(self) -> str:
        return f"{self.course} — {self.holder_name} ({self.code})"

    def is_valid(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)


class Requirement(models.Model):
    """A course a dealer must hold: to be in a tier, or to order a category (and the categories
    under it) or one product. A product-line requirement blocks checkout without it."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="requirements")
    tier = models.ForeignKey("partners.Tier", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(tier__isnull=False, category__isnull=True, product__isnull=True)
                    | Q(tier__isnull=True, category__isnull=False, product__isnull=True)
                    | Q(tier__isnull=True, category__isnull=True, product__isnull=False)
                ),
                name="requirement_for_one_tier_category_or_product",
            ),
        ]

    def __str__(self) -> str:
        target = self.tier or self.category or self.product
        return f"{self.course} required for {target}"
