"""The clinic's staff roles and what each may do (docs/roles.md has the table).

A role is a Django group holding model permissions; migrations create the groups
(clinic/staff/migrations). This module is the table the code reads; a test checks
that the groups in the database, the table here and docs/roles.md agree, so a
change to a role needs a migration and a line in the docs.

Nobody holds a delete permission: clinical records are never deleted.
"""

from django.db import models


class Role(models.TextChoices):
    """The value names the role in code and forms; the label is the group's name."""

    FRONT_DESK = "front_desk", "Front desk"
    DOCTOR = "doctor", "Doctor"
    LAB = "lab", "Lab"
    MANAGER = "manager", "Manager"


_SCHEDULES_VIEW = {
    "doctors.view_doctor",
    "doctors.view_location",
    "doctors.view_weeklyschedule",
    "doctors.view_timeoff",
    "appointments.view_visittype",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Appointments and contact details; no clinical notes, no lab results.
    Role.FRONT_DESK: frozenset(
        _SCHEDULES_VIEW
        | {
            "patients.view_patient",
            "patients.add_patient",
            "patients.change_patient",
            "appointments.view_appointment",
            "appointments.add_appointment",
            "appointments.change_appointment",
            "appointments.change_visit_state",
        }
    ),
    # The full record of the patients they see (clinic.staff.access scopes it).
    Role.DOCTOR: frozenset(
        _SCHEDULES_VIEW
        | {
            "patients.view_patient",
            "patients.change_patient",
            "appointments.view_appointment",
            "appointments.change_visit_state",
            "records.view_consultation",
            "records.add_consultation",
            "records.change_consultation",
            "records.view_consultation_notes",
            "records.view_prescriptionline",
            "records.add_prescriptionline",
            "records.change_prescriptionline",
            "labs.view_labreport",
            "labs.add_labreport",
            "labs.release_labreport",
            "audit.view_recordaccess",
        }
    ),
    # The queue of ordered tests and their results; who the patient is, nothing more.
    Role.LAB: frozenset(
        {
            "patients.view_patient",
            "doctors.view_doctor",
            "labs.view_labreport",
            "labs.change_labreport",
        }
    ),
    # Everything staff can read, plus staff, schedules, visit types, sites and reports.
    Role.MANAGER: frozenset(
        _SCHEDULES_VIEW
        | {
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "doctors.add_doctor",
            "doctors.change_doctor",
            "doctors.add_location",
            "doctors.change_location",
            "doctors.add_weeklyschedule",
            "doctors.change_weeklyschedule",
            "doctors.add_timeoff",
            "doctors.change_timeoff",
            "appointments.add_visittype",
            "appointments.change_visittype",
            "appointments.view_appointment",
            "appointments.add_appointment",
            "appointments.change_appointment",
            "appointments.change_visit_state",
            "appointments.view_visit_reports",
            "patients.view_patient",
            "patients.add_patient",
            "patients.change_patient",
            "records.view_consultation",
            "records.view_consultation_notes",
            "records.view_all_records",
            "records.view_prescriptionline",
            "labs.view_labreport",
            "audit.view_recordaccess",
        }
    ),
}


def role_group_name(role: str) -> str:
    return Role(role).label


def role_of_group(name: str) -> str | None:
    """The role whose group is called `name`, or None."""
    return next((role.value for role in Role if role.label == name), None)
