"""The four clinical mappings: valid FHIR R4, the clinic's data in the right elements."""

from django.utils.html import escape

from clinic.fhir import clinical
from clinic.fhir.mappings import (
    diagnostic_report,
    document_reference,
    encounter,
    medication_request,
)
from clinic.fhir.tests.clinical_cases import ClinicalRecordCase, validated


class EncounterMappingTests(ClinicalRecordCase):
    def test_a_consultation_is_a_finished_ambulatory_encounter(self):
        """Patient, doctor, visit, day, purpose, coded diagnosis and notes are all carried."""
        data = validated(encounter.to_fhir(self.consultation, request=self.request_as(self.staff)))
        self.assertEqual(data["id"], str(self.consultation.pk))
        self.assertEqual(data["status"], "finished")
        self.assertEqual(data["class"]["code"], "AMB")
        self.assertEqual(data["subject"]["reference"], f"Patient/{self.alice.pk}")
        self.assertEqual(
            data["participant"][0]["individual"]["reference"], f"Practitioner/{self.dr_rao.pk}"
        )
        self.assertEqual(
            data["appointment"], [{"reference": f"Appointment/{self.consultation.appointment_id}"}]
        )
        self.assertEqual(data["period"], {"start": "2030-01-06", "end": "2030-01-06"})
        purpose, diagnosis = data["reasonCode"]
        self.assertEqual(purpose, {"text": "Fever and cough"})
        self.assertEqual(diagnosis["text"], "Acute bronchitis")
        self.assertEqual(diagnosis["coding"][0]["code"], "J20.9")

    def test_the_notes_are_escaped_in_the_narrative(self):
        """Free text never becomes markup in the XHTML narrative."""
        div = encounter.to_fhir(self.consultation, request=self.request_as(self.staff))["text"]
        self.assertIn(escape("Chest clear <b>on</b> & off"), div["div"])
        self.assertNotIn("<b>on</b>", div["div"])

    def test_a_consultation_without_visit_or_diagnosis_has_only_its_purpose(self):
        data = validated(
            encounter.to_fhir(self.bob_consultation, request=self.request_as(self.staff))
        )
        self.assertNotIn("appointment", data)
        self.assertEqual(data["reasonCode"], [{"text": "Fever and cough"}])

    def test_a_consultation_entered_in_error_says_so(self):
        self.wrong_consultation.refresh_from_db()
        data = encounter.to_fhir(self.wrong_consultation, request=self.request_as(self.staff))
        self.assertEqual(validated(data)["status"], "entered-in-error")


class MedicationRequestMappingTests(ClinicalRecordCase):
    def test_a_line_is_an_order_of_its_consultation(self):
        """Medicine, dosage text, instructions, encounter, prescriber and day."""
        data = validated(medication_request.to_fhir(self.line, request=self.request_as(self.staff)))
        self.assertEqual(data["id"], str(self.line.pk))
        self.assertEqual((data["status"], data["intent"]), ("unknown", "order"))
        self.assertEqual(data["medicationCodeableConcept"], {"text": "Amoxicillin"})
        self.assertEqual(data["subject"]["reference"], f"Patient/{self.alice.pk}")
        self.assertEqual(data["encounter"], {"reference": f"Encounter/{self.consultation.pk}"})
        self.assertEqual(data["requester"]["reference"], f"Practitioner/{self.dr_rao.pk}")
        self.assertEqual(data["authoredOn"], "2030-01-06")
        dosage = data["dosageInstruction"][0]
        self.assertEqual(dosage["text"], "500 mg, three times a day, for 5 days")
        self.assertEqual(dosage["patientInstruction"], "after food")

    def test_a_line_entered_in_error_or_of_a_consultation_entered_in_error_says_so(self):
        request = self.request_as(self.staff)
        self.wrong_line.refresh_from_db()
        of_wrong_consultation = self.wrong_consultation.lines.get()
        for line in (self.wrong_line, of_wrong_consultation):
            with self.subTest(line=line.medicine):
                data = validated(medication_request.to_fhir(line, request=request))
                self.assertEqual(data["status"], "entered-in-error")


