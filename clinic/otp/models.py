from django.conf import settings
from django.db import models

from clinic.core.models import BaseModel


class OtpChannel(models.TextChoices):
    EMAIL = "email"
    SMS = "sms", "SMS"


class OtpPurpose(models.TextChoices):
    RESET = "reset", "Password reset"
    VERIFY = "verify", "Address verification"


class OtpCode(BaseModel):
    """The current one-time password of one address, plus that address's send throttle.

    One row per (channel, address), locked with select_for_update for every
    issue and check, so counters hold across processes and machines. The
    address itself is stored only as a keyed hash: typing an unknown address
    leaves no personal data behind. The code is stored only as a keyed hash,
    set by the sender when it draws the code (see otp_code_draw).
    """

    channel = models.CharField(max_length=5, choices=OtpChannel.choices)
    address_digest = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The account the address belonged to when the code was issued.",
    )
    # Bumped by every issue, so a late or retried send of an older code knows
    # it has been replaced.
    generation = models.PositiveIntegerField(default=0)
    code_hash = models.CharField(max_length=64, blank=True)
    # What the current code was asked for: only a reset code earns a reset token.
    purpose = models.CharField(max_length=6, choices=OtpPurpose.choices, default=OtpPurpose.RESET)
    issued_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Send throttle: a cooldown after each send and a cap per hourly window.
    last_sent_at = models.DateTimeField(null=True, blank=True)
    window_started_at = models.DateTimeField(null=True, blank=True)
    sends_in_window = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address_digest"], name="otpcode_one_per_address"
            ),
        ]

    def __str__(self):
        return f"OTP {self.channel} #{self.pk} (generation {self.generation})"
