"""Access rules of the portal's patient pages."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from clinic.patients.selectors import patient_for_user


def patient_required(view):
    """Logged in with a patient profile; the profile is `request.patient`.

    Anonymous visitors go to the login page. A logged-in account without a
    patient profile (clinic staff) gets the 403 page: the portal is for patients.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        patient = patient_for_user(user=request.user)
        if patient is None:
            raise PermissionDenied("The patient portal is for patients' accounts.")
        request.patient = patient
        return view(request, *args, **kwargs)

    return wrapper
