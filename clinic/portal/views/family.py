"""The guardian's switcher: whose appointments, records and reports the portal shows."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clinic.core.errors import NotFound
from clinic.patients.selectors import patient_acting_for
from clinic.portal.decorators import ACTING_SESSION_KEY, patient_required


@require_POST
@patient_required
def acting_set(request):
    """Look at (and book for) another record the login manages; any other id is a 404."""
    wanted = request.POST.get("patient")
    try:
        if not wanted:
            raise NotFound("No patient picked.")
        patient = patient_acting_for(user=request.user, patient_id=wanted)
    except NotFound:
        raise Http404("No such patient.") from None
    request.session[ACTING_SESSION_KEY] = patient.pk
    messages.info(request, f"Now viewing: {patient.name}.")
    return redirect("portal:dashboard")
