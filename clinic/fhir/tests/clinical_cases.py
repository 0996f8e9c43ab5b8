"""A patient record with every kind of clinical resource, and FHIR R4 validation."""

import datetime as dt

import time_machine
from django.test import RequestFactory
from fhir.resources.R4B import get_fhir_model_class

from clinic.core.tests.files_helpers import OwnMediaMixin, pdf_bytes, upload
from clinic.labs.models import LabReport
from clinic.labs.services import lab_report_mark_entered_in_error
from clinic.records.models import Consultation, PrescriptionLine
from clinic.records.services import (
    consultation_mark_entered_in_error,
    prescription_line_mark_entered_in_error,
)
from clinic.records.tests.cases import visit_for
from clinic.testing import FIXED_NOW, BaseTestCase, lab_report_released, make_staff

# The codes each resource may carry (fhir.resources checks the shape, not value sets).
STATUSES = {
    "Encounter": {"finished", "entered-in-error"},
    "MedicationRequest": {"unknown", "entered-in-error"},
    "DiagnosticReport": {"final", "entered-in-error"},
    "DocumentReference": {"current", "entered-in-error"},
}


def validated(resource: dict) -> dict:
    """`resource` after checking it against FHIR R4 (fhir.resources' R4B models: the
    resources served here are the same in R4 4.0.1 and R4B); returned for chaining."""
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)  # raises on a missing, misspelt or mistyped element
    assert resource["status"] in STATUSES[resource["resourceType"]], resource["status"]
    return resource


class ClinicalRecordMixin(OwnMediaMixin):
    """alice: a consultation from a visit with two lines (one entered in error), one
    consultation entered in error, a released lab report, an ordered one and a released
    one entered in error. bob: a consultation and a released report of his own."""

    def setUp(self):
        super().setUp()
        self.doctor_user = make_staff("doctor", doctor=self.dr_rao)
        self.lab_user = make_staff("lab")
        self.consultation = self.consult(self.alice, appointment=visit_for(self.alice, self.dr_rao))
        self.consultation.diagnosis = "Acute bronchitis"
        self.consultation.icd10 = "J20.9"
        self.consultation.notes = "Chest clear <b>on</b> & off"
        self.consultation.save()
        self.line = self.prescribe(self.consultation, "Amoxicillin", instructions="after food")
        self.wrong_line = self.prescribe(self.consultation, "Paracetamol")
        prescription_line_mark_entered_in_error(
            line=self.wrong_line, reason="Wrong patient", actor=self.doctor_user
        )
        self.wrong_consultation = self.consult(self.alice, date=dt.date(2030, 1, 3))
        self.prescribe(self.wrong_consultation, "Ibuprofen")
        consultation_mark_entered_in_error(
            consultation=self.wrong_consultation, reason="Wrong patient", actor=self.doctor_user
        )
        self.report = self.released_report(self.alice, "CBC")
        self.ordered = LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="MRI", date=dt.date(2030, 1, 6)
        )
        self.wrong_report = self.released_report(self.alice, "Lipids")
        lab_report_mark_entered_in_error(
            report=self.wrong_report, reason="Wrong sample", actor=self.doctor_user
        )
        self.bob_consultation = self.consult(self.bob)
        self.prescribe(self.bob_consultation, "Cetirizine")
        self.bob_report = self.released_report(self.bob, "CBC")

    def consult(self, patient, *, appointment=None, date=dt.date(2030, 1, 6)):
        return Consultation.objects.create(
            patient=patient,
            doctor=self.dr_rao,
            appointment=appointment,
            date=date,
            purpose="Fever and cough",
        )

    def prescribe(self, consultation, medicine, **extra):
        return PrescriptionLine.objects.create(
            consultation=consultation,
            position=consultation.lines.count(),
            medicine=medicine,
            dose="500 mg",
            frequency="three times a day",
            duration="5 days",
            **extra,
        )

    def released_report(self, patient, test):
        report = LabReport.objects.create(
            patient=patient, doctor=self.dr_rao, test=test, date=dt.date(2030, 1, 5)
        )
        with self.captureOnCommitCallbacks(execute=True):
            return lab_report_released(
                report, upload(pdf_bytes(), f"{test} result.pdf"), actor=self.lab_user
            )

    def request_as(self, user):
        request = RequestFactory().get("/fhir/")
        request.user = user
        return request


@time_machine.travel(FIXED_NOW, tick=False)
class ClinicalRecordCase(ClinicalRecordMixin, BaseTestCase):
    pass
