"""Who sees what under /fhir/.

- The clinic's directory (Practitioner, PractitionerRole, Location, Schedule,
  Slot) is open to every signed-in caller.
- A patient's data is open to that patient and to the logins that manage their
  record (the family rule of clinic.patients.selectors): their compartment.
  Anything outside it is a 404, exactly like something that does not exist.
- Staff read by the Django permissions of their roles (docs/roles.md), and only
  from a session that passed the second factor (clinic.staff.signin); a staff
  login without the type's permission gets a 403. Clinical content
  (`clinical=True`) is further scoped as in the workspace: a doctor without
  records.view_all_records sees only the patients they see
  (clinic.staff.access.patients_seen_by).
"""

from django.db.models import QuerySet

from clinic.core.errors import Forbidden
from clinic.patients.selectors import patient_ids_managed_by
from clinic.staff.signin import is_verified_staff


def is_staff_caller(request) -> bool:
    return is_verified_staff(request.user)


def managed_patient_ids(request) -> frozenset[int]:
    """The patients a non-staff caller may read: their own record and their dependants'."""
    return patient_ids_managed_by(user=request.user)


def scoped(
    request, queryset: QuerySet, *, perm: str, patient_field: str = "patient_id",
    clinical: bool = False,
) -> QuerySet:
    """`queryset` cut to the rows of patients the caller may read.

    `patient_field` names the patient's key on the rows ("pk" for Patient itself);
    `perm` is the Django permission a staff login needs for this type.
    """
    if is_staff_caller(request):
        user = request.user
        if not user.has_perm(perm):
            raise Forbidden("Your role may not read this type of resource.")
        if clinical and not user.has_perm("records.view_all_records"):
            from clinic.staff.access import patients_seen_by
            from clinic.staff.selectors import doctor_of

            doctor = doctor_of(user)
            if doctor is not None:
                seen = patients_seen_by(doctor_id=doctor.pk).values("pk")
                return queryset.filter(**{f"{patient_field}__in": seen})
        return queryset
    ids = managed_patient_ids(request)
    return queryset.filter(**{f"{patient_field}__in": ids}) if ids else queryset.none()


def may_act_for(request, patient_id: int, *, perm: str) -> bool:
    """Whether the caller may write for this patient (book, cancel): their own
    record or a dependant's, or a verified staff login with `perm`."""
    if is_staff_caller(request):
        return request.user.has_perm(perm)
    return patient_id in managed_patient_ids(request)
