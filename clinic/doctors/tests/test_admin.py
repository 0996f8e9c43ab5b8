import datetime as dt

from clinic.core.tests.admin_cases import AdminTestCase, inline_management
from clinic.doctors.models import Doctor, TimeOff, WeeklySchedule, default_location_pk
from clinic.testing import make_doctor

DOCTORS = "/admin/doctors/doctor/"
SCHEDULES = "/admin/doctors/weeklyschedule/"
TIME_OFF = "/admin/doctors/timeoff/"


def doctor_form(**fields) -> dict:
    return {
        "name": "Dr. New Joiner", "gender": "Female", "experience_years": "3",
        "specialty": "Dermatology", "office_number": "12", "is_active": "on",
        **inline_management("schedules"), **inline_management("time_off"), **fields,
    }


class DoctorAdminTests(AdminTestCase):
    def setUp(self):
        super().setUp()
        self.leave = TimeOff.objects.create(
            doctor=self.dr_rao, start_date=dt.date(2030, 2, 1), end_date=dt.date(2030, 2, 7)
        )

    def test_it_shows_the_pages(self):
        """Changelist, change (with both inlines) and add pages of the three models load."""
        schedule = self.dr_rao.schedules.first()
        for url in [DOCTORS, SCHEDULES, TIME_OFF]:
            with self.subTest(url=url):
                self.changelist(url)
                self.assertEqual(self.client.get(f"{url}add/").status_code, 200)
        page = self.client.get(f"{DOCTORS}{self.dr_rao.pk}/change/")
        self.assertContains(page, 'id="schedules-group"')
        self.assertContains(page, 'id="time_off-group"')
        for url in [f"{SCHEDULES}{schedule.pk}/change/", f"{TIME_OFF}{self.leave.pk}/change/"]:
            self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_it_gives_a_new_doctor_without_sessions_the_default_week(self):
        """Saved with no schedule rows, the doctor gets Mon–Sat 09:00–12:00."""
        response = self.client.post(f"{DOCTORS}add/", doctor_form())
        self.assertEqual(response.status_code, 302)
        doctor = Doctor.objects.get(name="Dr. New Joiner")
        self.assertEqual(sorted(doctor.schedules.values_list("weekday", flat=True)), list(range(6)))

    def test_it_keeps_the_sessions_given_inline(self):
        """A doctor added with one session keeps just that one."""
        data = doctor_form(**inline_management("schedules", total=1), **{
            "schedules-0-weekday": "2", "schedules-0-start": "14:00",
            "schedules-0-end": "16:00", "schedules-0-slot_minutes": "20",
            "schedules-0-location": default_location_pk(),
        })
        response = self.client.post(f"{DOCTORS}add/", data)
        self.assertEqual(response.status_code, 302)
        doctor = Doctor.objects.get(name="Dr. New Joiner")
        self.assertEqual(
            list(doctor.schedules.values_list("weekday", "start", "slot_minutes")),
            [(2, dt.time(14, 0), 20)],
        )

    def test_it_searches_and_filters(self):
        other = make_doctor(name="Dr. Kiran Bose", specialty="Orthopedics")
        self.assertEqual(self.listed(DOCTORS, q="bose"), [other])
        self.assertEqual(self.listed(DOCTORS, specialty="Cardiology"), [self.dr_rao])
        self.assertEqual(len(self.listed(SCHEDULES, doctor__id__exact=other.pk)), 6)
        self.assertEqual(self.listed(TIME_OFF, q="Rao"), [self.leave])

    def test_its_changelist_queries_do_not_grow_with_rows(self):
        """Doctors, sessions and time off lists run a fixed number of queries."""
        # Each: session + user + the verifying device, 2 counts, rows, 3 for the session
        # save; then the filter
        # choices (specialty; site, doctor and specialty) and the date hierarchy (2) of
        # time off.
        expected = {DOCTORS: 10, SCHEDULES: 12, TIME_OFF: 13}
        makers = {
            DOCTORS: lambda k: [make_doctor(schedule=False) for _ in range(k)],
            SCHEDULES: lambda k: [
                WeeklySchedule.objects.create(
                    doctor=make_doctor(schedule=False), weekday=0,
                    start=dt.time(9), end=dt.time(10),
                ) for _ in range(k)
            ],
            TIME_OFF: lambda k: [
                TimeOff.objects.create(
                    doctor=make_doctor(schedule=False),
                    start_date=dt.date(2030, 3, 1), end_date=dt.date(2030, 3, 2),
                ) for _ in range(k)
            ],
        }
        counts = {url: self.assertChangelistQueriesConstant(url, mk) for url, mk in makers.items()}
        self.assertEqual(counts, expected)
