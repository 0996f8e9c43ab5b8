"""Pages anyone may see: the clinic's home page and its doctors."""

import datetime as dt

from django.http import Http404
from django.shortcuts import render

from clinic.core import clock
from clinic.core.errors import NotFound
from clinic.doctors.selectors import (
    doctor_free_slots_between,
    doctor_get,
    doctor_list,
    doctor_specialties,
    location_opening_hours,
)
from clinic.portal.forms import DoctorFilterForm

# How far ahead a doctor's page previews the next free days.
PREVIEW_DAYS = 14


def home(request):
    context = {"doctors": doctor_list(), "sites": location_opening_hours()}
    return render(request, "portal/home.html", context)


def doctors(request):
    form = DoctorFilterForm(request.GET or None, specialties=doctor_specialties())
    specialty = search = None
    if form.is_valid():
        specialty = form.cleaned_data["specialty"] or None
        search = form.cleaned_data["q"].strip() or None
    context = {
        "form": form,
        "doctors": doctor_list(specialty=specialty, search=search),
        "filtered": bool(specialty or search),
    }
    return render(request, "portal/doctors/list.html", context)


def doctor(request, doctor_id: int):
    try:
        found = doctor_get(doctor_id=doctor_id)
    except NotFound:
        raise Http404("No such doctor.") from None
    first = clock.today()
    free_days = doctor_free_slots_between(
        doctor=found, first=first, last=first + dt.timedelta(days=PREVIEW_DAYS)
    )
    return render(
        request, "portal/doctors/detail.html", {"doctor": found, "free_days": free_days}
    )