class DiagnosticReportMappingTests(ClinicalRecordCase):
    def test_a_released_report_is_final_with_its_file_as_a_signed_url(self):
        request = self.request_as(self.alice.user)
        data = validated(diagnostic_report.to_fhir(self.report, request=request))
        self.assertEqual(data["id"], str(self.report.pk))
        self.assertEqual(data["status"], "final")
        self.assertEqual(data["code"], {"text": "CBC"})
        self.assertEqual(data["subject"]["reference"], f"Patient/{self.alice.pk}")
        self.assertEqual(data["effectiveDateTime"], "2030-01-05")
        self.assertEqual(
            data["resultsInterpreter"][0]["reference"], f"Practitioner/{self.dr_rao.pk}"
        )
        form = data["presentedForm"][0]
        self.assertEqual(
            (form["contentType"], form["title"]), ("application/pdf", "CBC result.pdf")
        )
        self.assertTrue(form["url"].startswith("http://testserver/files/"), form["url"])

    def test_the_url_downloads_the_file_for_the_patient(self):
        self.client.force_login(self.alice.user)
        data = diagnostic_report.to_fhir(self.report, request=self.request_as(self.alice.user))
        response = self.client.get(data["presentedForm"][0]["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")

    def test_a_released_report_entered_in_error_says_so(self):
        self.wrong_report.refresh_from_db()
        data = diagnostic_report.to_fhir(self.wrong_report, request=self.request_as(self.staff))
        self.assertEqual(validated(data)["status"], "entered-in-error")


class DocumentReferenceMappingTests(ClinicalRecordCase):
    def test_a_lab_file_is_a_document_related_to_its_report(self):
        request = self.request_as(self.alice.user)
        data = validated(document_reference.to_fhir(self.report, request=request))
        self.assertEqual(data["id"], f"lab-{self.report.pk}")
        self.assertEqual(data["status"], "current")
        self.assertEqual(data["type"]["coding"][0]["code"], "11502-2")
        self.assertEqual(
            data["context"]["related"], [{"reference": f"DiagnosticReport/{self.report.pk}"}]
        )
        self.assertEqual(data["content"][0]["attachment"]["contentType"], "application/pdf")

    def test_a_prescription_is_a_pdf_document_of_its_encounter(self):
        """The PDF's signed URL serves the prescription to the patient."""
        request = self.request_as(self.alice.user)
        data = validated(document_reference.to_fhir(self.consultation, request=request))
        self.assertEqual(data["id"], f"prescription-{self.consultation.pk}")
        self.assertEqual(data["type"]["coding"][0]["code"], "57833-6")
        self.assertEqual(
            data["context"]["encounter"], [{"reference": f"Encounter/{self.consultation.pk}"}]
        )
        attachment = data["content"][0]["attachment"]
        self.assertEqual(attachment["title"], "prescription-2030-01-06.pdf")
        self.client.force_login(self.alice.user)
        response = self.client.get(attachment["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")

    def test_ids_name_their_kind(self):
        self.assertEqual(document_reference.parse_id("lab-12"), ("lab", 12))
        self.assertEqual(document_reference.parse_id("prescription-7"), ("prescription", 7))
        for bad in ("12", "lab-", "lab-x", "lab-١٢", "prescription-99999999999", "rx-1"):
            with self.subTest(bad=bad):
                self.assertIsNone(document_reference.parse_id(bad))


class ClinicalSelectorTests(ClinicalRecordCase):
    def test_patients_get_only_what_stands(self):
        """No consultation, line or report entered in error; no unreleased report."""
        mine = {"patient_ids": [self.alice.pk], "entered_in_error": False}
        self.assertEqual(list(clinical.encounters(**mine)), [self.consultation])
        self.assertEqual(list(clinical.medication_requests(**mine)), [self.line])
        self.assertEqual(list(clinical.diagnostic_reports(**mine)), [self.report])
        rows, total = clinical.documents(
            lab_reports=clinical.diagnostic_reports(**mine),
            prescriptions=clinical.prescriptions(**mine),
        )
        self.assertEqual((rows, total), ([self.consultation, self.report], 2))

    def test_staff_also_get_records_entered_in_error(self):
        every = {"patient_ids": [self.alice.pk], "entered_in_error": True}
        self.assertCountEqual(
            clinical.encounters(**every), [self.consultation, self.wrong_consultation]
        )
        self.assertEqual(clinical.medication_requests(**every).count(), 3)
        self.assertCountEqual(
            clinical.diagnostic_reports(**every), [self.report, self.wrong_report]
        )
        self.assertNotIn(self.ordered, clinical.diagnostic_reports(**every))

    def test_documents_page_through_both_kinds(self):
        scope = {"patient_ids": None, "entered_in_error": False}
        kinds = {
            "lab_reports": clinical.diagnostic_reports(**scope),
            "prescriptions": clinical.prescriptions(**scope),
        }
        everything, total = clinical.documents(**kinds)
        self.assertEqual(total, 4)
        pages = [clinical.documents(**kinds, offset=n, count=1)[0] for n in range(4)]
        self.assertEqual([row for page in pages for row in page], everything)

    def test_query_counts_do_not_grow_with_the_rows(self):
        """Mapping a page of each kind costs the selector's queries, whatever its size."""
        request = self.request_as(self.staff)
        scope = {"patient_ids": None, "entered_in_error": True}
        for selector, mapping, queries in (
            (clinical.encounters, encounter, 1),
            (clinical.medication_requests, medication_request, 1),
            (clinical.diagnostic_reports, diagnostic_report, 1),
        ):
            with self.subTest(mapping=mapping.__name__), self.assertNumQueries(queries):
                for row in selector(**scope):
                    mapping.to_fhir(row, request=request)
        with self.assertNumQueries(4):
            rows, _ = clinical.documents(
                lab_reports=clinical.diagnostic_reports(**scope),
                prescriptions=clinical.prescriptions(**scope),
            )
            for row in rows:
                document_reference.to_fhir(row, request=request)
