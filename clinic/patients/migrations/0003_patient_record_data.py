"""Carry the old rows into the record shape.

Names and email move from the login to the record, every patient gets the
record number of its primary key, and phones (ten national digits, perhaps in
full-width or other scripts) become E.164 of the clinic's region. A number that
is not valid there keeps its digits behind the country code, so nothing is
lost. Where two records had verified one number, the first keeps the mark.
Self-contained on purpose: it must not change when the app's code does.
"""

import unicodedata

import phonenumbers
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Cast

BATCH = 500


def _region() -> str:
    return getattr(settings, "PHONE_REGION", None) or "IN"


def _e164(raw: str | None) -> str:
    text = unicodedata.normalize("NFKC", (raw or "").strip())
    text = "".join(
        str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch for ch in text
    )
    if not text:
        return ""
    region = _region()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    return f"+{phonenumbers.country_code_for_region(region)}{digits}" if digits else ""


def forward(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    rows = (
        Patient.objects.select_related("user")
        .annotate(old_phone=Cast("phone", models.CharField(max_length=128)))
        .order_by("pk")
    )
    batch = []
    for patient in rows.iterator(chunk_size=BATCH):
        user = patient.user
        if user is not None:
            patient.given_name = user.first_name or ""
            patient.family_name = user.last_name or ""
            patient.email = (user.email or "").lower()
        patient.record_number = f"CMS-{patient.pk:06d}"
        patient.phone = _e164(patient.old_phone)
        batch.append(patient)
        if len(batch) >= BATCH:
            _save(Patient, batch)
            batch = []
    _save(Patient, batch)
    _one_verified_holder_per_number(Patient)


def _save(Patient, batch) -> None:
    Patient.objects.bulk_update(
        batch, ["given_name", "family_name", "email", "record_number", "phone"]
    )


def _one_verified_holder_per_number(Patient) -> None:
    seen = set()
    for pk, phone in (
        Patient.objects.filter(phone_verified=True).exclude(phone="")
        .annotate(text=Cast("phone", models.CharField(max_length=128)))
        .order_by("pk").values_list("pk", "text")
    ):
        if phone in seen:
            Patient.objects.filter(pk=pk).update(phone_verified=False)
        seen.add(phone)


def backward(apps, schema_editor):
    """Names back onto the logins and phones back to national digits (for a rollback)."""
    Patient = apps.get_model("patients", "Patient")
    table = schema_editor.quote_name(Patient._meta.db_table)
    column = schema_editor.quote_name("phone")
    for patient in Patient.objects.select_related("user").annotate(
        text=Cast("phone", models.CharField(max_length=128))
    ).iterator(chunk_size=BATCH):
        national = ""
        if patient.text:
            try:
                national = phonenumbers.national_significant_number(
                    phonenumbers.parse(patient.text, None)
                )
            except phonenumbers.NumberParseException:
                national = patient.text[-10:]
        # Raw SQL: the field would turn national digits back into E.164.
        schema_editor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s", [national[-10:], patient.pk]
        )
        if patient.user is not None:
            patient.user.first_name = patient.given_name
            patient.user.last_name = patient.family_name
            patient.user.save(update_fields=["first_name", "last_name"])


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0002_patient_record"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
