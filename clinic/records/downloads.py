"""Short-lived signed links to a consultation's prescription PDF.

The PDF is rendered on each request from the consultation's current lines, so
nothing is stored. The link names the consultation and the account it was
issued to, and is signed with the same scheme as clinic.core.downloads.
"""

from django.core import signing
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from clinic.core.downloads import PRIVATE_HEADERS, LinkRefused, file_csp, link_to, read_link
from clinic.core.errors import Forbidden
from clinic.patients.models import Patient
from clinic.patients.selectors import patient_is_managed_by
from clinic.records.models import Consultation
from clinic.records.prescriptions import prescription_pdf
from clinic.records.selectors import prescription_lines_live

_SALT = "cms.records.prescription"


def may_read(*, user, consultation: Consultation) -> bool:
    """Owner patient or staff only."""
    return _may_read(user=user, patient=consultation.patient)


def _may_read(*, user, patient: Patient) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    # The family rule: the patient's own login or a guardian's (patients.selectors).
    return user.is_staff or patient_is_managed_by(patient=patient, user=user)


def prescription_url(*, consultation: Consultation, user, request=None) -> str:
    """A URL from which `user` (the owner patient or staff) gets the PDF for a few minutes."""
    return prescription_url_for(
        consultation_id=consultation.pk, patient=consultation.patient, user=user, request=request
    )


def prescription_url_for(*, consultation_id: int, patient: Patient, user, request=None) -> str:
    """prescription_url for a consultation known by its id and its patient, e.g. a values() row.

    `patient` must be the consultation's own patient: it decides who may have the link.
    """
    if not _may_read(user=user, patient=patient):
        raise Forbidden("This prescription belongs to another patient.")
    token = signing.dumps({"c": consultation_id, "u": user.pk}, salt=_SALT, compress=True)
    return link_to("records:prescription", token, request=request)


def filename_for(consultation: Consultation) -> str:
    return f"prescription-{consultation.date:%Y-%m-%d}.pdf"


@require_GET
def prescription(request, token: str):
    try:
        data, issued_to = read_link(request, token, salt=_SALT)
    except LinkRefused as refused:
        return refused.response
    consultation = (
        Consultation.objects.live()
        .select_related("patient__user", "doctor")
        .prefetch_related(Prefetch("lines", queryset=prescription_lines_live()))
        .filter(pk=data["c"])
        .first()
    )
    if consultation is None:
        raise Http404("No such prescription.")
    # The account the link was issued to must still be allowed to read it.
    if not may_read(user=issued_to, consultation=consultation):
        return HttpResponseForbidden("This prescription belongs to another patient.")
    response = HttpResponse(
        prescription_pdf(consultation=consultation), content_type="application/pdf"
    )
    as_attachment = request.GET.get("download") == "1"
    response["Content-Disposition"] = content_disposition_header(
        as_attachment, filename_for(consultation)
    )
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    response["Content-Security-Policy"] = file_csp("application/pdf", attachment=as_attachment)
    return response
