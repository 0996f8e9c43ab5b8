"""The doctor's room: my day, and a visit opened from it (the patient's summary, allergies
and alerts first). Reads only; the writes are in room_actions.py.

Record scope (clinic.staff.access): a doctor opens the visits of patients they see; the
manager (view_all_records) any. Every opening of a visit is logged (clinic.audit).
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from clinic.appointments.models import Appointment, Status
from clinic.appointments.selectors import appointment_day_of_doctor, appointment_history_for
from clinic.audit.services import log_record_access
from clinic.core import clock
from clinic.core.downloads import file_url
from clinic.labs.models import LabStatus
from clinic.labs.selectors import lab_reports_of_patient, lab_reports_to_review
from clinic.patients.models import Patient
from clinic.records.models import Consultation
from clinic.records.selectors import consultation_list_for, prescription_lines_live
from clinic.staff.access import staff_may_open_record
from clinic.staff.selectors import doctor_of
from clinic.workspace.decorators import staff_refused, staff_view
from clinic.workspace.room_forms import visit_forms

# How much history the summary shows: enough for a consultation, bounded for the query.
PAST_CONSULTATIONS = 20
PAST_VISITS = 10
LAB_REPORTS = 30


@staff_view("appointments.view_appointment", "records.add_consultation")
def doctor_day(request):
    """Today's visits of the signed-in doctor in time order, and the results awaiting review."""
    doctor = doctor_of(request.user)
    if doctor is None:
        return render(request, "workspace/room/no_doctor.html", status=403)
    today = clock.today()
    return render(
        request,
        "workspace/room/day.html",
        {
            "doctor": doctor,
            "today": today,
            "appointments": list(appointment_day_of_doctor(doctor_id=doctor.pk, day=today)),
            "to_review": list(lab_reports_to_review(doctor_id=doctor.pk)[:LAB_REPORTS]),
        },
    )


def visit_of(request, appointment_id: int):
    """The visit `appointment_id` with patient, doctor and visit type, and whether the
    caller may open its patient's record (404 unknown, False out of scope)."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "doctor", "visit_type").exclude(
            status=Status.ENTERED_IN_ERROR
        ),
        pk=appointment_id,
    )
    return appointment, staff_may_open_record(
        user=request.user, patient_id=appointment.patient_id
    )


def may_write(request, appointment) -> bool:
    """Only the visit's own doctor writes its record."""
    doctor = doctor_of(request.user)
    return (
        doctor is not None
        and doctor.pk == appointment.doctor_id
        and request.user.has_perm("records.change_consultation")
    )


@staff_view("appointments.view_appointment", "records.view_consultation_notes")
def visit(request, appointment_id: int):
    appointment, allowed = visit_of(request, appointment_id)
    if not allowed:
        return staff_refused(request)
    return render_visit(request, appointment)


@staff_view("records.view_consultation_notes")
def patient_summary(request, patient_id: int):
    """A patient's summary outside a visit (e.g. to review a lab result)."""
    patient = get_object_or_404(Patient, pk=patient_id)
    if not staff_may_open_record(user=request.user, patient_id=patient.pk):
        return staff_refused(request)
    return render(
        request, "workspace/room/patient.html", summary_context(request, patient, current=None)
    )


def summary_context(request, patient, *, current) -> dict:
    """The patient's summary (past visits, consultations, lab reports) leaving out the
    visit `current` (an Appointment or None). Logs the read."""
    log_record_access(request=request, patients=patient, via="workspace")
    past = consultation_list_for(patient=patient)
    visits = appointment_history_for(patient=patient)
    if current is not None:
        past = past.exclude(appointment=current)
        visits = visits.exclude(pk=current.pk)
    reports = list(lab_reports_of_patient(patient_id=patient.pk)[:LAB_REPORTS])
    for report in reports:
        report.link = file_url(report.file, user=request.user, filename=report.original_name)
    doctor = doctor_of(request.user)
    return {
        "patient": patient,
        "past_consultations": list(past[:PAST_CONSULTATIONS]),
        "past_visits": list(visits[:PAST_VISITS]),
        "lab_reports": reports,
        "may_release": doctor is not None and request.user.has_perm("labs.release_labreport"),
        "RESULTED": LabStatus.RESULTED,
    }


def render_visit(request, appointment, *, status: int = 200, forms: dict | None = None):
    """The visit page: the patient's summary and this visit's consultation."""
    consultation = (
        Consultation.objects.live()
        .filter(appointment=appointment)
        .prefetch_related(Prefetch("lines", queryset=prescription_lines_live()))
        .first()
    )
    writable = may_write(request, appointment)
    context = {
        **summary_context(request, appointment.patient, current=appointment),
        "appointment": appointment,
        "consultation": consultation,
        "writable": writable,
        "can_start": writable
        and consultation is None
        and appointment.status in (Status.ARRIVED, Status.IN_CONSULTATION, Status.COMPLETED),
        "can_complete": writable
        and appointment.status in (Status.ARRIVED, Status.IN_CONSULTATION),
        **visit_forms(consultation, forms or {}),
    }
    return render(request, "workspace/room/visit.html", context, status=status)
