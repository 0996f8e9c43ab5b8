"""Past consultations with their prescriptions, and lab reports.

Files are reached through the patient's own lists: each link here looks the
record up among the patient's records (another patient's id is a 404) and then
redirects to a short-lived signed URL minted at the click, so a page left open
never holds an expired link.
"""

from django.http import Http404
from django.shortcuts import redirect, render

from clinic.core.downloads import file_url
from clinic.labs.selectors import lab_report_list_for, lab_report_released_for
from clinic.portal.decorators import patient_required
from clinic.records.downloads import prescription_url
from clinic.records.selectors import consultation_list_for


def _as_download(url: str) -> str:
    # Prescription links are always local signed URLs; ?download=1 asks for an attachment.
    return f"{url}?download=1"


@patient_required
def consultations(request):
    return render(
        request, "portal/records/consultations.html",
        {"consultations": consultation_list_for(patient=request.patient)},
    )


@patient_required
def prescription(request, consultation_id: int, mode: str):
    consultation = consultation_list_for(patient=request.patient).filter(pk=consultation_id).first()
    if consultation is None:
        raise Http404("No such consultation.")
    url = prescription_url(consultation=consultation, user=request.user)
    return redirect(_as_download(url) if mode == "download" else url)


@patient_required
def reports(request):
    return render(
        request, "portal/records/reports.html",
        {"reports": lab_report_list_for(patient=request.patient)},
    )


@patient_required
def report_file(request, report_id: int, mode: str):
    report = lab_report_released_for(patient=request.patient, report_id=report_id)
    if report is None:
        raise Http404("No such lab report.")
    url = file_url(
        report.file,
        user=request.user,
        filename=report.original_name or None,
        attachment=mode == "download",
    )
    return redirect(url)
