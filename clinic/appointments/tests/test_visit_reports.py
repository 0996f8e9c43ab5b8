"""The visit reports (clinic.appointments.reports): what each figure counts, the site and
doctor filters, and a constant query count however many visits there are."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.appointments.models import Appointment, Status
from clinic.appointments.reports import MAX_DAYS, visit_report
from clinic.core.errors import InvalidInput
from clinic.doctors.models import Location, WeeklySchedule
from clinic.testing import make_doctor, make_patient

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2030, 1, 7)
TZ = timezone.get_fixed_timezone(330)  # the clinic's zone, Asia/Kolkata


def visit(patient, doctor, day, at, status, *, arrived=None, seen=None, booked=None):
    """An appointment as the day left it (timestamps as the state service stamps them)."""
    start = dt.time(*at)
    appointment = Appointment.objects.create(
        patient=patient, doctor=doctor, date=day, start=start,
        end=(dt.datetime.combine(day, start) + dt.timedelta(minutes=30)).time(),
        slot_number=1, status=status,
        arrived_at=_at(day, arrived), consultation_started_at=_at(day, seen),
    )
    if booked is not None:
        Appointment.objects.filter(pk=appointment.pk).update(created_at=booked)
    return appointment


def _at(day, hm):
    return None if hm is None else dt.datetime.combine(day, dt.time(*hm), tzinfo=TZ)


@pytest.fixture
def clinic():
    rao = make_doctor(name="Dr. Asha Rao")
    iyer = make_doctor(name="Dr. Vik Iyer")
    pat = make_patient(first_name="Ann", last_name="One")
    return rao, iyer, pat


def test_it_counts_visits_per_doctor_and_day(clinic):
    rao, iyer, pat = clinic
    tuesday = MONDAY + dt.timedelta(days=1)
    visit(pat, rao, MONDAY, (9, 0), Status.COMPLETED)
    visit(pat, rao, MONDAY, (9, 30), Status.NO_SHOW)
    visit(pat, rao, MONDAY, (10, 0), Status.CANCELLED)
    visit(pat, rao, MONDAY, (10, 30), Status.ENTERED_IN_ERROR)
    visit(pat, iyer, tuesday, (9, 0), Status.BOOKED)

    report = visit_report(first=MONDAY, last=tuesday)

    assert [(d.doctor, d.day, d.visits, d.completed, d.no_shows) for d in report.days] == [
        ("Dr. Asha Rao", MONDAY, 2, 1, 1),
        ("Dr. Vik Iyer", tuesday, 1, 0, 0),
    ]
    rao_row = report.doctors[0]
    assert (rao_row.visits, rao_row.cancelled, rao_row.outcome_known) == (2, 1, 2)
    assert rao_row.no_show_rate == 0.5
    # A visit still marked booked has no known outcome: no rate rather than 0 %.
    assert report.doctors[1].no_show_rate is None
    assert (report.total.visits, report.total.no_shows, report.total.outcome_known) == (3, 1, 2)


def test_the_range_is_inclusive_and_checked(clinic):
    rao, _, pat = clinic
    visit(pat, rao, MONDAY - dt.timedelta(days=1), (9, 0), Status.COMPLETED)
    visit(pat, rao, MONDAY, (9, 0), Status.COMPLETED)
    visit(pat, rao, MONDAY + dt.timedelta(days=7), (9, 0), Status.COMPLETED)
    assert visit_report(first=MONDAY, last=MONDAY + dt.timedelta(days=6)).total.visits == 1
    with pytest.raises(InvalidInput, match="before the first"):
        visit_report(first=MONDAY, last=MONDAY - dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match=f"at most {MAX_DAYS} days"):
        visit_report(first=MONDAY, last=MONDAY + dt.timedelta(days=MAX_DAYS))


def test_the_average_wait_runs_from_arrival_to_consultation(clinic):
    rao, iyer, pat = clinic
    visit(pat, rao, MONDAY, (9, 0), Status.COMPLETED, arrived=(8, 50), seen=(9, 10))  # 20 min
    visit(pat, rao, MONDAY, (9, 30), Status.COMPLETED, arrived=(9, 20), seen=(9, 30))  # 10 min
    visit(pat, rao, MONDAY, (10, 0), Status.COMPLETED)  # completed, never marked: not measured
    visit(pat, iyer, MONDAY, (9, 0), Status.IN_CONSULTATION, arrived=(8, 0), seen=(9, 0))  # 60

    report = visit_report(first=MONDAY, last=MONDAY)

    rao_row, iyer_row = report.doctors
    assert rao_row.average_wait == dt.timedelta(minutes=15)
    assert rao_row.waits_measured == 2
    assert iyer_row.average_wait == dt.timedelta(minutes=60)
    # Weighted by the waits measured: (20 + 10 + 60) / 3.
    assert report.total.average_wait == dt.timedelta(minutes=30)


def test_the_lead_time_runs_from_booking_to_the_start(clinic):
    rao, _, pat = clinic
    # Booked on Friday 17:00 for Monday 09:00 (clinic time): 2 days 16 hours.
    visit(pat, rao, MONDAY, (9, 0), Status.COMPLETED,
          booked=dt.datetime(2030, 1, 4, 17, 0, tzinfo=TZ))
    # Booked the same morning at 08:30 for 10:00: 90 minutes.
    visit(pat, rao, MONDAY, (10, 0), Status.NO_SHOW,
          booked=dt.datetime(2030, 1, 7, 8, 30, tzinfo=TZ))
    # Cancelled visits are not visits: their lead time does not count.
    visit(pat, rao, MONDAY, (11, 0), Status.CANCELLED,
          booked=dt.datetime(2029, 1, 1, 8, 0, tzinfo=TZ))

    lead = visit_report(first=MONDAY, last=MONDAY).doctors[0].average_lead

    assert lead == (dt.timedelta(days=2, hours=16) + dt.timedelta(minutes=90)) / 2


def test_it_filters_by_doctor_and_by_site(clinic):
    rao, iyer, pat = clinic
    # Rao holds Monday afternoons at a second site; mornings stay at the first.
    annex = Location.objects.create(name="Annex", address="2 Side Road")
    WeeklySchedule.objects.create(doctor=rao, location=annex, weekday=0,
                                  start=dt.time(14, 0), end=dt.time(17, 0), slot_minutes=30)
    main = WeeklySchedule.objects.filter(doctor=rao, weekday=0).exclude(location=annex).get()
    visit(pat, rao, MONDAY, (9, 0), Status.COMPLETED)
    visit(pat, rao, MONDAY, (14, 0), Status.COMPLETED)
    visit(pat, rao, MONDAY, (14, 30), Status.NO_SHOW)
    visit(pat, iyer, MONDAY, (9, 0), Status.COMPLETED)

    assert visit_report(first=MONDAY, last=MONDAY, doctor_id=iyer.pk).total.visits == 1
    at_annex = visit_report(first=MONDAY, last=MONDAY, location_id=annex.pk)
    assert [(d.doctor, d.visits, d.no_shows) for d in at_annex.doctors] == [
        ("Dr. Asha Rao", 2, 1)
    ]
    at_main = visit_report(first=MONDAY, last=MONDAY, location_id=main.location_id)
    assert [(d.doctor, d.visits) for d in at_main.doctors] == [
        ("Dr. Asha Rao", 1), ("Dr. Vik Iyer", 1)
    ]


def _fill(doctors, patient, days: int) -> None:
    rows = []
    for n in range(days):
        day = MONDAY + dt.timedelta(days=n)
        for doctor in doctors:
            for slot, status in enumerate([Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED]):
                start = dt.time(9 + slot, 0)
                rows.append(Appointment(
                    patient=patient, doctor=doctor, date=day, start=start,
                    end=dt.time(9 + slot, 30), slot_number=slot + 1, status=status,
                    arrived_at=_at(day, (8 + slot, 45)),
                    consultation_started_at=_at(day, (9 + slot, 0)),
                ))
    Appointment.objects.bulk_create(rows)


def _queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = visit_report(**kwargs)
    assert report.total.visits > 0
    return len(queries)


def test_the_query_count_does_not_grow_with_the_data(clinic):
    rao, iyer, pat = clinic
    _fill([rao], pat, days=1)
    small = _queries(first=MONDAY, last=MONDAY + dt.timedelta(days=30))
    others = [make_doctor(name=f"Dr. Extra {n}", schedule=False) for n in range(5)]
    _fill([iyer, *others], pat, days=30)
    large = _queries(first=MONDAY, last=MONDAY + dt.timedelta(days=30))
    assert small == large == 2
    site = Location.objects.order_by("pk").first()
    assert _queries(first=MONDAY, last=MONDAY + dt.timedelta(days=30), location_id=site.pk) == 2
