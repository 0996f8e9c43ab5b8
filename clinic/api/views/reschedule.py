from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.fields import SeedDateField, SlotField
from clinic.api.idempotency import OPENAPI_PARAMETER as IDEMPOTENCY_KEY
from clinic.api.idempotency import idempotent
from clinic.api.inputs import parse_input
from clinic.api.shapes import errors
from clinic.api.views.base import PatientApi
from clinic.api.views.booking import BookingOutputSerializer
from clinic.appointments.services import appointment_reschedule
from clinic.doctors.selectors import doctor_get


class RescheduleApi(PatientApi):
    """Move one of the caller's active bookings to another slot, atomically.

    The new slot follows POST booking/'s rules (400, 404, 409). On any error the
    booking stays exactly as it was; on success it keeps its id, holds the new
    slot, and the old slot is free again (and offered to the waitlist)."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "RescheduleInput"

        def get_fields(self):
            # The seed-style key has a hyphen, which a class attribute cannot.
            return {
                "booking-id": serializers.IntegerField(
                    min_value=1, max_value=2**63 - 1, help_text="The caller's active booking."
                ),
                "date": SeedDateField(),
                "slot": SlotField(),
                "doc_id": serializers.IntegerField(
                    min_value=1,
                    max_value=2**63 - 1,
                    required=False,
                    help_text="Move to this doctor; the booking's own doctor without it.",
                ),
            }

    class RescheduledSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BookingRescheduled"

        MSG = serializers.CharField()
        data = BookingOutputSerializer()

    @extend_schema(
        operation_id="booking_reschedule",
        summary="Move one of the caller's active bookings to another slot",
        request=InputSerializer,
        responses={200: RescheduledSerializer, **errors(401, 403, 404, 409)},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def post(self, request):
        data = parse_input(request, self.InputSerializer)
        doctor = doctor_get(doctor_id=data["doc_id"]) if "doc_id" in data else None
        appointment = appointment_reschedule(
            patient=self.patient,
            appointment_id=data["booking-id"],
            doctor=doctor,
            day=data["date"],
            start=data["slot"],
            actor=request.user,
        )
        output = self.RescheduledSerializer(
            {"MSG": " Appointment Rescheduled", "data": appointment}
        )
        return Response(output.data)
