"""The consultation services: started from a visit, validated, audited, kept."""

import time_machine

from clinic.appointments.models import AppointmentStatusChange, Status
from clinic.core.errors import Conflict, Forbidden, InvalidInput
from clinic.core.models import AuditEvent, RecordDeleteRefused
from clinic.records.models import Consultation, PrescriptionLine
from clinic.records.selectors import consultation_list_for, consultation_of
from clinic.records.services import (
    consultation_mark_entered_in_error,
    consultation_start,
    consultation_update,
    prescription_line_add,
    prescription_line_mark_entered_in_error,
    prescription_line_update,
)
from clinic.records.tests.cases import visit_for
from clinic.testing import FIXED_NOW, BaseTestCase, make_user

LINE = {
    "medicine": "Paracetamol",
    "dose": "650 mg",
    "frequency": "thrice a day",
    "duration": "3 days",
}


def actions(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


@time_machine.travel(FIXED_NOW, tick=False)
class ConsultationStartTests(BaseTestCase):
    def test_it_takes_an_arrived_patient_in_and_opens_the_record(self):
        """The visit becomes in consultation (a recorded step) and the consultation is the
        visit's: its patient, doctor and day, its reason as purpose."""
        visit = visit_for(self.alice, self.dr_rao)
        consultation = consultation_start(appointment=visit, actor=self.staff)

        self.assertEqual(
            (consultation.patient, consultation.doctor, consultation.appointment),
            (self.alice, self.dr_rao, visit),
        )
        self.assertEqual(
            (consultation.date, consultation.purpose), (visit.date, "Cough for a week")
        )
        self.assertEqual(visit.status, Status.IN_CONSULTATION)
        visit.refresh_from_db()
        self.assertEqual(
            (visit.status, visit.consultation_started_at), (Status.IN_CONSULTATION, FIXED_NOW)
        )
        self.assertTrue(
            AppointmentStatusChange.objects.filter(
                appointment=visit, to_status=Status.IN_CONSULTATION, changed_by=self.staff
            ).exists()
        )
        self.assertEqual(actions(consultation), ["consultation.started"])
        self.assertEqual(consultation.history.get().history_user, self.staff)
        self.assertEqual(consultation_of(appointment=visit), consultation)

    def test_starting_again_opens_the_same_record(self):
        visit = visit_for(self.alice, self.dr_rao)
        first = consultation_start(appointment=visit, actor=self.staff)
        again = consultation_start(appointment=visit, actor=self.staff)
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(Consultation.objects.count(), 1)

    def test_a_visit_in_consultation_or_completed_gets_its_record_as_it_is(self):
        for status in (Status.IN_CONSULTATION, Status.COMPLETED):
            with self.subTest(status=status):
                visit = visit_for(self.bob, self.dr_rao, status=status)
                consultation_start(appointment=visit, actor=self.staff)
                visit.refresh_from_db()
                self.assertEqual(visit.status, status)
                visit.status = Status.ENTERED_IN_ERROR  # out of the way of the next one
                visit.save()

    def test_a_visit_that_did_not_happen_is_refused(self):
        """Booked, cancelled, no-show or entered in error: Conflict, nothing written."""
        for status, why in [
            (Status.BOOKED, "has not arrived"),
            (Status.CANCELLED, "cancelled"),
            (Status.NO_SHOW, "did not come"),
            (Status.ENTERED_IN_ERROR, "entered in error"),
        ]:
            with self.subTest(status=status):
                visit = visit_for(self.alice, self.dr_rao, status=status)
                with self.assertRaisesMessage(Conflict, why):
                    consultation_start(appointment=visit, actor=self.staff)
                visit.refresh_from_db()
                self.assertEqual(visit.status, status)
                visit.status = Status.ENTERED_IN_ERROR
                visit.save()
        self.assertFalse(Consultation.objects.exists())

    def test_an_account_without_the_permission_is_refused(self):
        visit = visit_for(self.alice, self.dr_rao)
        for actor in (None, self.alice.user, make_user(is_staff=True)):
            with self.subTest(actor=actor), self.assertRaises(Forbidden):
                consultation_start(appointment=visit, actor=actor)
        visit.refresh_from_db()
        self.assertEqual(visit.status, Status.ARRIVED)
        self.assertFalse(Consultation.objects.exists())


@time_machine.travel(FIXED_NOW, tick=False)
class ConsultationUpdateTests(BaseTestCase):
    def setUp(self):
        self.consultation = consultation_start(
            appointment=visit_for(self.alice, self.dr_rao), actor=self.staff
        )

    def test_it_writes_notes_and_diagnosis_with_a_normalised_icd10_code(self):
        consultation_update(
            consultation=self.consultation,
            actor=self.staff,
            notes=" Febrile, throat red. ",
            diagnosis="Acute upper respiratory infection",
            icd10="j069",
        )
        stored = Consultation.objects.get()
        self.assertEqual(
            (stored.notes, stored.diagnosis, stored.icd10),
            ("Febrile, throat red.", "Acute upper respiratory infection", "J06.9"),
        )
        self.assertEqual(self.consultation.icd10, "J06.9")
        event = AuditEvent.objects.get(action="consultation.updated")
        self.assertEqual(event.data, {"fields": ["diagnosis", "icd10", "notes"]})
        latest = stored.history.first()
        self.assertEqual((latest.icd10, latest.history_user), ("J06.9", self.staff))

    def test_bad_input_changes_nothing(self):
        cases = [
            ({"icd10": "J6"}, "icd10"),
            ({"icd10": "J06.9x!"}, "icd10"),
            ({"purpose": ""}, "purpose"),
            ({"purpose": "x" * 201}, "purpose"),
            ({"diagnosis": "x" * 2001}, "diagnosis"),
            ({"notes": "ok", "icd10": "nope"}, "icd10"),
        ]
        for kwargs, field in cases:
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(InvalidInput) as caught:
                    consultation_update(consultation=self.consultation, actor=self.staff, **kwargs)
                self.assertIn(field, caught.exception.fields)
        stored = Consultation.objects.get()
        self.assertEqual((stored.notes, stored.icd10, stored.purpose), ("", "", "Cough for a week"))
        self.assertEqual(stored.history.count(), 1)
        self.assertFalse(AuditEvent.objects.filter(action="consultation.updated").exists())

    def test_an_unchanged_update_writes_nothing(self):
        consultation_update(consultation=self.consultation, actor=self.staff, notes="")
        self.assertEqual(self.consultation.history.count(), 1)
        self.assertFalse(AuditEvent.objects.filter(action="consultation.updated").exists())

    def test_a_consultation_entered_in_error_is_closed(self):
        consultation_mark_entered_in_error(
            consultation=self.consultation, actor=self.staff, reason="Wrong patient's chart"
        )
        with self.assertRaisesMessage(Conflict, "entered in error"):
            consultation_update(consultation=self.consultation, actor=self.staff, notes="x")
        with self.assertRaisesMessage(Conflict, "entered in error"):
            prescription_line_add(consultation=self.consultation, actor=self.staff, **LINE)
        with self.assertRaisesMessage(Conflict, "entered in error"):
            consultation_mark_entered_in_error(
                consultation=self.consultation, actor=self.staff, reason="again"
            )


@time_machine.travel(FIXED_NOW, tick=False)
class EnteredInErrorTests(BaseTestCase):
    def setUp(self):
        self.visit = visit_for(self.alice, self.dr_rao)
        self.consultation = consultation_start(appointment=self.visit, actor=self.staff)

    def test_a_consultation_in_error_says_who_when_and_why_and_leaves_the_patients_list(self):
        consultation_mark_entered_in_error(
            consultation=self.consultation, actor=self.staff, reason=" Wrong patient "
        )
        stored = Consultation.objects.get()
        self.assertEqual(
            (stored.entered_in_error_at, stored.entered_in_error_by, stored.error_reason),
            (FIXED_NOW, self.staff, "Wrong patient"),
        )
        self.assertIs(self.consultation.is_entered_in_error, True)
        self.assertEqual(list(consultation_list_for(patient=self.alice)), [])
        self.assertEqual(
            list(stored.history.values_list("history_change_reason", "history_user")),
            [("entered in error", self.staff.pk), ("started", self.staff.pk)],
        )
        self.assertEqual(actions(stored), ["consultation.started", "consultation.entered_in_error"])
        # The visit may then be written up again, in a new record.
        again = consultation_start(appointment=self.visit, actor=self.staff)
        self.assertNotEqual(again.pk, stored.pk)
        self.assertEqual(consultation_of(appointment=self.visit), again)

    def test_a_reason_is_required(self):
        line = prescription_line_add(consultation=self.consultation, actor=self.staff, **LINE)
        for reason in ["", "   ", None, "x" * 201]:
            with self.subTest(reason=reason):
                with self.assertRaises(InvalidInput):
                    consultation_mark_entered_in_error(
                        consultation=self.consultation, actor=self.staff, reason=reason
                    )
                with self.assertRaises(InvalidInput):
                    prescription_line_mark_entered_in_error(
                        line=line, actor=self.staff, reason=reason
                    )
        self.assertFalse(Consultation.objects.exclude(entered_in_error_at=None).exists())
        self.assertFalse(PrescriptionLine.objects.exclude(entered_in_error_at=None).exists())

    def test_records_are_never_deleted(self):
        line = prescription_line_add(consultation=self.consultation, actor=self.staff, **LINE)
        for attempt in (
            self.consultation.delete,
            line.delete,
            Consultation.objects.all().delete,
            PrescriptionLine.objects.all().delete,
        ):
            with self.subTest(attempt=attempt), self.assertRaises(RecordDeleteRefused):
                attempt()
        self.assertEqual((Consultation.objects.count(), PrescriptionLine.objects.count()), (1, 1))


@time_machine.travel(FIXED_NOW, tick=False)
class PrescriptionLineTests(BaseTestCase):
    def setUp(self):
        self.consultation = consultation_start(
            appointment=visit_for(self.alice, self.dr_rao), actor=self.staff
        )

    def test_lines_are_added_in_order_and_audited(self):
        first = prescription_line_add(consultation=self.consultation, actor=self.staff, **LINE)
        second = prescription_line_add(
            consultation=self.consultation,
            actor=self.staff,
            medicine=" Cetirizine ",
            dose="10 mg",
            frequency="at night",
            duration="5 days",
            instructions="after food",
        )
        self.assertEqual((first.position, second.position), (0, 1))
        self.assertEqual(second.medicine, "Cetirizine")
        self.assertEqual(actions(second), ["prescription_line.added"])
        self.assertEqual(second.history.get().history_user, self.staff)

    def test_bad_lines_change_nothing(self):
        cases = [
            {**LINE, "medicine": "  "},
            {**LINE, "dose": "x" * 61},
            {**LINE, "position": -1},
            {**LINE, "position": "first"},
        ]
        for kwargs in cases:
            with self.subTest(kwargs=kwargs), self.assertRaises(InvalidInput):
                prescription_line_add(consultation=self.consultation, actor=self.staff, **kwargs)
        self.assertFalse(PrescriptionLine.objects.exists())

    def test_a_line_is_updated_and_its_history_kept(self):
        line = prescription_line_add(consultation=self.consultation, actor=self.staff, **LINE)
        prescription_line_update(line=line, actor=self.staff, dose="500 mg", duration="5 days")
        self.assertEqual((line.dose, line.duration), ("500 mg", "5 days"))
        self.assertEqual(list(line.history.values_list("dose", flat=True)), ["500 mg", "650 mg"])
        event = AuditEvent.objects.get(action="prescription_line.updated")
        self.assertEqual(event.data, {"fields": ["dose", "duration"]})
        with self.assertRaises(InvalidInput):
            prescription_line_update(line=line, actor=self.staff, medicine="")
        self.assertEqual(PrescriptionLine.objects.get().medicine, "Paracetamol")

    def test_a_line_in_error_is_kept_closed_and_hidden_from_the_patient(self):
        kept = prescription_line_add(consultation=self.consultation, actor=self.staff, **LINE)
        wrong = prescription_line_add(
            consultation=self.consultation, actor=self.staff, **{**LINE, "medicine": "Penicillin"}
        )
        prescription_line_mark_entered_in_error(line=wrong, actor=self.staff, reason="Allergic")
        wrong.refresh_from_db()
        self.assertEqual(
            (wrong.entered_in_error_at, wrong.entered_in_error_by, wrong.error_reason),
            (FIXED_NOW, self.staff, "Allergic"),
        )
        with self.assertRaisesMessage(Conflict, "entered in error"):
            prescription_line_update(line=wrong, actor=self.staff, dose="1 g")
        (listed,) = consultation_list_for(patient=self.alice)
        self.assertEqual(list(listed.lines.all()), [kept])

    def test_an_account_without_the_permission_is_refused(self):
        line = prescription_line_add(consultation=self.consultation, actor=self.staff, **LINE)
        for call in (
            lambda: prescription_line_add(
                consultation=self.consultation, actor=self.bob.user, **LINE
            ),
            lambda: prescription_line_update(line=line, actor=self.bob.user, dose="1 g"),
            lambda: prescription_line_mark_entered_in_error(line=line, actor=None, reason="x"),
            lambda: consultation_update(consultation=self.consultation, actor=None, notes="x"),
            lambda: consultation_mark_entered_in_error(
                consultation=self.consultation, actor=self.alice.user, reason="x"
            ),
        ):
            with self.assertRaises(Forbidden):
                call()
        self.assertEqual(PrescriptionLine.objects.get().dose, "650 mg")
        self.assertIsNone(Consultation.objects.get().entered_in_error_at)
