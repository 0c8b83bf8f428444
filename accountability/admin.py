from django.contrib import admin

from core.admin import ReadOnlyInline, ShownOnlyAdmin

from .models import (
    CascadeGrade,
    GradeRule,
    InteractionForm,
    MonthlyAssessment,
    PenaltyRule,
    SampleReview,
    SelfInspectionReport,
    SupervisionSample,
    Violation,
    ViolationShare,
)


@admin.register(PenaltyRule)
class PenaltyRuleAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_zh",
        "yuan",
        "yuan_subsequent",
        "priced_per",
        "doubles_when",
        "cascade_grade",
        "is_active",
    )
    list_filter = ("is_active", "cascade_grade", "doubles_when")
    search_fields = ("code", "name_zh", "name_en", "citation")


@admin.register(CascadeGrade)
class CascadeGradeAdmin(admin.ModelAdmin):
    list_display = (
        "grade",
        "responsible",
        "department_head",
        "direct_superior",
        "superior_of_superior",
    )


@admin.register(GradeRule)
class GradeRuleAdmin(admin.ModelAdmin):
    list_display = ("grade", "min_score", "vetoes")


class ShareInline(admin.TabularInline):
    model = ViolationShare
    extra = 0
    can_delete = False
    readonly_fields = (
        "person",
        "department",
        "role",
        "yuan",
        "points",
        "bonus_months",
        "circulated_criticism",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    """Violations change through their procedure and are frozen once published."""

    list_display = ("number", "rule", "department", "person", "state", "occurred_at", "assessment")
    list_filter = ("state", "rule", "department", "automatic")
    search_fields = ("number", "evidence_key", "description")
    inlines = [ShareInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Violation._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(InteractionForm)
class InteractionFormAdmin(admin.ModelAdmin):
    list_display = (
        "violation",
        "responsible_person",
        "customer_name",
        "department",
        "cs_signed_at",
    )


@admin.register(SelfInspectionReport)
class SelfInspectionReportAdmin(admin.ModelAdmin):
    list_display = ("violation", "responsible_person", "disputed", "submitted_at")


@admin.register(MonthlyAssessment)
class MonthlyAssessmentAdmin(admin.ModelAdmin):
    list_display = ("period", "state", "approved_at", "published_at")
    readonly_fields = (
        "period",
        "state",
        "approved_by",
        "approved_at",
        "published_by",
        "published_at",
        "summary",
    )


class SampleReviewInline(ReadOnlyInline):
    model = SampleReview
    fields = ("incident", "complaint", "compliant", "findings", "reviewed_by", "reviewed_at")
    readonly_fields = fields


@admin.register(SupervisionSample)
class SupervisionSampleAdmin(ShownOnlyAdmin):
    list_display = ("drawn_at", "since", "until", "size", "seed", "drawn_by")
    inlines = [SampleReviewInline]
