import datetime as dt

import time_machine

from clinic.appointments.services import appointment_book
from clinic.core.tests.admin_cases import AdminTestCase, inline_management
from clinic.doctors.models import Location, WeeklySchedule
from clinic.doctors.selectors import location_opening_hours
from clinic.testing import FIXED_NOW, make_doctor

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)
SCHEDULES = "/admin/doctors/weeklyschedule/"


def session_form(session, **changes) -> dict:
    data = {
        "doctor": session.doctor_id,
        "location": session.location_id,
        "weekday": session.weekday,
        "start": f"{session.start:%H:%M}",
        "end": f"{session.end:%H:%M}",
        "slot_minutes": session.slot_minutes,
    }
    return {**data, **changes}


def doctor_form(doctor, sessions) -> dict:
    """The doctor page with its week in the inline, as the admin posts it."""
    data = {
        "name": doctor.name,
        "gender": doctor.gender,
        "experience_years": "3",
        "specialty": doctor.specialty,
        "office_number": "1",
        "is_active": "on",
        **inline_management("schedules", total=len(sessions), initial=len(sessions)),
        **inline_management("time_off"),
    }
    for i, (session, changes) in enumerate(sessions):
        for key, value in {"id": session.pk, **session_form(session, **changes)}.items():
            data[f"schedules-{i}-{key}"] = value
    return data


