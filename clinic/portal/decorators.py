"""Access rules of the portal's patient pages."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.functional import SimpleLazyObject

from clinic.core.errors import NotFound
from clinic.patients.selectors import (
    patient_acting_for,
    patient_for_user_with_family,
    patients_managed_by,
)

# The session key of the record a guardian is looking at (the "viewing" switcher).
ACTING_SESSION_KEY = "portal_acting_patient"


def patient_required(view):
    """Logged in with a patient record; the record being viewed is `request.patient`.

    That is the login's own record (`request.own_patient`) unless the switcher
    picked one of its dependants; a dependant the login no longer manages falls
    back to its own. `request.family` lists every record the login manages.
    Anonymous visitors go to the login page. A logged-in account without a
    patient record (clinic staff) gets the 403 page: the portal is for patients.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        own = patient_for_user_with_family(user=request.user)
        if own is None:
            raise PermissionDenied("The patient portal is for patients' accounts.")
        request.own_patient = request.patient = own
        request.family = []
        wanted = request.session.get(ACTING_SESSION_KEY)
        if wanted is not None and wanted != own.pk:
            try:
                if not own.has_dependants:
                    raise NotFound("No longer a guardian.")
                request.patient = patient_acting_for(user=request.user, patient_id=wanted)
            except NotFound:
                del request.session[ACTING_SESSION_KEY]
        if own.has_dependants:  # only a guardian's pages pay for the switcher's list
            request.family = SimpleLazyObject(
                lambda: list(patients_managed_by(user=request.user).order_by("pk"))
            )
        return view(request, *args, **kwargs)

    return wrapper
