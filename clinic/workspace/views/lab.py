"""The lab's queue of ordered tests (who for, which test, ordered by whom, when), the
result upload, and a doctor's release of a result to the patient.

The lab sees the patient's name and record number and the test, nothing else of the
record. Uploads are checked and cleaned like the admin's (clinic.core.uploads via
DocumentFormField, then clinic.labs.services.lab_report_attach); a result reaches the
patient only when a doctor releases it (lab_report_release).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clinic.core.downloads import file_url
from clinic.core.errors import ApplicationError, Conflict, InvalidInput
from clinic.labs.models import LabReport, LabStatus
from clinic.labs.selectors import lab_queue
from clinic.labs.services import lab_report_attach, lab_report_release
from clinic.staff.access import staff_may_open_record
from clinic.workspace.decorators import staff_refused, staff_view
from clinic.workspace.lab_forms import LabResultForm

PAGE_SIZE = 50


def _queue_page(request, *, status: int = 200, forms: dict | None = None):
    page = Paginator(lab_queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    forms = forms or {}
    reports = list(page.object_list)
    may_attach = request.user.has_perm("labs.change_labreport")
    for report in reports:
        report.form = (forms.get(report.pk) or LabResultForm(report=report)) if may_attach else None
        report.link = file_url(report.file, user=request.user, filename=report.original_name)
    return render(
        request,
        "workspace/lab/queue.html",
        {"page": page, "reports": reports, "RESULTED": LabStatus.RESULTED},
        status=status,
    )


@staff_view("labs.view_labreport")
def queue(request):
    # The lab's page, which the manager (who reads everything) may see too; a doctor
    # reviews the results of their own orders in the room instead.
    user = request.user
    if not (user.has_perm("labs.change_labreport") or user.has_perm("records.view_all_records")):
        return staff_refused(request)
    return _queue_page(request)


@require_POST
@staff_view("labs.view_labreport", "labs.change_labreport")
def attach(request, report_id: int):
    report = get_object_or_404(LabReport, pk=report_id)
    form = LabResultForm(request.POST, request.FILES, report=report)
    if not form.is_valid():
        return _queue_page(request, status=400, forms={report.pk: form})
    try:
        lab_report_attach(report=report, upload=form.cleaned_data["file"], actor=request.user)
    except ApplicationError as exc:
        form.add_error("file", exc.message)
        code = 400 if isinstance(exc, InvalidInput) else 409 if isinstance(exc, Conflict) else 403
        return _queue_page(request, status=code, forms={report.pk: form})
    messages.success(
        request, f"The result of {report.test} is attached; it awaits a doctor's review."
    )
    return redirect(reverse("workspace:lab_queue"))


@require_POST
@staff_view("labs.view_labreport", "labs.release_labreport")
def release(request, report_id: int):
    """A doctor releases a reviewed result (only for a patient whose record they may open)."""
    report = get_object_or_404(LabReport.objects.select_related("patient"), pk=report_id)
    if not staff_may_open_record(user=request.user, patient_id=report.patient_id):
        return staff_refused(request)
    try:
        lab_report_release(report=report, actor=request.user)
    except ApplicationError as exc:
        return render(
            request,
            "workspace/lab/refused.html",
            {"message": exc.message, "back": _next(request)},
            status=409 if isinstance(exc, Conflict) else 403,
        )
    messages.success(request, f"{report.test} released to {report.patient.name}.")
    return redirect(_next(request))


def _next(request) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("workspace:doctor_day")
