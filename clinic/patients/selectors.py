from clinic.patients.models import Patient


def patient_for_user(*, user) -> Patient | None:
    """The patient profile of a user, with its user joined, or None for staff-only accounts."""
    if not getattr(user, "is_authenticated", False):
        return None
    # get() drops Patient's default ordering (by the user's names): .first() would sort
    # the one row by a join, compiled on every API request (bench/: ~0.3 ms a request).
    try:
        return Patient.objects.select_related("user").get(user=user)
    except Patient.DoesNotExist:
        return None
