"""Doctors' weekly sessions and time off (rules: clinic.doctors.services)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from clinic.core import clock
from clinic.doctors.models import Doctor, TimeOff, WeeklySchedule
from clinic.doctors.services import time_off_save, weekly_session_save
from clinic.workspace.decorators import staff_view
from clinic.workspace.manage_forms import SessionForm, TimeOffForm
from clinic.workspace.views.manage.editing import form_page


@staff_view("doctors.view_weeklyschedule", "doctors.view_timeoff")
def sessions(request):
    """Every doctor's week and coming time off: three queries, however many doctors."""
    doctors = Doctor.objects.only("pk", "name", "specialty", "is_active").prefetch_related(
        Prefetch("schedules", queryset=WeeklySchedule.objects.select_related("location")),
        Prefetch("time_off", queryset=TimeOff.objects.filter(end_date__gte=clock.today()),
                 to_attr="time_off_ahead"),
    ).order_by("-is_active", "name", "pk")
    return render(request, "workspace/manage/sessions.html", {"doctors": doctors})


def _sessions_url() -> str:
    return reverse("workspace:manage_sessions")


@staff_view("doctors.add_weeklyschedule")
def session_new(request):
    form = SessionForm(request.POST or None, initial={"slot_minutes": 30})

    def save(data):
        session = weekly_session_save(actor=request.user, **data)
        return f"{session.doctor.name}: {session} added."

    return form_page(request, form=form, save=save, done=_sessions_url(),
                     title="New weekly session", cancel=_sessions_url())


@staff_view("doctors.change_weeklyschedule")
def session_edit(request, session_id: int):
    session = get_object_or_404(WeeklySchedule.objects.select_related("doctor"), pk=session_id)
    initial = {"location": session.location_id, "weekday": session.weekday,
               "start": session.start, "end": session.end, "slot_minutes": session.slot_minutes}
    form = SessionForm(request.POST or None, initial=initial, editing=True)

    def save(data):
        weekly_session_save(actor=request.user, session=session, doctor=session.doctor, **data)
        return f"{session.doctor.name}: {session} saved."

    return form_page(request, form=form, save=save, done=_sessions_url(),
                     title=f"{session.doctor.name}: {session}", cancel=_sessions_url())


def _time_off_saved(time_off, booked: int) -> str:
    message = f"{time_off.doctor.name} is off {time_off}."
    if booked:
        message += (f" {booked} booked visit{'s' if booked != 1 else ''} fall in these days: "
                    "the front desk moves or cancels them with the patients.")
    return message


@staff_view("doctors.add_timeoff")
def time_off_new(request):
    form = TimeOffForm(request.POST or None)

    def save(data):
        return _time_off_saved(*time_off_save(actor=request.user, **data))

    return form_page(request, form=form, save=save, done=_sessions_url(),
                     title="New time off", cancel=_sessions_url())


@staff_view("doctors.change_timeoff")
def time_off_edit(request, time_off_id: int):
    time_off = get_object_or_404(TimeOff.objects.select_related("doctor"), pk=time_off_id)
    initial = {"start_date": time_off.start_date, "end_date": time_off.end_date,
               "reason": time_off.reason}
    form = TimeOffForm(request.POST or None, initial=initial, editing=True)

    def save(data):
        return _time_off_saved(*time_off_save(actor=request.user, time_off=time_off,
                                              doctor=time_off.doctor, **data))

    return form_page(request, form=form, save=save, done=_sessions_url(),
                     title=f"{time_off.doctor.name}: time off", cancel=_sessions_url())
