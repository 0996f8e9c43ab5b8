from django.db import transaction

from clinic.core.audit import audit_log
from clinic.core.errors import NotFound
from clinic.core.files import delete_after_commit, store
from clinic.core.uploads import clean_document, display_name
from clinic.labs import notifications
from clinic.labs.models import LabReport, LabStatus
from clinic.notifications.events import event_emit


def lab_report_attach(*, report: LabReport, upload, actor) -> LabReport:
    """Store a checked copy of `upload` as the report's file and mark it generated.

    The file is written under a random key before the transaction; any previous
    file is removed after commit, and the patient is told the report is ready.
    """
    content = clean_document(upload)
    original_name = display_name(
        upload, max_length=LabReport._meta.get_field("original_name").max_length
    )
    new_name = store(report, "file", content)
    storage = report.file.storage
    try:
        with transaction.atomic():
            locked = LabReport.objects.select_for_update().filter(pk=report.pk).first()
            if locked is None:
                raise NotFound("No such lab report.")
            old_name = locked.file.name
            locked.file.name = new_name
            locked.original_name = original_name
            locked.status = LabStatus.GENERATED
            locked.save(update_fields=["file", "original_name", "status", "updated_at"])
            audit_log(
                actor=actor, action="lab_report.attached", obj=locked, replaced=bool(old_name)
            )
            delete_after_commit(storage, old_name)
            event_emit(name=notifications.REPORT_READY, object_id=locked.pk)
    except BaseException:
        storage.delete(new_name)
        raise
    report.file.name = new_name
    report.original_name = original_name
    report.status = LabStatus.GENERATED
    report.updated_at = locked.updated_at
    return report


@transaction.atomic
def lab_report_delete(*, report: LabReport, actor) -> None:
    """Delete the report; its file is removed once the delete commits.

    The file removal is the post_delete hook of clinic.core.files, so a model,
    queryset or admin delete removes the file too; this service adds the audit.
    """
    audit_log(
        actor=actor,
        action="lab_report.deleted",
        obj=report,
        patient_id=report.patient_id,
        test=report.test,
        had_file=bool(report.file),
    )
    # Deleting through a fresh instance removes the file it holds now, not a stale one.
    locked = LabReport.objects.select_for_update().filter(pk=report.pk).first()
    if locked is not None:
        locked.delete()
