"""The clinical resources' rows: consultations, prescription lines, released lab reports.

Each selector takes `patient_ids` (an iterable or a query of Patient pks, or None
for every patient: staff who may read all records) and `entered_in_error`: whether
records entered in error are served, as FHIR's `entered-in-error` status. Patients
never get them (the portal and /cms-api/ hide them too); staff do, so a client that
copied a record learns it was withdrawn. Joins are fixed here, so a page of any
size costs the same number of queries.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from clinic.labs.models import LabReport, LabStatus
from clinic.records.models import Consultation, PrescriptionLine
from clinic.records.selectors import prescription_lines_live


def _scoped(queryset: QuerySet, field: str, patient_ids) -> QuerySet:
    return queryset if patient_ids is None else queryset.filter(**{f"{field}__in": patient_ids})


def encounters(*, patient_ids, entered_in_error: bool) -> QuerySet[Consultation]:
    """Consultations, newest first, with patient and doctor joined."""
    rows = Consultation.objects.all() if entered_in_error else Consultation.objects.live()
    return (
        _scoped(rows, "patient_id", patient_ids)
        .select_related("patient__user", "doctor")
        .order_by("-date", "-pk")
    )


def medication_requests(*, patient_ids, entered_in_error: bool) -> QuerySet[PrescriptionLine]:
    """Prescription lines, newest consultation first, in prescription order.

    Without `entered_in_error`, a line stands only if it and its consultation both do.
    """
    if entered_in_error:
        rows = PrescriptionLine.objects.all()
    else:
        rows = prescription_lines_live().filter(consultation__entered_in_error_at__isnull=True)
    return (
        _scoped(rows, "consultation__patient_id", patient_ids)
        .select_related("consultation__patient__user", "consultation__doctor")
        .order_by("-consultation__date", "-consultation_id", "position", "pk")
    )


def diagnostic_reports(*, patient_ids, entered_in_error: bool) -> QuerySet[LabReport]:
    """Released lab reports (a result a doctor reviewed), newest first.

    With `entered_in_error`, also the released ones later entered in error.
    """
    released = Q(status=LabStatus.RELEASED)
    if entered_in_error:
        released |= Q(status=LabStatus.ENTERED_IN_ERROR, released_at__isnull=False)
    rows = LabReport.objects.filter(released).exclude(file="")
    return (
        _scoped(rows, "patient_id", patient_ids)
        .select_related("patient__user", "doctor", "released_by")
        .order_by("-date", "-pk")
    )


def prescriptions(*, patient_ids, entered_in_error: bool) -> QuerySet[Consultation]:
    """Consultations that have a prescription: at least one line standing."""
    has_lines = Exists(prescription_lines_live().filter(consultation=OuterRef("pk")))
    return encounters(patient_ids=patient_ids, entered_in_error=entered_in_error).filter(has_lines)


def documents(
    *,
    lab_reports: QuerySet[LabReport],
    prescriptions: QuerySet[Consultation],
    offset: int = 0,
    count: int | None = None,
) -> tuple[list[LabReport | Consultation], int]:
    """A page of documents, newest first, and the total: released lab files
    (diagnostic_reports) and prescriptions (prescriptions), each already scoped.

    Two kinds of row: each is read up to the page's end and the two are merged, so a
    page costs four queries (two rows, two counts) however large the record.
    """
    end = None if count is None else offset + count
    rows = sorted(
        [*lab_reports[:end], *prescriptions[:end]],
        key=lambda row: (row.date, isinstance(row, LabReport), row.pk),
        reverse=True,
    )
    return rows[offset:end], lab_reports.count() + prescriptions.count()
