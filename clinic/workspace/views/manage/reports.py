"""The visit reports: tables, charts (Chart.js, vendored; workspace/js/reports.js) and CSV."""

from django.http import Http404
from django.shortcuts import render

from clinic.appointments.reports import VisitReport, visit_report
from clinic.core.errors import InvalidInput
from clinic.portal.errors import form_add_error
from clinic.workspace.decorators import staff_view
from clinic.workspace.manage_csv import csv_response
from clinic.workspace.manage_forms import ReportFilterForm

PERMISSION = "appointments.view_visit_reports"


def _report_for(form) -> VisitReport | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return visit_report(
            first=data["first"],
            last=data["last"],
            location_id=data["location"].pk if data["location"] else None,
            doctor_id=data["doctor"].pk if data["doctor"] else None,
        )
    except InvalidInput as exc:
        form_add_error(form, exc)
        return None


def _minutes(delta) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 60, 1)


def _hours(delta) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 1)


def _percent(rate) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _chart_data(report: VisitReport) -> dict:
    """What reports.js draws: every day of the range on the axis, one series per doctor."""
    dates = report.dates()
    index = {day: n for n, day in enumerate(dates)}
    per_doctor: dict[int, list[int]] = {}
    for row in report.days:
        per_doctor.setdefault(row.doctor_id, [0] * len(dates))[index[row.day]] = row.visits
    return {
        "dates": [day.isoformat() for day in dates],
        "visits": [
            {"doctor": d.doctor, "values": per_doctor.get(d.doctor_id, [0] * len(dates))}
            for d in report.doctors
        ],
        "doctors": [d.doctor for d in report.doctors],
        "no_show_rate": [_percent(d.no_show_rate) for d in report.doctors],
        "wait_minutes": [_minutes(d.average_wait) for d in report.doctors],
        "lead_hours": [_hours(d.average_lead) for d in report.doctors],
    }


@staff_view(PERMISSION)
def reports(request):
    form = ReportFilterForm(request.GET or None)
    report = _report_for(form)
    context = {
        "form": form,
        "report": report,
        "chart": _chart_data(report) if report is not None else None,
        "query": request.GET.urlencode(),
    }
    return render(request, "workspace/manage/reports.html", context,
                  status=200 if report is not None else 400)


def _days_rows(report: VisitReport):
    for row in report.days:
        yield [row.day.isoformat(), row.doctor, row.visits, row.completed, row.no_shows]


def _doctor_rows(report: VisitReport):
    for d in [*report.doctors, report.total]:
        yield [d.doctor, d.visits, d.completed, d.no_shows, d.outcome_known,
               _percent(d.no_show_rate), d.cancelled, _minutes(d.average_wait),
               d.waits_measured, _hours(d.average_lead)]


CSV_REPORTS = {
    "visits-per-doctor-and-day": (
        ["date", "doctor", "visits", "completed", "no_shows"],
        _days_rows,
    ),
    "doctors-summary": (
        ["doctor", "visits", "completed", "no_shows", "outcome_known", "no_show_rate_percent",
         "cancelled", "average_wait_minutes", "waits_measured", "average_lead_time_hours"],
        _doctor_rows,
    ),
}


@staff_view(PERMISSION)
def reports_csv(request, name: str):
    if name not in CSV_REPORTS:
        raise Http404("No such report.")
    form = ReportFilterForm(request.GET or None)
    report = _report_for(form)
    if report is None:
        return render(request, "workspace/manage/reports.html",
                      {"form": form, "report": None, "chart": None}, status=400)
    header, rows = CSV_REPORTS[name]
    filename = f"{name}_{report.first:%Y-%m-%d}_{report.last:%Y-%m-%d}.csv"
    return csv_response(filename=filename, header=header, rows=rows(report))
