from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.fields import SeedDateField, SlotField
from clinic.api.inputs import parse_input
from clinic.api.pagination import PAGE_PARAMETERS, Page, PageInputSerializer
from clinic.api.rows import seed_date, seed_slot
from clinic.api.shapes import errors
from clinic.api.views.base import PatientApi
from clinic.appointments.models import Status
from clinic.appointments.selectors import appointment_history_for


def _reason(status: str) -> str:
    return "Canceled" if status == Status.CANCELLED else "--------"


class HistoryApi(PatientApi):
    """The caller's past and cancelled appointments in the seed's shape."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HistoryEntry"

        # The seed sent ids and numbers here as strings.
        id = serializers.IntegerField()
        book_no = serializers.CharField(source="slot_number")
        patient_name = serializers.CharField(source="patient.name")
        doctor_name = serializers.CharField(source="doctor.name")
        patient_id = serializers.CharField(source="patient.user_id")
        doctor_id = serializers.CharField()
        book_date = SeedDateField(source="date")
        book_slot = SlotField(source="start")
        reason = serializers.SerializerMethodField()

        def get_reason(self, appointment) -> str:
            return _reason(appointment.status)

    @extend_schema(
        operation_id="history",
        summary="The caller's past and cancelled appointments, newest first",
        parameters=PAGE_PARAMETERS,
        responses={200: OutputSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request):
        params = parse_input(request, PageInputSerializer)
        page = Page(appointment_history_for(patient=self.patient), params)
        # Rows built by hand in OutputSerializer's shape, for speed: 5.7 -> 2.3 ms a request
        # in-process (issue #6, clinic/api/rows.py).
        rows = page.queryset.values_list(
            "id", "slot_number", "doctor__name", "doctor_id", "date", "start", "status"
        )
        patient_name, patient_id = self.patient.name, str(self.patient.user_id)
        data = [
            {
                "id": pk,
                "book_no": str(slot_number),
                "patient_name": patient_name,
                "doctor_name": doctor_name,
                "patient_id": patient_id,
                "doctor_id": str(doctor_id),
                "book_date": seed_date(day),
                "book_slot": seed_slot(start),
                "reason": _reason(status),
            }
            for pk, slot_number, doctor_name, doctor_id, day, start, status in rows
        ]
        return Response(data, headers=page.headers(data))
