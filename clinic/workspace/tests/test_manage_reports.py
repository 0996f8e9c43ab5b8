"""The manager's visit reports page and its CSV downloads (figures: clinic/appointments/
tests/test_visit_reports.py)."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.appointments.models import Appointment, Status
from clinic.staff.roles import Role
from clinic.testing import FIXED_NOW, make_doctor, make_patient, make_staff, verified_login

pytestmark = pytest.mark.django_db

MONDAY = FIXED_NOW.date()
URL = reverse("workspace:manage_reports")


def csv_url(name):
    return reverse("workspace:manage_reports_csv", args=[name])


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FIXED_NOW, tick=False):
        yield


@pytest.fixture
def manager(client):
    user = make_staff(Role.MANAGER)
    verified_login(client, user)
    return user


def add_visits(doctor, patient, *, day=MONDAY, statuses=(Status.COMPLETED, Status.NO_SHOW)):
    Appointment.objects.bulk_create(
        Appointment(patient=patient, doctor=doctor, date=day, start=dt.time(9 + n, 0),
                    end=dt.time(9 + n, 30), slot_number=n + 1, status=status)
        for n, status in enumerate(statuses)
    )


def test_it_shows_the_last_four_weeks_by_default(client, manager):
    doctor = make_doctor(name="Dr. Asha Rao")
    add_visits(doctor, make_patient())
    response = client.get(URL)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.first, report.last) == (MONDAY - dt.timedelta(days=27), MONDAY)
    html = response.content.decode()
    assert "Dr. Asha Rao" in html
    assert "50.0 %" in html  # one no-show of two visits with an outcome
    assert 'id="report-data"' in html and "workspace/js/reports.js" in html
    assert "chart.umd.min.js" in html
    # The charts' figures are data, never an inline script the CSP would refuse.
    assert "<script>" not in html


def test_it_filters_by_range_site_and_doctor(client, manager):
    rao, iyer = make_doctor(name="Dr. Asha Rao"), make_doctor(name="Dr. Vik Iyer")
    patient = make_patient()
    add_visits(rao, patient)
    add_visits(iyer, patient, day=MONDAY - dt.timedelta(days=40))
    site = rao.schedules.first().location
    response = client.get(URL, {"first": "2029-11-01", "last": "2030-01-07",
                                "location": site.pk, "doctor": rao.pk})
    assert response.status_code == 200
    assert [d.doctor for d in response.context["report"].doctors] == ["Dr. Asha Rao"]
    response = client.get(URL, {"first": "2029-11-01", "last": "2030-01-07"})
    assert [d.doctor for d in response.context["report"].doctors] == [
        "Dr. Asha Rao", "Dr. Vik Iyer"]


def test_an_empty_range_says_so(client, manager):
    response = client.get(URL, {"first": "2031-01-01", "last": "2031-01-02"})
    assert response.status_code == 200
    assert b"No visits in this range." in response.content
    assert b"report-data" not in response.content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"first": "2030-01-07", "last": "2030-01-01"}, "The last day is before the first."),
        ({"first": "2029-01-01", "last": "2030-06-01"}, "Choose at most 366 days."),
        ({"first": "yesterday", "last": "2030-01-01"}, "Enter a valid date."),
        ({"first": "2030-01-01", "last": ""}, "This field is required."),
        ({"first": "2030-01-01", "last": "2030-01-02", "doctor": "999999"},
         "Select a valid choice."),
        ({"first": "2030-01-01", "last": "2030-01-02", "location": "x"}, "Select a valid choice."),
    ],
)
def test_bad_filters_get_a_clear_400(client, manager, query, message):
    for url in (URL, csv_url("doctors-summary")):
        response = client.get(url, query)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert response.context["report"] is None


def read_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_downloads(client, manager):
    doctor = make_doctor(name="Dr. Asha Rao")
    add_visits(doctor, make_patient())
    query = {"first": "2030-01-01", "last": "2030-01-07"}

    response = client.get(csv_url("visits-per-doctor-and-day"), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="visits-per-doctor-and-day_2030-01-01_2030-01-07.csv"')
    assert read_csv(response) == [
        ["date", "doctor", "visits", "completed", "no_shows"],
        ["2030-01-07", "Dr. Asha Rao", "2", "1", "1"],
    ]

    rows = read_csv(client.get(csv_url("doctors-summary"), query))
    assert rows[0][:6] == ["doctor", "visits", "completed", "no_shows", "outcome_known",
                           "no_show_rate_percent"]
    assert rows[1][:6] == ["Dr. Asha Rao", "2", "1", "1", "2", "50.0"]
    assert rows[2][:2] == ["All doctors", "2"]


def test_csv_cells_are_never_formulas(client, manager):
    """A name a spreadsheet would run (CSV injection) arrives as plain text."""
    doctor = make_doctor(name='=HYPERLINK("http://evil.example","click")')
    add_visits(doctor, make_patient())
    rows = read_csv(client.get(csv_url("visits-per-doctor-and-day")))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    for name in ("+1", "-1", "@SUM(A1)", "\tx"):
        from clinic.workspace.manage_csv import safe_cell

        assert safe_cell(name).startswith("'")
    from clinic.workspace.manage_csv import safe_cell

    assert safe_cell(-3) == -3 and safe_cell("Dr. Rao") == "Dr. Rao"


def test_an_unknown_csv_is_a_404(client, manager):
    assert client.get(csv_url("passwords")).status_code == 404


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"first": "2029-12-01", "last": "2030-01-07"})
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_visits(client, manager):
    patient = make_patient()
    add_visits(make_doctor(), patient)
    small = [_count(client, URL), _count(client, csv_url("doctors-summary"))]
    for _ in range(6):
        doctor = make_doctor()
        for days in range(0, 30, 2):
            add_visits(doctor, patient, day=MONDAY - dt.timedelta(days=days),
                       statuses=(Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED))
    large = [_count(client, URL), _count(client, csv_url("doctors-summary"))]
    assert small == large


def test_the_manager_page_lists_the_reports(client, manager):
    response = client.get(reverse("workspace:manager"))
    assert response.status_code == 200
    assert URL.encode() in response.content
    assert reverse("workspace:manager").encode() in response.content  # the nav's "Manage"
