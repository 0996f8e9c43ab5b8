"""Calendars in the portal: one visit as an .ics download ("add to calendar"), and the
patient's private feed URL with a way to renew it. The iCalendar itself is made by
clinic.appointments.calendar, as for the emails and the API."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from clinic.appointments.calendar import (
    appointments_calendar,
    calendar_feed_renew,
    calendar_feed_token,
)
from clinic.portal.decorators import patient_required


@patient_required
def appointment_ics(request, appointment_id: int):
    """The patient's own visit as a calendar file; the same UID as in the feed and emails."""
    appointment = (
        request.patient.appointments.select_related("doctor").filter(pk=appointment_id).first()
    )
    if appointment is None:
        raise Http404("No such appointment.")
    response = HttpResponse(
        appointments_calendar([appointment]), content_type="text/calendar; charset=utf-8"
    )
    filename = f"appointment-{appointment.date:%Y-%m-%d}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@patient_required
def calendar_feed_page(request):
    """GET shows the feed URL (made on first use); POST renews it, ending the old one."""
    if request.method == "POST":
        calendar_feed_renew(patient=request.patient)
        messages.success(request, "Your calendar link is new; the old one no longer works.")
        return redirect("portal:calendar")
    token = calendar_feed_token(patient=request.patient)
    url = request.build_absolute_uri(reverse("calendar-feed", args=[token]))
    return render(request, "portal/profile/calendar.html", {"feed_url": url})
