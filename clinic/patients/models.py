import datetime as dt

from django.conf import settings
from django.db import models

from clinic.core import clock
from clinic.core.files import patient_picture_key
from clinic.core.models import BaseModel
from clinic.core.validators import phone_validator, validate_not_future


class Gender(models.TextChoices):
    MALE = "Male"
    FEMALE = "Female"
    OTHER = "Other"


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Patient(BaseModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient"
    )
    gender = models.CharField(max_length=6, choices=Gender.choices)
    dob = models.DateField("date of birth", validators=[validate_not_future])
    address = models.TextField()
    phone = models.CharField(max_length=10, validators=[phone_validator], db_index=True)
    profile_pic = models.FileField(upload_to=patient_picture_key, blank=True)
    email_verified = models.BooleanField(default=False)
    phone_verified = models.BooleanField(default=False)
    sms_opt_out = models.BooleanField(
        "no SMS", default=False, help_text="The patient asked for no SMS notifications."
    )

    class Meta:
        ordering = ["user__first_name", "user__last_name"]

    def __str__(self):
        return f"{self.name} ({self.user.username})"

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.username

    @property
    def age(self) -> int:
        return age_on(self.dob, clock.today())
