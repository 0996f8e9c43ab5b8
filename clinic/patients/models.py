import datetime as dt

import phonenumbers
from django.conf import settings
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from clinic.core import clock
from clinic.core.files import patient_picture_key
from clinic.core.models import BaseModel
from clinic.core.uploads import PictureField
from clinic.core.validators import validate_not_future

RECORD_PREFIX = "CMS-"


class Gender(models.TextChoices):
    MALE = "Male"
    FEMALE = "Female"
    OTHER = "Other"


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def record_number_for(pk: int) -> str:
    """The clinic record number of the patient with primary key `pk` (`CMS-000123`)."""
    return f"{RECORD_PREFIX}{pk:06d}"


class PatientQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # update() sends no signal: the logins of the rows it changes must forget
        # their cached API tokens, which hold the profile (clinic.accounts.token_cache).
        from clinic.accounts.token_cache import api_tokens_forget

        user_ids = list(self.exclude(user=None).values_list("user_id", flat=True))
        rows = super().update(**kwargs)
        new_user = kwargs.get("user_id", getattr(kwargs.get("user"), "pk", None))
        api_tokens_forget(user_ids=[*user_ids, new_user])
        return rows


class Patient(BaseModel):
    """A clinical record. A portal login is optional: a walk-in or a child has none."""

    # Derived from the primary key right after the insert, so two registrations at
    # once can never draw the same number (the key is the database's to hand out).
    record_number = models.CharField(
        max_length=16, unique=True, null=True, blank=True, editable=False
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
        help_text="The portal login of this patient, if they have one.",
    )
    given_name = models.CharField(max_length=150)
    family_name = models.CharField(max_length=150, blank=True)
    gender = models.CharField("sex", max_length=6, choices=Gender.choices)
    dob = models.DateField("date of birth", validators=[validate_not_future])
    address = models.TextField(blank=True)
    phone = PhoneNumberField(blank=True, db_index=True)
    email = models.EmailField(
        blank=True, help_text="Contact address; a patient with a login uses the login's."
    )
    allergies = models.TextField(blank=True, help_text="Shown first to doctors.")
    alerts = models.TextField(blank=True, help_text="Shown first to doctors.")
    guardians = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="dependants",
        help_text="Logins that manage this patient (a parent, a carer).",
    )
    profile_pic = PictureField(upload_to=patient_picture_key, blank=True)
    email_verified = models.BooleanField(default=False)
    phone_verified = models.BooleanField(default=False)
    sms_opt_out = models.BooleanField(
        "no SMS", default=False, help_text="The patient asked for no SMS notifications."
    )
    # Every change, with who and when; guardians (many-to-many) are not in it.
    history = HistoricalRecords()

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["given_name", "family_name"]
        constraints = [
            # A number is verified by one patient at most: that patient owns it for
            # SMS password resets, whoever else types it in later.
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(phone_verified=True) & ~Q(phone=""),
                name="patients_verified_phone_unique",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.record_number})"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The login it was loaded with: a save that moves the record to another login
        # makes that login forget its cached API tokens too (clinic.accounts.token_cache).
        instance._loaded_user_id = instance.__dict__.get("user_id")
        return instance

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.record_number:
            self.record_number = record_number_for(self.pk)
            type(self)._default_manager.filter(pk=self.pk).update(record_number=self.record_number)
            # The insert's history row was written before the number existed.
            self.history.filter(history_type="+").update(record_number=self.record_number)

    @property
    def name(self) -> str:
        full = f"{self.given_name} {self.family_name}".strip()
        if full:
            return full
        return self.user.username if self.user_id else (self.record_number or "")

    @property
    def age(self) -> int:
        return age_on(self.dob, clock.today())

    @property
    def phone_national(self) -> str:
        """The phone as the seed API spells it: national digits (10 for India), or ""."""
        if not self.phone:
            return ""
        if not self.phone.national_number:
            # Not a valid number (an old row, kept as it came): the digits after the code.
            raw = self.phone.raw_input or ""
            home = f"+{phonenumbers.country_code_for_region(settings.PHONE_REGION)}"
            return raw.removeprefix(home)
        return phonenumbers.national_significant_number(self.phone)

    @property
    def contact_email(self) -> str:
        """Where email reaches the patient: the login's address, else the record's."""
        if self.user_id:
            return self.user.email or ""
        return self.email
