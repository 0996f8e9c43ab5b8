from clinic.patients.models import Patient


def patient_for_user(*, user) -> Patient | None:
    """The patient profile of a user, with its user joined, or None for staff-only accounts."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Patient.objects.select_related("user").filter(user=user).first()
