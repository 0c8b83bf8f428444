"""The managers' dashboard: live counts, trends and the per-department table, each figure a
link to the list behind it; CSV and XLSX exports of the tables."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.choices import BusinessLine, Level
from organisation.models import City

from . import exports, selectors
from .forms import FilterForm
from .selectors import Filters


def _link(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _filters(request) -> tuple[FilterForm, Filters]:
    """The filters asked for (or the defaults), and the form showing those in effect (or the
    errors of what was asked)."""
    form = FilterForm(request.GET)
    if form.is_valid():
        filters = form.filters(request.user)
        return FilterForm(filters.as_query()), filters
    default = FilterForm({})
    default.is_valid()
    return form, default.filters(request.user)


def _links(f: Filters) -> dict:
    """Where each figure drills down to."""
    q = f.as_query()
    scope = {k: q.get(k) for k in ("department", "city", "business_line")}
    today = timezone.localdate().isoformat()
    cities = {c.pk: c for c in City.objects.all()}
    return {
        "level": {
            level: _link("incidents:list", state="live", level=level, **scope)
            for level in (Level.RED, Level.ORANGE, Level.YELLOW, Level.NONE)
        },
        "overdue": _link(
            "incidents:deadlines", scope="all", when="overdue", department=q.get("department")
        ),
        "due_soon": _link(
            "incidents:deadlines", scope="all", when="soon", department=q.get("department")
        ),
        "waiting": _link("alerts:waiting", level=q.get("level"), **scope),
        "complaints_today": _link("complaints:list", since=today, until=today, **scope),
        "line": lambda line: _link(
            "complaints:list", since=today, until=today, **{**scope, "business_line": line}
        ),
        "city": lambda code: _link(
            "complaints:list", since=today, until=today, **{**scope, "city": code}
        ),
        "cities": cities,
    }


def _department_links(f: Filters, figures: selectors.DepartmentFigures) -> dict:
    q = {**f.as_query(), "department": figures.department.code}
    period = {"since": q["since"], "until": q["until"], "department": q["department"]}
    incident_scope = {k: q.get(k) for k in ("city", "level", "business_line")}
    complaints = _link(
        "complaints:list",
        event="archived",
        state="archived",
        city=q.get("city"),
        business_line=q.get("business_line"),
        **period,
    )
    return {
        "on_time": _link("incidents:deadlines", scope="all", when="settled", **period),
        "kinds": {
            kind: _link("incidents:deadlines", scope="all", when="settled", kind=kind, **period)
            for kind in figures.on_time
        },
        "mtta": _link("alerts:waiting", acknowledged="on", **incident_scope, **period),
        "mttr": _link("incidents:list", event="resolved", **incident_scope, **period),
        "complaints": complaints,
        "recurrence": _link("incidents:list", event="closed", **incident_scope, **period),
    }


def _chart_data(overview: dict, trends: dict, links: dict) -> dict:
    lines = dict(BusinessLine.choices)
    cities = {c.code: c.name for c in links["cities"].values()}
    return {
        "days": trends["days"],
        "ends": trends["ends"],
        "bucket": trends["bucket"],
        "levels": [
            {
                "key": level,
                "name": str(Level(level).label),
                "data": trends["incidents_opened"][level],
            }
            for level in (Level.RED, Level.ORANGE, Level.YELLOW)
        ],
        "complaints": {
            "name": _("Complaints received"),
            "data": trends["complaints_received"],
            "escalated_name": _("Escalated"),
            "escalated": trends["complaints_escalated"],
        },
        "by_line": [
            {
                "name": str(lines.get(r["key"], r["key"])),
                "value": r["n"],
                "url": links["line"](r["key"]),
            }
            for r in overview["complaints_today_by_line"]
        ],
        "by_city": [
            {
                "name": cities.get(r["key"], r["key"]),
                "value": r["n"],
                "url": links["city"](r["key"]),
            }
            for r in overview["complaints_today_by_city"]
        ],
        "map": _province_map(overview, links),
        "incident_list": reverse("incidents:list"),
    }


def _province_map(overview: dict, links: dict) -> dict | None:
    """Today's complaints of every city, for the province map (none when no map is set)."""
    if not settings.DASHBOARD_PROVINCE_MAP:
        return None
    try:
        url = static(settings.DASHBOARD_PROVINCE_MAP)
    except ValueError:  # not among the collected static files (manifest storage): bars
        return None
    counts = {r["key"]: r["n"] for r in overview["complaints_today_by_city"]}
    return {
        "url": url,
        "name": _("Complaints today"),
        "areas": [
            {
                "name": city.name,
                "name_zh": city.name_zh,
                "value": counts.get(city.code, 0),
                "url": links["city"](city.code),
            }
            for city in links["cities"].values()
        ],
    }


@login_required
def dashboard(request):
    form, f = _filters(request)
    overview = selectors.overview(f)
    trends = selectors.trends(f)
    links = _links(f)
    rows = [(figures, _department_links(f, figures)) for figures in selectors.departments(f)]
    kinds = sorted({kind for figures, _links_ in rows for kind in figures.on_time})
    context = {
        "form": form,
        "filters": f,
        "overview": overview,
        "links": links,
        "rows": rows,
        "kinds": kinds,
        "kind_names": _kind_names(kinds),
        "chart": _chart_data(overview, trends, links),
        "query": urlencode(f.as_query()),
        "refresh_seconds": max(int(settings.DASHBOARD_ROLLUP_SECONDS), 15),
    }
    template = "dashboards/_figures.html" if request.htmx else "dashboards/dashboard.html"
    return render(request, template, context)


def _kind_names(kinds: list[str]) -> dict[str, str]:
    from deadlines.models import DeadlinePolicy

    return {p.code: p.name for p in DeadlinePolicy.objects.filter(code__in=kinds)}


@login_required
def export(request, table: str, fmt: str):
    _form, f = _filters(request)
    if table == "departments":
        rows = exports.department_table(selectors.departments(f))
        title = _("Departments")
    elif table == "trends":
        rows = exports.trend_table(selectors.trends(f))
        title = _("Trends")
    else:
        raise Http404
    name = f"fenghuo-{table}-{f.since:%Y%m%d}-{f.until:%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(rows, title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def my_work_view(request):
    """My work 我的工作: what is assigned to this person across the kinds of record, the
    nearest deadline first."""
    return render(request, "dashboards/my_work.html", {"rows": selectors.my_work(request.user)})
