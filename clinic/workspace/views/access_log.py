from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from clinic.audit.selectors import record_accesses_of
from clinic.patients.models import Patient
from clinic.staff.access import staff_may_open_record
from clinic.workspace.decorators import staff_refused, staff_view

PAGE_SIZE = 50


@staff_view("audit.view_recordaccess")
def access_log(request, patient_id: int):
    """Who opened this patient's record, when, from where and how (for the patients whose
    record the login may read: clinic.staff.access)."""
    patient = get_object_or_404(Patient.objects.only("pk", "given_name", "family_name",
                                                     "record_number", "user_id"), pk=patient_id)
    if not staff_may_open_record(user=request.user, patient_id=patient.pk):
        return staff_refused(request)
    page = Paginator(record_accesses_of(patient_id=patient.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "workspace/access_log.html", {"patient": patient, "page": page})
