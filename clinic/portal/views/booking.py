"""Booking: a doctor, then a date with free slots, then a slot, then confirm."""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode

from clinic.appointments.services import appointment_book
from clinic.core import clock
from clinic.core.errors import Conflict, InvalidInput, NotFound
from clinic.doctors.selectors import (
    booking_window,
    doctor_free_slots,
    doctor_free_slots_between,
    doctor_get,
    doctor_list,
    doctor_specialties,
)
from clinic.portal.decorators import patient_required
from clinic.portal.errors import user_message
from clinic.portal.forms import DayForm, DoctorFilterForm, SlotForm

# Days of free dates shown per page of the date picker.
DAYS_PER_PAGE = 14


def _doctor_or_404(doctor_id: int):
    try:
        return doctor_get(doctor_id=doctor_id)
    except NotFound:
        raise Http404("No such doctor.") from None


def _book_url(doctor, day: dt.date | None = None) -> str:
    url = reverse("portal:book_doctor", kwargs={"doctor_id": doctor.pk})
    return f"{url}?{urlencode({'date': day.isoformat()})}" if day else url


@patient_required
def book(request):
    form = DoctorFilterForm(request.GET or None, specialties=doctor_specialties())
    specialty = search = None
    if form.is_valid():
        specialty = form.cleaned_data["specialty"] or None
        search = form.cleaned_data["q"].strip() or None
    doctors = doctor_list(specialty=specialty, search=search)
    return render(request, "portal/booking/choose_doctor.html", {"form": form, "doctors": doctors})


def _dates_page(doctor, start: dt.date | None):
    """Free dates of one page of the picker, its first day and the neighbouring pages' starts."""
    first, last = booking_window()
    start = min(max(start or first, first), last)
    end = min(start + dt.timedelta(days=DAYS_PER_PAGE - 1), last)
    free = doctor_free_slots_between(doctor=doctor, first=start, last=end)
    previous = start - dt.timedelta(days=DAYS_PER_PAGE) if start > first else None
    following = end + dt.timedelta(days=1) if end < last else None
    return free, start, max(previous, first) if previous else None, following


def render_picker(request, *, doctor, page: str, picker_url: str, confirm_url: str, extra=None):
    """The date and time picker of `doctor`, as a whole `page` or, for htmx, the fragment.

    Links work without JS; with htmx only the picker is swapped (same URL). Booking
    and moving a visit share it: `picker_url` pages the dates, `confirm_url` gets
    the picked slot.
    """
    day_form = DayForm(request.GET)
    day = start = None
    if day_form.is_valid():
        day, start = day_form.cleaned_data["date"], day_form.cleaned_data["start"]
    free_days, page_start, previous, following = _dates_page(doctor, start or day)
    context = {
        "doctor": doctor,
        "free_days": free_days,
        "page_start": page_start,
        "previous_start": previous,
        "next_start": following,
        "day": day,
        "slots": doctor_free_slots(doctor=doctor, day=day) if day else [],
        "picker_url": picker_url,
        "confirm_url": confirm_url,
        **(extra or {}),
    }
    template = "portal/booking/_picker.html" if request.headers.get("HX-Request") else page
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # the fragment and the page share a URL
    return response


@patient_required
def book_doctor(request, doctor_id: int):
    """A page of free dates and, once a date is picked, its free times."""
    doctor = _doctor_or_404(doctor_id)
    return render_picker(
        request,
        doctor=doctor,
        page="portal/booking/doctor.html",
        picker_url=reverse("portal:book_doctor", kwargs={"doctor_id": doctor.pk}),
        confirm_url=reverse("portal:book_confirm", kwargs={"doctor_id": doctor.pk}),
    )


@patient_required
def book_confirm(request, doctor_id: int):
    """GET shows what will be booked; POST books it through appointment_book."""
    doctor = _doctor_or_404(doctor_id)
    data = request.POST if request.method == "POST" else request.GET
    form = SlotForm(data)
    if not form.is_valid():
        messages.error(request, "Please pick a date and a free time.")
        day = form.cleaned_data.get("date")
        return redirect(_book_url(doctor, day))
    day, start = form.cleaned_data["date"], form.cleaned_data["time"]
    reason = form.cleaned_data["reason"]
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            appointment = appointment_book(
                patient=request.patient,
                doctor=doctor,
                day=day,
                start=start,
                reason=reason,
                actor=request.user,
            )
        except (Conflict, InvalidInput) as exc:
            # Taken meanwhile, already started, or a clash with the patient's own
            # booking: say so and show the date's fresh slots.
            messages.error(request, user_message(exc))
            return redirect(_book_url(doctor, day))
        messages.success(
            request,
            f"Booked: {doctor.name} on {date_format(appointment.date, 'l j F Y')} at "
            f"{appointment.slot_label} (token {appointment.slot_number}).",
        )
        detail = reverse("portal:appointment_detail", kwargs={"appointment_id": appointment.pk})
        return redirect(f"{detail}?booked=1")
    context = {
        "doctor": doctor,
        "day": day,
        "start": start,
        "reason": reason,
        "form": form,
        "starts_at": clock.combine(day, start),
    }
    return render(request, "portal/booking/confirm.html", context)
