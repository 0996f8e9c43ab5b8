"""The portal tests' base: the shared cast, a frozen clock and a clean cache."""

import datetime as dt

import time_machine
from django.core.cache import cache

from clinic.appointments.services import appointment_book
from clinic.testing import FIXED_NOW, BaseTestCase

# FIXED_NOW is Monday 2030-01-07 08:00; the default week has six slots from 09:00.
TODAY = FIXED_NOW.date()
TUESDAY = TODAY + dt.timedelta(days=1)
NINE = dt.time(9, 0)
NINE_THIRTY = dt.time(9, 30)


class PortalTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        traveller = time_machine.travel(FIXED_NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        # Login and OTP throttles count in the cache; each test starts from zero.
        cache.clear()
        self.addCleanup(cache.clear)

    def login(self, patient=None):
        self.client.force_login((patient or self.alice).user)

    def book(self, *, patient=None, doctor=None, day=TUESDAY, start=NINE):
        return appointment_book(
            patient=patient or self.alice, doctor=doctor or self.dr_rao, day=day, start=start
        )
