from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.fields import SeedDateField, SlotField
from clinic.api.inputs import parse_input
from clinic.api.pagination import PAGE_PARAMETERS, Page, PageInputSerializer
from clinic.api.shapes import errors
from clinic.api.value_rows import value_rows
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
        # `reason` reads the status; `patient` is the caller, not read again per row.
        data = value_rows(
            self.OutputSerializer, page.queryset, extra=("status",),
            known={"patient": self.patient},
        )
        return Response(data, headers=page.headers(data))
