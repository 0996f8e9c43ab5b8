from bench.fill import fill
from bench.queries import count_queries
from clinic.testing import BaseTestCase

# The queries each benchmarked request makes (bench/queries.py). In a TestCase the
# after-commit callbacks do not run, so book and cancel count the request's own
# queries, including the one INSERT of the notification event written in the
# booking's transaction (the outbox, docs/notifications.md); the task row the
# queue writes after the commit is not counted here. The API token (with its user
# and patient) comes from the shared cache after its first use
# (clinic/accounts/token_cache.py): no request below queries it.
EXPECTED = {
    "floor": 1,
    "doctors": 0,
    "slots": 2,  # the busy times and the slots held for waitlist offers (the doctor: cache)
    "active": 1,
    "history": 1,
    "reports": 1,
    "consultations": 2,
    # FHIR: the rows (and the search's total) and the access-log row that
    # every read of a patient's data writes (clinic.audit).
    "fhir_slots": 3,
    "fhir_appointments": 4,
    "fhir_patient": 3,
    # 5, plus the patient's row lock and the count of MAX_ACTIVE_BOOKINGS, the
    # notification event written in the booking's transaction, the history row, the
    # doctor's row lock and the slots held for waitlist offers.
    "book": 11,
    # 5, plus the notification event, the status change's row (who cancelled when)
    # and the history row.
    "cancel": 8,
}


def _tiny_clinic(**sizes):
    return fill(
        patients=20, readers=3, bookers=2, reader_history=6, reader_upcoming=2,
        reader_consultations=2, reader_reports=2, log=lambda msg: None, **sizes,
    )


class BenchQueryCountTests(BaseTestCase):
    def test_it_counts_the_same_queries_as_the_clinic_grows(self):
        """Every benchmarked request makes a fixed number of queries, before and after the
        clinic's history grows tenfold."""
        manifest = _tiny_clinic(doctors=2, appointments=60)
        self.assertEqual(count_queries(manifest), EXPECTED)
        _tiny_clinic(doctors=4, appointments=600)
        self.assertEqual(count_queries(manifest), EXPECTED)
