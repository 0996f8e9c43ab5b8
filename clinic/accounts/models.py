from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower


class ClinicUserManager(UserManager):
    def get_by_login(self, login: str):
        """The user whose username or email (case-insensitive) is `login`."""
        login = (login or "").strip()
        if "@" in login:
            return self.get(email__iexact=login)
        return self.get(username=login)


class User(AbstractUser):
    email = models.EmailField("email address")

    objects = ClinicUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def save(self, *args, **kwargs):
        self.email = self.__class__.objects.normalize_email(self.email or "").lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
