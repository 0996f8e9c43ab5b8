"""The seed README's API examples, in order, over real HTTP against a live server."""

import json
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from clinic.core import clock
from clinic.labs.models import LabReport, LabStatus
from clinic.patients.models import Patient
from clinic.testing import make_doctor, next_weekday

pytestmark = pytest.mark.django_db(transaction=True)


class Api:
    def __init__(self, base):
        self.base = base
        self.token = None

    def __call__(self, method, path, body=None):
        """Send `body` as JSON with any method, as the seed's examples do; (status, json)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}/cms-api/{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


def test_the_seed_walkthrough(live_server):
    cache.clear()
    api = Api(live_server.url)
    doctor = make_doctor(name="Dr. Walk Through", specialty="General Medicine")

    # register
    status, body = api("POST", "signup/", {
        "user": {"username": "walker", "password": "Sturdy-Passw0rd-42", "first_name": "Wal",
                 "last_name": "", "email": "walker@example.com"},
        "gender": "Other", "dob": "1990-7-6", "address": "1 Road", "phone": "9123456789",
    })
    assert status == 201, body
    assert body["MSG"] == "DATA SAVED"
    assert set(body["DATA"]) >= {"id", "user", "gender", "dob", "address", "phone", "profile_pic"}
    assert set(body["DATA"]["user"]) == {"id", "username", "first_name", "last_name", "email"}

    # login
    status, body = api("POST", "login/", {"username": "walker", "password": "Sturdy-Passw0rd-42"})
    assert status == 200 and set(body) == {"token"}
    api.token = body["token"]

    # patient information, with the seed's empty JSON body
    status, body = api("GET", "patient/", {})
    assert status == 200
    assert body["user"]["username"] == "walker" and "password" not in body["user"]
    assert body["dob"] == "1990-07-06"

    # doctors: the list, then one by a body on GET
    status, doctors = api("GET", "doctor/", {})
    assert status == 200 and [d["id"] for d in doctors] == [doctor.pk]
    assert set(doctors[0]) == {"id", "name", "age", "gender", "experience", "domain",
                               "office_number", "profile_pic"}
    status, one = api("GET", "doctor/", {"doctor_id": doctor.pk})
    assert status == 200 and one == doctors

    # book
    day = next_weekday(clock.today(), 1)  # a Tuesday ahead
    status, body = api("POST", "booking/", {"date": f"{day.year}-{day.month}-{day.day}",
                                            "slot": "10:30 AM", "doc_id": doctor.pk})
    assert status == 201, body
    assert body["MSG"] == " Slot Booked!"
    booking = body["data"]
    assert set(booking) == {"Booking_id", "patient", "doctor", "booking_date", "time_slot"}
    assert set(booking["doctor"]) == {"doctor_id", "name", "gender", "domain", "ofiice_number"}
    assert booking["time_slot"] == "10:30 AM" and booking["booking_date"] == day.isoformat()

    # the same slot again is a conflict
    status, body = api("POST", "booking/", {"date": day.isoformat(), "slot": "10:30 am",
                                            "doc_id": doctor.pk})
    assert status == 409 and "ERR" in body

    # active appointments
    status, active = api("GET", "booking/", {})
    assert status == 200 and [b["Booking_id"] for b in active] == [booking["Booking_id"]]

    # cancel
    status, body = api("DELETE", "booking/", {"booking-ids": [booking["Booking_id"]]})
    assert (status, body) == (200, {"MSG": " Appointment Canceled"})
    assert api("GET", "booking/", {}) == (200, [])

    # history
    status, history = api("GET", "history/", {})
    assert status == 200 and len(history) == 1
    assert set(history[0]) == {"id", "book_no", "patient_name", "doctor_name", "patient_id",
                               "doctor_id", "book_date", "book_slot", "reason"}
    assert history[0]["reason"] == "Canceled" and history[0]["book_no"] == "4"

    # reports: one ordered, one released with a downloadable file
    patient = Patient.objects.get(user__username="walker")
    LabReport.objects.create(patient=patient, doctor=doctor, test="MRI", date=clock.today())
    ready = LabReport(patient=patient, doctor=doctor, test="CBC", date=clock.today(),
                      status=LabStatus.RELEASED, original_name="cbc.pdf",
                      released_at=clock.now(), released_by=doctor)
    ready.file.save("cbc.pdf", ContentFile(b"%PDF-1.4 walk"), save=True)
    status, reports = api("GET", "reports/", {})
    assert status == 200 and len(reports) == 2
    by_lab = {r["lab"]: r for r in reports}
    assert by_lab["MRI"]["report_genrated"] is False and "report-image" not in by_lab["MRI"]
    assert by_lab["CBC"]["report_genrated"] is True and by_lab["CBC"]["report"] == "cbc.pdf"
    assert set(by_lab["CBC"]["contact"]) == {"id", "name", "username", "gender"}
    with urllib.request.urlopen(by_lab["CBC"]["report-image"], timeout=10) as response:
        assert response.read() == b"%PDF-1.4 walk"

    # logout revokes the token
    assert api("POST", "logout/")[0] == 200
    assert api("GET", "patient/", {})[0] == 401
