"""Who at the clinic opened the patient's record, and when (clinic.audit)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from clinic.audit.selectors import record_accesses_by_clinic
from clinic.portal.decorators import patient_required

PAGE_SIZE = 50


@patient_required
def record_access(request):
    """Staff names and roles with the date and time: never their address or the page."""
    page = Paginator(record_accesses_by_clinic(patient_id=request.patient.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/profile/access.html", {"page": page})
