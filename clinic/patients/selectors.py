from clinic.patients.models import Patient


def patient_for_user(*, user) -> Patient | None:
    """The user's patient profile (its `.user` is `user`), or None for staff-only accounts."""
    if not getattr(user, "is_authenticated", False):
        return None
    # The reverse one-to-one: already loaded when the API's token authentication joined
    # it, else one query without the default ordering's join on the user's names.
    try:
        return user.patient
    except Patient.DoesNotExist:
        return None
