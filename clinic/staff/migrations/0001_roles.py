"""The staff roles as groups with their permissions (clinic/staff/roles.py, docs/roles.md).

The table is frozen here: a later change to a role is a new migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Front desk": [
        "appointments.add_appointment",
        "appointments.change_appointment",
        "appointments.change_visit_state",
        "appointments.view_appointment",
        "appointments.view_visittype",
        "doctors.view_doctor",
        "doctors.view_location",
        "doctors.view_timeoff",
        "doctors.view_weeklyschedule",
        "patients.add_patient",
        "patients.change_patient",
        "patients.view_patient",
    ],
    "Doctor": [
        "appointments.change_visit_state",
        "appointments.view_appointment",
        "appointments.view_visittype",
        "audit.view_recordaccess",
        "doctors.view_doctor",
        "doctors.view_location",
        "doctors.view_timeoff",
        "doctors.view_weeklyschedule",
        "labs.add_labreport",
        "labs.release_labreport",
        "labs.view_labreport",
        "patients.change_patient",
        "patients.view_patient",
        "records.add_consultation",
        "records.add_prescriptionline",
        "records.change_consultation",
        "records.change_prescriptionline",
        "records.view_consultation",
        "records.view_consultation_notes",
        "records.view_prescriptionline",
    ],
    "Lab": [
        "doctors.view_doctor",
        "labs.change_labreport",
        "labs.view_labreport",
        "patients.view_patient",
    ],
    "Manager": [
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "appointments.add_appointment",
        "appointments.add_visittype",
        "appointments.change_appointment",
        "appointments.change_visit_state",
        "appointments.change_visittype",
        "appointments.view_appointment",
        "appointments.view_visit_reports",
        "appointments.view_visittype",
        "audit.view_recordaccess",
        "doctors.add_doctor",
        "doctors.add_location",
        "doctors.add_timeoff",
        "doctors.add_weeklyschedule",
        "doctors.change_doctor",
        "doctors.change_location",
        "doctors.change_timeoff",
        "doctors.change_weeklyschedule",
        "doctors.view_doctor",
        "doctors.view_location",
        "doctors.view_timeoff",
        "doctors.view_weeklyschedule",
        "labs.view_labreport",
        "patients.add_patient",
        "patients.change_patient",
        "patients.view_patient",
        "records.view_all_records",
        "records.view_consultation",
        "records.view_consultation_notes",
        "records.view_prescriptionline",
    ],
}


def _permissions(apps):
    """Model permissions are made after migrate; the groups need them now."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    _permissions(apps)
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0003_knox_tokens"),
        ("appointments", "0005_role_permissions"),
        ("audit", "0001_initial"),
        ("doctors", "0003_history"),
        ("labs", "0006_role_permissions"),
        ("patients", "0005_historicalpatient"),
        ("records", "0004_role_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
