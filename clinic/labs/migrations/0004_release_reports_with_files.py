# The data step of the lab workflow, apart from the schema change (PostgreSQL does not
# build the new indexes of a table in the transaction that wrote its rows).

from django.db import migrations
from django.utils import timezone


def release_reports_with_files(apps, schema_editor):
    """Before reviews, a report reached the patient once it had a file: every report with a
    file becomes released (dated when it was last changed; no reviewing doctor is known),
    every other one is still ordered. Each change starts a history row."""
    LabReport = apps.get_model("labs", "LabReport")
    HistoricalLabReport = apps.get_model("labs", "HistoricalLabReport")
    copied = [
        f.attname for f in HistoricalLabReport._meta.concrete_fields
        if not f.name.startswith("history_")
    ]
    now = timezone.now()
    for report in LabReport.objects.order_by("pk").iterator(chunk_size=500):
        if report.file:
            report.status, report.released_at = "released", report.updated_at
            report.resulted_at = report.updated_at
        else:
            report.status = "ordered"
        report.save(update_fields=["status", "released_at", "resulted_at"])
        HistoricalLabReport.objects.create(
            **{attname: getattr(report, attname) for attname in copied},
            history_date=now,
            history_type="~",
            history_change_reason="migrated to the review workflow",
        )




class Migration(migrations.Migration):

    dependencies = [
        ('labs', '0003_lab_workflow'),
    ]

    operations = [
        migrations.RunPython(release_reports_with_files, migrations.RunPython.noop),
    ]
