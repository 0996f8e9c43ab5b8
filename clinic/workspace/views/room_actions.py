"""The doctor's room actions on a visit: start the consultation, write notes, diagnosis and
prescription lines, mark them entered in error, order a lab test, complete the visit,
download the prescription. Each goes through its domain service (clinic.records,
clinic.labs, clinic.appointments); a refusal re-renders the visit with the reason:
400 bad input, 409 a state that does not allow it.

Only the visit's own doctor writes (views.room.may_write); the manager reads.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from clinic.appointments.models import Status
from clinic.appointments.services import appointment_change_status
from clinic.core.errors import ApplicationError, Conflict, InvalidInput, NotFound
from clinic.labs.services import lab_report_order
from clinic.records.downloads import prescription_url
from clinic.records.models import PrescriptionLine
from clinic.records.selectors import consultation_of
from clinic.records.services import (
    consultation_mark_entered_in_error,
    consultation_start,
    consultation_update,
    prescription_line_add,
    prescription_line_mark_entered_in_error,
)
from clinic.workspace.decorators import staff_refused, staff_view
from clinic.workspace.room_forms import (
    ConsultationForm,
    EnteredInErrorForm,
    LabOrderForm,
    PrescriptionLineForm,
)
from clinic.workspace.views.room import may_write, render_visit, visit_of

_STATUS = {InvalidInput: 400, NotFound: 404, Conflict: 409}


def _writable_visit(request, appointment_id: int):
    """(appointment, None) when the caller may write this visit, else (None, refusal)."""
    appointment, allowed = visit_of(request, appointment_id)
    if not (allowed and may_write(request, appointment)):
        return None, staff_refused(request)
    return appointment, None


def _back(appointment):
    return redirect(reverse("workspace:room_visit", args=[appointment.pk]))


def _refused(request, appointment, exc: ApplicationError, *, form=None, name=None):
    """The visit page again, with the service's reason on the form (or as a message)."""
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 403)
    if form is not None and isinstance(exc, InvalidInput) and exc.fields:
        for field, errors in exc.fields.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        messages.error(request, exc.message)
    appointment.refresh_from_db()
    return render_visit(request, appointment, status=status, forms={name: form} if form else {})


def _invalid(request, appointment, name: str, form):
    return render_visit(request, appointment, status=400, forms={name: form})


def _live_consultation(appointment):
    consultation = consultation_of(appointment=appointment)
    if consultation is None:
        raise Conflict("Start the consultation first.")
    return consultation


@require_POST
@staff_view("records.add_consultation")
def start(request, appointment_id: int):
    appointment, refusal = _writable_visit(request, appointment_id)
    if refusal:
        return refusal
    try:
        consultation_start(appointment=appointment, actor=request.user)
    except ApplicationError as exc:
        return _refused(request, appointment, exc)
    return _back(appointment)


@require_POST
@staff_view("records.change_consultation")
def consultation(request, appointment_id: int):
    appointment, refusal = _writable_visit(request, appointment_id)
    if refusal:
        return refusal
    form = ConsultationForm(request.POST)
    if not form.is_valid():
        return _invalid(request, appointment, "consultation", form)
    try:
        consultation_update(
            consultation=_live_consultation(appointment), actor=request.user, **form.cleaned_data
        )
    except ApplicationError as exc:
        return _refused(request, appointment, exc, form=form, name="consultation")
    messages.success(request, "Notes and diagnosis saved.")
    return _back(appointment)


@require_POST
@staff_view("records.add_prescriptionline")
def line_add(request, appointment_id: int):
    appointment, refusal = _writable_visit(request, appointment_id)
    if refusal:
        return refusal
    form = PrescriptionLineForm(request.POST)
    if not form.is_valid():
        return _invalid(request, appointment, "line", form)
    try:
        line = prescription_line_add(
            consultation=_live_consultation(appointment), actor=request.user, **form.cleaned_data
        )
    except ApplicationError as exc:
        return _refused(request, appointment, exc, form=form, name="line")
    messages.success(request, f"{line.medicine} added to the prescription.")
    return _back(appointment)


@require_POST
@staff_view("records.change_prescriptionline")
def line_error(request, appointment_id: int, line_id: int):
    appointment, refusal = _writable_visit(request, appointment_id)
    if refusal:
        return refusal
    line = get_object_or_404(
        PrescriptionLine, pk=line_id, consultation__appointment_id=appointment.pk
    )
    form = EnteredInErrorForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the line is in error.")
        return render_visit(request, appointment, status=400)
    try:
        prescription_line_mark_entered_in_error(
            line=line, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        return _refused(request, appointment, exc)
    messages.success(request, f"{line.medicine} marked entered in error.")
    return _back(appointment)


@require_POST
@staff_view("records.change_consultation")
def consultation_error(request, appointment_id: int):
    appointment, refusal = _writable_visit(request, appointment_id)
    if refusal:
        return refusal
    form = EnteredInErrorForm(request.POST)
    if not form.is_valid():
        return _invalid(request, appointment, "error", form)
    try:
        consultation_mark_entered_in_error(
            consultation=_live_consultation(appointment),
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        return _refused(request, appointment, exc, form=form, name="error")
    messages.success(request, "The consultation was marked entered in error.")
    return _back(appointment)


@require_POST
@staff_view("labs.add_labreport")
def lab_order(request, appointment_id: int):
    appointment, refusal = _writable_visit(request, appointment_id)
    if refusal:
        return refusal
    form = LabOrderForm(request.POST)
    if not form.is_valid():
        return _invalid(request, appointment, "lab", form)
    try:
        report = lab_report_order(
            patient=appointment.patient,
            doctor=appointment.doctor,
            test=form.cleaned_data["test"],
            actor=request.user,
        )
    except ApplicationError as exc:
        return _refused(request, appointment, exc, form=form, name="lab")
    messages.success(request, f"{report.test} ordered: it is in the lab's queue.")
    return _back(appointment)


@require_POST
@staff_view("appointments.change_visit_state")
def complete(request, appointment_id: int):
    appointment, refusal = _writable_visit(request, appointment_id)
    if refusal:
        return refusal
    try:
        appointment_change_status(
            appointment=appointment, status=Status.COMPLETED, actor=request.user
        )
    except ApplicationError as exc:
        return _refused(request, appointment, exc)
    messages.success(request, f"The visit of {appointment.patient.name} is completed.")
    return redirect(reverse("workspace:doctor_day"))


@require_GET
@staff_view("records.view_consultation_notes")
def prescription(request, appointment_id: int):
    """The visit's prescription PDF, through the records app's short-lived signed link."""
    appointment, allowed = visit_of(request, appointment_id)
    if not allowed:
        return staff_refused(request)
    consultation = consultation_of(appointment=appointment)
    if consultation is None:
        raise Http404("This visit has no consultation.")
    consultation.patient = appointment.patient
    url = prescription_url(consultation=consultation, user=request.user)
    return redirect(f"{url}?download=1")