@time_machine.travel(FIXED_NOW, tick=False)
class ScheduleCheckTests(AdminTestCase):
    def setUp(self):
        super().setUp()
        self.tuesday = self.dr_rao.schedules.get(weekday=1)  # 09:00-12:00, 30 min
        self.booked = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 30)
        )

    def post_session(self, **changes):
        url = f"{SCHEDULES}{self.tuesday.pk}/change/"
        return self.client.post(url, session_form(self.tuesday, **changes))

    def assertUnchanged(self):
        before = (self.tuesday.start, self.tuesday.end, self.tuesday.slot_minutes)
        self.tuesday.refresh_from_db()
        self.assertEqual((self.tuesday.start, self.tuesday.end, self.tuesday.slot_minutes), before)

    def test_a_slot_length_that_strands_a_booking_is_refused(self):
        """20-minute slots from 09:00 have no 10:30 start: refused, naming the booking."""
        response = self.post_session(slot_minutes=20)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"#{self.booked.pk} on {TUESDAY} at 10:30")
        self.assertUnchanged()

    def test_a_slot_length_that_keeps_every_booking_on_a_slot_is_allowed(self):
        """15-minute slots still start at 10:30 and the visit still ends by 12:00."""
        response = self.post_session(slot_minutes=15)
        self.assertEqual(response.status_code, 302)
        self.tuesday.refresh_from_db()
        self.assertEqual(self.tuesday.slot_minutes, 15)

    def test_shortening_a_session_under_a_booking_is_refused(self):
        response = self.post_session(end="10:45")
        self.assertContains(response, "outside the doctor&#x27;s slots")
        self.assertUnchanged()

    def test_an_overlapping_session_is_refused(self):
        response = self.client.post(
            f"{SCHEDULES}add/", session_form(self.tuesday, start="11:00", end="13:00")
        )
        self.assertContains(response, "Sessions overlap")
        self.assertEqual(self.dr_rao.schedules.filter(weekday=1).count(), 1)
        response = self.client.post(
            f"{SCHEDULES}add/", session_form(self.tuesday, start="12:00", end="13:00")
        )
        self.assertEqual(response.status_code, 302)

    def test_deleting_a_session_with_bookings_is_refused(self):
        url = f"{SCHEDULES}{self.tuesday.pk}/delete/"
        response = self.client.post(url, {"post": "yes"}, follow=True)
        self.assertContains(response, "outside the doctor&#x27;s slots")
        self.assertTrue(WeeklySchedule.objects.filter(pk=self.tuesday.pk).exists())
        wednesday = self.dr_rao.schedules.get(weekday=2)
        response = self.client.post(f"{SCHEDULES}{wednesday.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(WeeklySchedule.objects.filter(pk=wednesday.pk).exists())

    def test_the_doctor_page_checks_the_whole_week(self):
        """Inline: two overlapping sessions, or a stranding change, are a formset error."""
        monday = self.dr_rao.schedules.get(weekday=0)
        others = [(s, {}) for s in self.dr_rao.schedules.exclude(weekday__in=[0, 1])]
        url = f"/admin/doctors/doctor/{self.dr_rao.pk}/change/"
        overlapping = doctor_form(
            self.dr_rao,
            [
                (monday, {"weekday": 1, "start": "11:00", "end": "13:00"}),
                (self.tuesday, {}),
                *others,
            ],
        )
        self.assertContains(self.client.post(url, overlapping), "Sessions overlap")
        stranding = doctor_form(
            self.dr_rao, [(monday, {}), (self.tuesday, {"start": "09:10"}), *others]
        )
        self.assertContains(self.client.post(url, stranding), "outside the doctor")
        self.assertUnchanged()
        fine = doctor_form(
            self.dr_rao, [(monday, {"slot_minutes": 20}), (self.tuesday, {}), *others]
        )
        self.assertEqual(self.client.post(url, fine).status_code, 302)


class OpeningHoursTests(AdminTestCase):
    def test_each_site_shows_the_hours_its_sessions_make(self):
        """Sessions merge per day, same-hour neighbouring days group, another site apart."""
        other = Location.objects.create(name="Annexe", address="2 Side Street")
        late = make_doctor(name="Dr. Late", schedule=False)
        for weekday in (0, 1):
            WeeklySchedule.objects.create(
                doctor=late, location=other, weekday=weekday, start=dt.time(14), end=dt.time(16)
            )
        WeeklySchedule.objects.create(
            doctor=late, location=other, weekday=3, start=dt.time(15), end=dt.time(17)
        )
        make_doctor(name="Dr. Gone", is_active=False, schedule=False).schedules.create(
            location=other, weekday=6, start=dt.time(8), end=dt.time(9)
        )
        hours = {row["location"]["name"]: row["days"] for row in location_opening_hours()}
        self.assertEqual(
            hours["Annexe"],
            [
                ("Monday–Tuesday", [(dt.time(14), dt.time(16))]),
                ("Thursday", [(dt.time(15), dt.time(17))]),
            ],
        )
        main = next(days for name, days in hours.items() if name != "Annexe")
        self.assertEqual(main, [("Monday–Saturday", [(dt.time(9), dt.time(12))])])

    def test_the_hours_are_cached_until_a_session_changes(self):
        location_opening_hours()
        with self.assertNumQueries(0):
            location_opening_hours()
        session = self.dr_rao.schedules.get(weekday=5)
        session.end = dt.time(13)
        session.save()
        hours = location_opening_hours()[0]["days"]
        self.assertEqual(hours[-1], ("Saturday", [(dt.time(9), dt.time(13))]))


@time_machine.travel(FIXED_NOW, tick=False)
class VisitLocationTests(AdminTestCase):
    def test_a_visit_is_at_its_sessions_site_and_the_portal_shows_it(self):
        annexe = Location.objects.create(
            name="Annexe", address="2 Side Street", map_url="https://maps.example/annexe"
        )
        self.dr_rao.schedules.filter(weekday=1).update(location=annexe)
        appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 30)
        )
        self.assertEqual(appointment.location["name"], "Annexe")
        with self.assertNumQueries(0):
            appointment.location  # noqa: B018 (cached once read)
        self.client.force_login(self.alice.user)
        page = self.client.get(f"/appointments/{appointment.pk}/")
        self.assertContains(page, "2 Side Street")
        self.assertContains(page, "https://maps.example/annexe")

    def test_a_sites_new_address_reaches_the_cached_weeks(self):
        appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 30)
        )
        site = Location.objects.get(pk=appointment.location["id"])
        site.address = "99 New Road"
        site.save()
        self.assertEqual(appointment.location["address"], "99 New Road")
