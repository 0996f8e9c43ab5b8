import unicodedata

from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from clinic.accounts.signals import password_changed


class ClinicUserManager(UserManager):
    def get_by_login(self, login: str):
        """The user whose username or email is `login`, after NFKC, in any letter case."""
        login = normalize_login(login)
        if "@" in login:
            return self.get(email__iexact=login)
        return self.get(username__iexact=login)


def normalize_login(value) -> str:
    """NFKC, trimmed: full-width `Ａｌｉｃｅ` is `Alice`, as Django normalises usernames."""
    return unicodedata.normalize("NFKC", value if isinstance(value, str) else "").strip()


class User(AbstractUser):
    email = models.EmailField("email address")

    objects = ClinicUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            # Case twins (`admin` and `Admin`, or full-width `Ａｄｍｉｎ` once NFKC
            # folded it) would be different accounts that look the same.
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message="A user with that username already exists.",
            ),
        ]

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        # The stored hash, to tell a new password from any other save.
        user._saved_password = user.__dict__.get("password")
        return user

    def save(self, *args, **kwargs):
        self.username = normalize_login(self.username)
        self.email = normalize_login(self.email).lower()
        changed = self._password_is_new(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        self._saved_password = self.password
        if changed:
            password_changed.send(sender=self.__class__, user=self)

    def _password_is_new(self, update_fields) -> bool:
        """Whether this save stores a new password for an existing account.

        set_password() was called, or another hash was put in the field
        directly; a save that leaves the field out changes nothing.
        """
        if self._state.adding or (update_fields is not None and "password" not in update_fields):
            return False
        saved = getattr(self, "_saved_password", None)
        return self._password is not None or (saved is not None and saved != self.password)

    def check_password(self, raw_password):
        """Django's check, except that a re-hash of the same password (a stronger
        hasher after an upgrade) is not taken for a new password."""

        def rehash(raw_password):
            self.set_password(raw_password)
            self._password = None
            self._saved_password = self.password
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, rehash)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
