from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.fields import SeedDateField, SlotField
from clinic.api.inputs import parse_input
from clinic.api.shapes import errors
from clinic.api.views.base import PatientApi
from clinic.appointments.models import Status
from clinic.appointments.selectors import appointment_history_for


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
            return "Canceled" if appointment.status == Status.CANCELLED else "--------"

    @extend_schema(
        operation_id="history",
        summary="The caller's past and cancelled appointments, newest first",
        responses={200: OutputSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request):
        parse_input(request, serializers.Serializer)
        appointments = appointment_history_for(patient=self.patient)
        return Response(self.OutputSerializer(appointments, many=True).data)
