import datetime as dt
import subprocess
import sys

import time_machine
from django.conf import settings
from django.core.cache import cache

from clinic.doctors.cache import DIRECTORY_KEY, doctor_week, doctors_changed
from clinic.doctors.models import TimeOff, WeeklySchedule
from clinic.doctors.selectors import doctor_directory, doctor_free_slots
from clinic.doctors.services import doctor_schedule_default
from clinic.testing import FIXED_NOW, BaseTestCase, api_client, make_doctor

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)


@time_machine.travel(FIXED_NOW, tick=False)
class DoctorCacheTests(BaseTestCase):
    def names(self):
        return [row["name"] for row in api_client(self.alice.user).get("/cms-api/doctor/").json()]

    def test_the_directory_and_a_week_are_read_once(self):
        """Once cached, the doctor list and a doctor's week cost no query."""
        with self.assertNumQueries(1):
            doctor_directory()
        with self.assertNumQueries(2):  # sessions, time off
            doctor_week(doctor_id=self.dr_rao.pk)
        with self.assertNumQueries(0):
            doctor_directory()
            doctor_week(doctor_id=self.dr_rao.pk)

    def test_a_new_renamed_or_retired_doctor_shows_at_once(self):
        """Saving a doctor (as the admin does) refreshes the cached list."""
        before = self.names()
        self.assertIn("Dr. Asha Rao", before)
        new = make_doctor(name="Dr. New Arrival")
        self.assertIn("Dr. New Arrival", self.names())
        new.name = "Dr. Renamed"
        new.save()
        self.assertIn("Dr. Renamed", self.names())
        self.assertNotIn("Dr. New Arrival", self.names())
        self.dr_rao.is_active = False
        self.dr_rao.save()
        self.assertNotIn("Dr. Asha Rao", self.names())
        new.delete()
        self.assertNotIn("Dr. Renamed", self.names())

    def test_time_off_and_schedule_changes_show_in_the_slots_at_once(self):
        """A cached week is forgotten when a session or time off is saved or deleted."""
        self.assertEqual(len(doctor_free_slots(doctor=self.dr_rao, day=TUESDAY)), 6)
        off = TimeOff.objects.create(doctor=self.dr_rao, start_date=TUESDAY, end_date=TUESDAY)
        self.assertEqual(doctor_free_slots(doctor=self.dr_rao, day=TUESDAY), [])
        off.delete()
        self.assertEqual(len(doctor_free_slots(doctor=self.dr_rao, day=TUESDAY)), 6)
        session = WeeklySchedule.objects.get(doctor=self.dr_rao, weekday=TUESDAY.weekday())
        session.end = dt.time(10, 0)
        session.save()
        self.assertEqual(
            doctor_free_slots(doctor=self.dr_rao, day=TUESDAY), [dt.time(9, 0), dt.time(9, 30)]
        )
        session.delete()
        self.assertEqual(doctor_free_slots(doctor=self.dr_rao, day=TUESDAY), [])

    def test_the_default_week_given_in_bulk_is_seen(self):
        """bulk_create sends no signal; doctor_schedule_default forgets the week itself."""
        doctor = make_doctor(schedule=False)
        self.assertEqual(doctor_free_slots(doctor=doctor, day=TUESDAY), [])
        doctor_schedule_default(doctor=doctor)
        self.assertEqual(len(doctor_free_slots(doctor=doctor, day=TUESDAY)), 6)

    def test_a_racing_read_is_forgotten_after_the_commit(self):
        """A request that cached the old rows before the change committed loses them then."""
        with self.captureOnCommitCallbacks(execute=True):
            doctors_changed(doctor_id=self.dr_rao.pk)
            doctor_directory()  # a read inside the window puts rows back
            self.assertIsNotNone(cache.get(DIRECTORY_KEY))
        self.assertIsNone(cache.get(DIRECTORY_KEY))


class CacheSettingsTests(BaseTestCase):
    def test_without_redis_every_worker_shares_one_file_cache(self):
        """Without REDIS_URL the cache lives in files under var/, shared by all workers."""
        code = (
            "import django; django.setup(); from django.conf import settings; "
            "c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
        )
        env = {"DJANGO_SETTINGS_MODULE": "clinic.settings", "CMS_VAR_DIR": "/srv/cms-var",
               "SECRET_KEY": "x" * 50, "PATH": "/usr/bin:/bin"}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR,
            capture_output=True, text=True, check=True,
        ).stdout.split()
        self.assertEqual(
            out, ["django.core.cache.backends.filebased.FileBasedCache", "/srv/cms-var/cache"]
        )
