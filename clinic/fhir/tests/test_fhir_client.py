"""A real FHIR client (fhirpy) against a live server: search slots, book, read, cancel."""

from django.test import LiveServerTestCase
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import OperationOutcome, ResourceNotFound

from clinic.accounts.services import token_for
from clinic.appointments.models import Appointment, Status
from clinic.testing import make_doctor, make_patient


class FhirClientTests(LiveServerTestCase):
    def setUp(self):
        self.patient = make_patient(username="fhirpy")
        self.other = make_patient(username="fhirpy-other")
        self.doctor = make_doctor(name="Dr. Live Server")
        self.client_for = lambda user: SyncFHIRClient(
            f"{self.live_server_url}/fhir", authorization=f"Token {token_for(user=user)}"
        )

    def test_search_book_read_and_cancel(self):
        fhir = self.client_for(self.patient.user)
        slots = (
            fhir.resources("Slot")
            .search(schedule=f"Schedule/{self.doctor.pk}", status="free")
            .limit(5)
            .fetch()
        )
        self.assertEqual(len(slots), 5)
        slot = slots[0]
        appointment = fhir.resource(
            "Appointment",
            status="booked",
            slot=[slot.to_reference()],
            participant=[
                {"actor": {"reference": f"Patient/{self.patient.pk}"}, "status": "accepted"}
            ],
            description="Booked by fhirpy",
        )
        appointment.save()
        self.assertTrue(appointment.id)
        self.assertEqual(Appointment.objects.get(pk=appointment.id).patient, self.patient)

        read = fhir.reference("Appointment", appointment.id).to_resource()
        self.assertEqual(read["status"], "booked")
        self.assertEqual(read["start"], slot["start"])
        self.assertEqual(fhir.reference("Slot", slot.id).to_resource()["status"], "busy")

        # Someone else cannot take the slot, nor see the appointment.
        other = self.client_for(self.other.user)
        taken = other.resource("Appointment", status="booked", slot=[slot.to_reference()],
                               participant=[{"actor": {"reference": f"Patient/{self.other.pk}"},
                                             "status": "accepted"}])
        with self.assertRaises(OperationOutcome):
            taken.save()
        with self.assertRaises(ResourceNotFound):
            other.reference("Appointment", appointment.id).to_resource()

        read["status"] = "cancelled"
        read.save()  # PUT
        self.assertEqual(Appointment.objects.get(pk=appointment.id).status, Status.CANCELLED)
        self.assertEqual(fhir.reference("Slot", slot.id).to_resource()["status"], "free")
        search = fhir.resources("Appointment").search(patient=f"Patient/{self.patient.pk}")
        mine = search.fetch_all()
        self.assertEqual([(a.id, a["status"]) for a in mine], [(appointment.id, "cancelled")])
