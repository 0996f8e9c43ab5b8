import datetime as dt

import time_machine
from django.core.management import call_command
from django.test import TestCase

from clinic.otp.models import OtpCode
from clinic.otp.services import otp_prune_expired
from clinic.testing import FIXED_NOW


def otp_row(n: int, *, last_sent_at, expires_at) -> OtpCode:
    return OtpCode.objects.create(
        channel="email",
        address_digest=f"{n:064d}",
        last_sent_at=last_sent_at,
        window_started_at=last_sent_at,
        sends_in_window=1,
        issued_at=last_sent_at,
        expires_at=expires_at,
    )


class OtpPruneTests(TestCase):
    def test_it_deletes_only_rows_whose_code_and_limits_have_expired(self):
        """A row is kept while its code is valid or its hourly send window is running."""
        two_hours_ago = FIXED_NOW - dt.timedelta(hours=2)
        with time_machine.travel(two_hours_ago, tick=False):
            stale = otp_row(1, last_sent_at=two_hours_ago, expires_at=two_hours_ago)
            window_running = otp_row(
                2,
                last_sent_at=FIXED_NOW - dt.timedelta(minutes=30),
                expires_at=FIXED_NOW - dt.timedelta(minutes=20),
            )
            code_valid = otp_row(
                3, last_sent_at=two_hours_ago, expires_at=FIXED_NOW + dt.timedelta(minutes=5)
            )
        with time_machine.travel(FIXED_NOW, tick=False):
            self.assertEqual(otp_prune_expired(), 1)
        remaining = set(OtpCode.objects.values_list("pk", flat=True))
        self.assertEqual(remaining, {window_running.pk, code_valid.pk})
        self.assertNotIn(stale.pk, remaining)

    def test_the_command_reports_what_it_deleted(self):
        """`manage.py prune_otp` is what the periodic job runs."""
        with time_machine.travel(FIXED_NOW - dt.timedelta(hours=3), tick=False):
            otp_row(
                1,
                last_sent_at=FIXED_NOW - dt.timedelta(hours=3),
                expires_at=FIXED_NOW - dt.timedelta(hours=3),
            )
        with time_machine.travel(FIXED_NOW, tick=False):
            from io import StringIO

            out = StringIO()
            call_command("prune_otp", stdout=out)
        self.assertIn("Deleted 1 ", out.getvalue())
        self.assertFalse(OtpCode.objects.exists())
