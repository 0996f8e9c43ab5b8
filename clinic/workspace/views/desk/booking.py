"""Booking at the desk: a caller picks from the free slots; a walk-in is registered
(and booked, and checked in) in one form, all or nothing."""

from django.contrib import messages
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format

from clinic.appointments.models import Status
from clinic.appointments.services import appointment_book, appointment_change_status
from clinic.core import clock
from clinic.core.errors import ApplicationError, InvalidInput, NotFound, SlotUnavailable
from clinic.doctors.selectors import doctor_get
from clinic.patients.models import Patient
from clinic.patients.services import patient_create_record
from clinic.portal.errors import form_add_error, user_message
from clinic.workspace.decorators import staff_view
from clinic.workspace.views.desk.forms import BookForm, FreeSlotsForm, WalkInForm, slot_value
from clinic.workspace.views.desk.slots import free_slots

BOOK = ("patients.view_patient", "appointments.add_appointment")
WALK_IN = ("patients.add_patient", "appointments.add_appointment")


def booked_message(appointment) -> str:
    return (
        f"Booked {appointment.patient.name} with {appointment.doctor.name} on "
        f"{date_format(appointment.date, 'l j F Y')} at {appointment.slot_label}: "
        f"token {appointment.slot_number}."
    )


def picker_context(request, *, initial_doctor=None, initial_date=None) -> dict:
    """The doctor-and-date form and the free slots it picks (booking and moving share it).
    After a refused POST it shows the posted doctor's and date's fresh slots."""
    data = request.GET
    if request.method == "POST":
        data = QueryDict(mutable=True)
        data.update({k: request.POST.get(k, "") for k in ("doctor", "date")})
    form = FreeSlotsForm(data, initial_doctor=initial_doctor, initial_date=initial_date)
    day, groups = None, []
    if form.is_valid():
        day = form.cleaned_data["date"]
        groups = [
            {"doctor": doctor, "choices": [(slot_value(doctor.pk, at), clock.slot_label(at))
                                           for at in times]}
            for doctor, times in free_slots(doctor=form.cleaned_data["doctor"], day=day)
        ]
    return {"picker": form, "day": day, "slot_groups": groups}


def taken_message(*, doctor, day, start) -> str:
    """The slot went while the page was open (or was never free): say what, not when."""
    return (
        f"The {clock.slot_label(start)} slot with {doctor.name} on "
        f"{date_format(day, 'j F Y')} is not free any more. Here are the free slots now."
    )


def book_slot(request, *, form, act):
    """Run `act(doctor, day, start, reason)` for the picked slot: (result, None) or
    (None, status) with the reason in a message."""
    day = form.cleaned_data["date"]
    doctor_id, start = form.cleaned_data["slot"]
    try:
        doctor = doctor_get(doctor_id=doctor_id)
        return act(doctor, day, start, form.cleaned_data.get("reason", "")), None
    except SlotUnavailable:
        messages.error(request, taken_message(doctor=doctor, day=day, start=start))
        return None, 409
    except NotFound as exc:
        messages.error(request, user_message(exc))
        return None, 404
    except ApplicationError as exc:
        messages.error(request, user_message(exc))
        return None, 409 if not isinstance(exc, InvalidInput) else 400


@staff_view(*BOOK)
def book(request, patient_id: int):
    """Book for a caller: pick a doctor (or anyone) and a date, then one of the free slots."""
    patient = get_object_or_404(Patient, pk=patient_id)
    status = 200
    if request.method == "POST":
        form = BookForm(request.POST)
        if form.is_valid():

            def act(doctor, day, start, reason):
                return appointment_book(
                    patient=patient, doctor=doctor, day=day, start=start, reason=reason,
                    actor=request.user,
                )

            appointment, status = book_slot(request, form=form, act=act)
            if appointment is not None:
                messages.success(request, booked_message(appointment))
                url = reverse("workspace:desk_patient", args=[patient.pk])
                return redirect(f"{url}?booked={appointment.pk}")
        else:
            messages.error(request, "Pick one of the free slots.")
            status = 400
    context = {"patient": patient, **picker_context(request)}
    return render(request, "workspace/desk/book.html", context, status=status)


def _walk_in(request, form):
    """Register, book and check in inside one transaction: any refusal undoes it all."""
    data = form.cleaned_data
    with transaction.atomic():
        patient = patient_create_record(
            actor=request.user,
            given_name=data["given_name"],
            family_name=data["family_name"],
            gender=data["gender"],
            dob=data["dob"],
            phone=data["phone"],
            email=data["email"],
            address=data["address"],
        )
        appointment = None
        if data["slot"]:
            doctor_id, start = data["slot"]
            doctor = doctor_get(doctor_id=doctor_id)
            try:
                appointment = appointment_book(
                    patient=patient, doctor=doctor, day=clock.today(), start=start,
                    reason=data["reason"], actor=request.user,
                )
            except SlotUnavailable:
                raise SlotUnavailable(
                    taken_message(doctor=doctor, day=clock.today(), start=start)
                ) from None
            if data["arrived"]:
                appointment_change_status(
                    appointment=appointment, status=Status.ARRIVED, actor=request.user
                )
    return patient, appointment


@staff_view(*WALK_IN)
def walk_in(request):
    """A new patient without a login, and optionally a free slot today and check-in."""
    slots = free_slots(doctor=None, day=clock.today())
    form = WalkInForm(request.POST or None, slots=slots)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if form.cleaned_data["arrived"] and not form.cleaned_data["slot"]:
                form.add_error("slot", "Pick a slot to check the patient in.")
            else:
                try:
                    patient, appointment = _walk_in(request, form)
                except InvalidInput as exc:
                    form_add_error(form, exc)
                except ApplicationError as exc:
                    form.add_error(None, user_message(exc))
                    status = 409
                else:
                    url = reverse("workspace:desk_patient", args=[patient.pk])
                    if appointment is None:
                        registered = f"Registered {patient.name} ({patient.record_number})."
                        messages.success(request, registered)
                        return redirect(url)
                    messages.success(request, booked_message(appointment))
                    return redirect(f"{url}?booked={appointment.pk}")
            # The slots may have gone meanwhile: offer the ones free now.
            form.set_slots(free_slots(doctor=None, day=clock.today()))
    return render(request, "workspace/desk/walk_in.html", {"form": form}, status=status)
