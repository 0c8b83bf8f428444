"""The deadline clock in the admin: policies (rules as data), the working-day calendar (a
year entered in minutes), and the deadlines themselves (read-only)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import conditions
from .calendar import spell_day_ranges
from .forms import CalendarYearForm
from .models import CalendarOverride, CalendarYear, Deadline, DeadlinePolicy


class DeadlinePolicyForm(forms.ModelForm):
    """The admin's policy form (its model and fields come from the admin): the conditions a
    policy may name are those the apps registered."""

    applies_when = forms.ChoiceField(label=_("applies when"), choices=conditions.choices)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    """Time limits as data. Changing one affects deadlines started afterwards; running
    deadlines keep the policy snapshot they started with."""

    form = DeadlinePolicyForm
    list_display = (
        "code",
        "name_zh",
        "record_type",
        "applies_when_label",
        "clock",
        "amount",
        "responsible",
        "is_active",
    )
    list_filter = ("record_type", "clock", "is_active")
    search_fields = ("code", "name_zh", "name_en")

    @admin.display(description=_("applies when"), ordering="applies_when")
    def applies_when_label(self, policy):
        return conditions.label(policy.applies_when)


def _warn_unknown_years(request) -> None:
    """A message per year the calendar does not know, linking to where it is entered."""
    from deadlines.context_processors import year_problem
    from deadlines.services import calendar_status

    for year, state in calendar_status().items():
        if state.startswith(("error", "warning")):
            messages.warning(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    year_problem(year, state),
                    calendar_year_url(int(year)),
                    _("Enter the holiday schedule of %(year)s") % {"year": year},
                ),
            )


def calendar_year_url(year: int) -> str:
    """The admin page where ``year``'s holiday schedule is entered."""
    return f"{reverse('admin:deadlines_calendaryear_add')}?year={year}"


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Working-day overrides: single days that correct the statutory calendar, and the
    holidays and make-up days of a year entered on the calendar-year page."""

    list_display = ("day", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "day"

    def changelist_view(self, request, extra_context=None):
        _warn_unknown_years(request)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """A year the statutory calendar package does not know: the administrator types its
    holidays and make-up working days (the State Council schedule), previews what that does
    and saves, which confirms the year (:func:`calendar_year_confirm`). Adding and changing
    both go through that one form; saving again replaces the year's days."""

    list_display = ("year", "days_off", "makeup_days", "confirmed_at", "confirmed_by", "notes")
    enter_template = "admin/deadlines/calendaryear/enter.html"

    @admin.display(description=_("days off"))
    def days_off(self, obj: CalendarYear) -> int:
        return CalendarOverride.objects.filter(day__year=obj.year, is_working_day=False).count()

    @admin.display(description=_("make-up working days"))
    def makeup_days(self, obj: CalendarYear) -> int:
        return CalendarOverride.objects.filter(day__year=obj.year, is_working_day=True).count()

    def changelist_view(self, request, extra_context=None):
        _warn_unknown_years(request)
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._enter(request, None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return self._enter(request, obj)

    def _initial(self, request, existing: CalendarYear | None) -> dict:
        if existing is None:
            return {"year": request.GET.get("year", "")}
        days = CalendarOverride.objects.filter(day__year=existing.year)
        return {
            "year": existing.year,
            "holidays": "\n".join(
                spell_day_ranges(days.filter(is_working_day=False).values_list("day", flat=True))
            ),
            "workdays": "\n".join(
                spell_day_ranges(days.filter(is_working_day=True).values_list("day", flat=True))
            ),
            "notes": existing.notes,
        }

    def _enter(self, request, existing: CalendarYear | None):
        from deadlines.calendar_services import calendar_year_confirm

        def year_form(*args, **kwargs) -> CalendarYearForm:
            form = CalendarYearForm(*args, **kwargs)
            form.fields["year"].disabled = existing is not None  # a year's page enters that year
            return form

        summary = None
        initial = self._initial(request, existing)
        if request.method == "POST":
            form = year_form(request.POST, initial=initial)
            preview = "_preview" in request.POST
            if form.is_valid():
                try:
                    summary = calendar_year_confirm(
                        year=form.cleaned_data["year"],
                        holidays=form.cleaned_data["holidays"],
                        workdays=form.cleaned_data["workdays"],
                        actor=request.user,
                        notes=form.cleaned_data["notes"],
                        dry_run=preview,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    if not preview:
                        year = CalendarYear.objects.get(year=summary.year)
                        if existing is None:
                            self.log_addition(request, year, [{"added": {}}])
                        else:
                            self.log_change(request, year, [{"changed": {}}])
                        messages.success(request, _confirmed_message(summary))
                        return redirect("admin:deadlines_calendaryear_changelist")
        else:
            form = year_form(initial=initial)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Enter a year's holiday schedule"),
            "form": form,
            "summary": summary,
            "days_off": spell_day_ranges(summary.days_off) if summary else [],
            "makeup_days": spell_day_ranges(summary.makeup_days) if summary else [],
            "scheduled": summary.scheduled[:50] if summary else [],
        }
        return TemplateResponse(request, self.enter_template, context)


def _confirmed_message(summary) -> str:
    return _(
        "%(year)s confirmed: %(off)s days off, %(makeup)s make-up working days; "
        "%(scheduled)s waiting deadlines got their due time."
    ) % {
        "year": summary.year,
        "off": len(summary.days_off),
        "makeup": len(summary.makeup_days),
        "scheduled": len(summary.scheduled),
    }


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "content_type",
        "object_id",
        "state",
        "due_at",
        "met_at",
        "responsible_department",
    )
    list_filter = ("state", "kind", "content_type")
    readonly_fields = [f.name for f in Deadline._meta.fields]
    search_fields = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
