"""Every list endpoint's rows are valid against /cms-api/schema/, strictly.

The rows and the schema come from the same serializers (there is no second,
hand-built copy of any shape), and this keeps it so: each row must have every
required field, the documented type of each value (null only where the schema says
nullable) and no field the schema does not list. Each test builds data that covers
the shape's variants (null ages and scans, released and pending reports, an offer).
"""

import datetime as dt

import jsonschema
import time_machine
import yaml
from django.core.files.base import ContentFile

from clinic.api.tests.base import TUESDAY, WEDNESDAY, ApiTestCase
from clinic.api.tests.test_records import make_consultation, make_report
from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.doctors.models import Doctor, WeeklySchedule
from clinic.labs.models import LabReport, LabStatus
from clinic.testing import FIXED_NOW, make_doctor, make_patient

LIST_ENDPOINTS = [
    "/cms-api/doctor/",
    "/cms-api/booking/",
    "/cms-api/history/",
    "/cms-api/reports/",
    "/cms-api/consultations/",
    "/cms-api/waitlist/",
]


def doctor(name, **changes):
    made = make_doctor(name=name)
    Doctor.objects.filter(pk=made.pk).update(**changes)
    made.refresh_from_db()
    return made


def strict(schema: dict, components: dict) -> dict:
    """An OpenAPI 3.0 schema as strict JSON Schema: references inlined, `nullable` as a
    null type, and objects closed (additionalProperties false)."""
    if "$ref" in schema:
        return strict(components[schema["$ref"].rsplit("/", 1)[1]], components)
    out = {k: v for k, v in schema.items() if k not in ("nullable", "readOnly", "example")}
    if "allOf" in schema:
        (only,) = schema["allOf"]  # spectacular wraps a nullable reference in a one-item allOf
        out = strict(only, components) | {
            k: v for k, v in out.items() if k not in ("allOf", "description")
        }
    if "properties" in out:
        out["properties"] = {
            name: strict(prop, components) for name, prop in out["properties"].items()
        }
        out["additionalProperties"] = False
    if "items" in out:
        out["items"] = strict(out["items"], components)
    if schema.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


class ServedRowsMatchSchemaTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.openapi = None

    def schema_for(self, path: str) -> dict:
        if ServedRowsMatchSchemaTests.openapi is None:
            response = self.client.get("/cms-api/schema/")
            self.assertEqual(response.status_code, 200)
            ServedRowsMatchSchemaTests.openapi = yaml.safe_load(response.content)
        openapi = ServedRowsMatchSchemaTests.openapi
        documented = openapi["paths"][path]["get"]["responses"]["200"]
        body = documented["content"]["application/json"]["schema"]
        self.assertEqual(body["type"], "array", path)
        return strict(body, openapi["components"]["schemas"])

    def assertRowsMatchSchema(self, path: str, *, user, rows: int) -> list:
        response = self.call("GET", path, user=user)
        self.assertEqual(response.status_code, 200, response.content)
        served = response.json()
        self.assertEqual(len(served), rows, served)
        jsonschema.validate(served, self.schema_for(path.split("?")[0]))
        return served

    def test_every_list_endpoint_is_covered(self):
        paths = {
            path for path, ops in self.client_schema_paths().items()
            if "get" in ops and ops["get"]["responses"]["200"]["content"]["application/json"][
                "schema"].get("type") == "array"
        }
        self.assertEqual(paths, set(LIST_ENDPOINTS))

    def client_schema_paths(self) -> dict:
        self.schema_for(LIST_ENDPOINTS[0])
        return ServedRowsMatchSchemaTests.openapi["paths"]

    def test_the_checker_refuses_an_extra_a_missing_or_a_mistyped_field(self):
        """The strict schema is not a formality."""
        schema = self.schema_for("/cms-api/history/")
        row = {
            "id": 1, "book_no": "1", "patient_name": "A", "doctor_name": "B",
            "patient_id": "2", "doctor_id": "3", "book_date": "2030-01-08",
            "book_slot": "09:30 AM", "reason": "--------",
        }
        jsonschema.validate([row], schema)
        for bad in (row | {"extra": 1}, {k: v for k, v in row.items() if k != "id"},
                    row | {"id": "1"}, row | {"reason": None}):
            with self.subTest(bad=bad), self.assertRaises(jsonschema.ValidationError):
                jsonschema.validate([bad], schema)

    def test_doctors(self):
        """With and without a birth date (age null) and a picture (profile_pic null)."""
        pictured = doctor("Dr. Bala Iyer", birth_date=None, experience_years=0)
        pictured.profile_pic.save("me.png", ContentFile(b"\x89PNG fake"), save=True)
        doctor("Dr. Gone", is_active=False)
        rows = self.assertRowsMatchSchema("/cms-api/doctor/", user=self.alice.user, rows=2)
        self.assertEqual([row["age"] for row in rows], ["54", None])
        self.assertIn("/files/", rows[1]["profile_pic"])
        self.assertIsNone(rows[0]["profile_pic"])
        for one in (pictured, self.dr_rao):
            self.assertRowsMatchSchema(
                f"/cms-api/doctor/?doctor_id={one.pk}", user=self.alice.user, rows=1
            )

    def test_active_bookings(self):
        other = doctor("Dr. Bala Iyer", gender="Female", specialty="Dermatology",
                       office_number="7B")
        WeeklySchedule.objects.create(
            doctor=other, weekday=TUESDAY.weekday(), start=dt.time(14, 0), end=dt.time(16, 0)
        )
        appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0))
        appointment_book(patient=self.alice, doctor=other, day=TUESDAY, start=dt.time(14, 30))
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0))
        rows = self.assertRowsMatchSchema("/cms-api/booking/", user=self.alice.user, rows=2)
        self.assertEqual(rows[1]["time_slot"], "02:30 PM")
        self.assertEqual(rows[0]["patient"]["id"], self.alice.user_id)

    def test_history(self):
        """Kept, completed, no-show and cancelled entries."""
        booked = [
            appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=start)
            for start in (dt.time(9, 0), dt.time(9, 30), dt.time(10, 0), dt.time(11, 30))
        ]
        Appointment.objects.filter(pk=booked[1].pk).update(status=Status.COMPLETED)
        Appointment.objects.filter(pk=booked[2].pk).update(status=Status.NO_SHOW)
        appointment_cancel(patient=self.alice, ids=[booked[3].pk])
        with time_machine.travel(FIXED_NOW + dt.timedelta(days=2), tick=False):
            rows = self.assertRowsMatchSchema("/cms-api/history/", user=self.alice.user, rows=4)
        self.assertEqual(
            [row["reason"] for row in rows], ["Canceled", "--------", "--------", "--------"]
        )

    def test_reports(self):
        """Ordered, resulted and released (with and without an original name): only a
        released one carries `report` and `report-image`."""
        make_report(self.alice, self.dr_rao, day=dt.date(2029, 12, 9))
        make_report(self.alice, self.dr_rao, released=True, day=dt.date(2029, 12, 8))
        unnamed = make_report(self.alice, self.dr_rao, released=True, day=dt.date(2029, 12, 7))
        LabReport.objects.filter(pk=unnamed.pk).update(original_name="")
        make_report(self.alice, self.dr_rao, resulted=True, day=dt.date(2029, 12, 6))
        in_error = make_report(self.alice, self.dr_rao, released=True, day=dt.date(2029, 12, 6))
        LabReport.objects.filter(pk=in_error.pk).update(status=LabStatus.ENTERED_IN_ERROR)
        rows = self.assertRowsMatchSchema("/cms-api/reports/", user=self.alice.user, rows=4)
        self.assertEqual([("report" in row) for row in rows], [False, True, True, False])
        self.assertEqual(rows[1]["report"], "mri-scan.pdf")
        self.assertIn("/files/", rows[2]["report-image"])

    def test_consultations(self):
        """With and without a scan (null), with no, one or several medicines."""
        other = doctor("Dr. Bala Iyer", office_number="")
        make_consultation(self.alice, self.dr_rao, day=dt.date(2029, 12, 3), lines=3, scan=True)
        make_consultation(self.alice, other, day=dt.date(2029, 12, 2), lines=0)
        make_consultation(self.alice, self.dr_rao, day=dt.date(2029, 12, 1), lines=1)
        rows = self.assertRowsMatchSchema("/cms-api/consultations/", user=self.alice.user, rows=3)
        self.assertEqual([len(row["medicines"]) for row in rows], [3, 0, 1])
        self.assertEqual([row["scan"] is None for row in rows], [False, True, True])

    def test_waitlist(self):
        """A waiting entry (offer null) and an offered one."""
        carol = make_patient(first_name="Carol")
        carols = appointment_book(
            patient=carol, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
        )
        for start in (WEDNESDAY, TUESDAY):
            response = self.call(
                "POST", "/cms-api/waitlist/", {"doc_id": self.dr_rao.pk, "from": str(start)},
                user=self.alice.user,
            )
            self.assertEqual(response.status_code, 201, response.content)
        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel(patient=carol, ids=[carols.pk])
        rows = self.assertRowsMatchSchema("/cms-api/waitlist/", user=self.alice.user, rows=2)
        self.assertEqual([row["offer"] is None for row in rows], [False, True])
