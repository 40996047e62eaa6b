"""Back office of the partner academy: courses with lessons and quiz, lesson PDFs (checked by
mall/uploads.py), requirements, enrolments, certificates (revocable), and completion by
region and dealer."""

from itertools import groupby

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path

from mall.errors import DomainError
from training.models import Certificate, Choice, Course, Enrolment, Lesson, Question, Requirement
from training.selectors import completion_by_dealer
from training.services import attach_lesson_pdf, revoke_certificate


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0
    fields = ["position", "title", "kind", "video_url"]
    show_change_link = True


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "text"]
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "pass_mark_percent", "max_attempts", "validity_days"]
    list_filter = ["is_published"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LessonInline, QuestionInline]
    change_list_template = "admin/training/course/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.completion_view)
        return [path("completion/", view, name="training_completion"), *super().get_urls()]

    def completion_view(self, request):
        if not self.has_view_permission(request):
            raise Http404
        course_id = request.GET.get("course")
        course_ids = [int(course_id)] if course_id and course_id.isdigit() else None
        rows = list(completion_by_dealer(course_ids))
        regions = [
            {"name": region or "No region", "rows": list(items)}
            for region, items in groupby(rows, key=lambda r: r["company__region__name"])
        ]
        for region in regions:
            region["enrolled"] = sum(r["enrolled"] for r in region["rows"])
            region["completed"] = sum(r["completed"] for r in region["rows"])
        context = {
            **self.admin_site.each_context(request),
            "title": "Academy completion by region and dealer",
            "regions": regions,
            "courses": Course.objects.order_by("title"),
            "course_id": course_ids[0] if course_ids else None,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/training/course/completion.html", context)


class LessonForm(forms.ModelForm):
    video_url = forms.URLField(required=False, assume_scheme="https", help_text="An https:// link to the video.")
    pdf = forms.FileField(required=False, help_text="PDF lessons: the document (checked by content; at most the upload limit).")

    class Meta:
        model = Lesson
        fields = ["course", "position", "title", "kind", "body", "video_url"]

    def clean_video_url(self):
        url = self.cleaned_data.get("video_url") or ""
        if url and not url.startswith("https://"):
            raise forms.ValidationError("Give an https:// link.")
        return url


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = LessonForm
    list_display = ["title", "course", "position", "kind", "has_document"]
    list_filter = ["kind", "course"]
    search_fields = ["title", "course__title"]

    @admin.display(boolean=True, description="PDF")
    def has_document(self, obj):
        return hasattr(obj, "document")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("pdf")
        if upload:
            try:
                attach_lesson_pdf(obj.pk, upload)
            except DomainError as exc:
                self.message_user(request, "PDF not stored: " + "; ".join(d.message for d in exc.details), messages.ERROR)


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 3
    fields = ["position", "text", "is_correct"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "course", "position"]
    list_filter = ["course"]
    inlines = [ChoiceInline]


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ["course", "tier", "category", "product"]
    list_filter = ["course", "tier"]
    autocomplete_fields = ["product"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "company", "course", "enrolled_at", "completed_at"]
    list_filter = ["course", "company__region"]
    search_fields = ["user__email", "company__name", "company__code"]
    list_select_related = ["user", "company", "course"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "holder_name", "company", "course", "issued_at", "expires_at", "revoked_at"]
    list_filter = ["course", "company__region"]
    search_fields = ["code", "holder_name", "company__name", "user__email"]
    list_select_related = ["company", "course"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected certificates", permissions=["change"])
    def revoke(self, request, queryset):
        for cert in queryset:
            revoke_certificate(cert.pk, by=request.user)
        self.message_user(request, f"{queryset.count()} certificate(s) revoked.", messages.SUCCESS)
