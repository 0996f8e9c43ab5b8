from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.fields import IdListField, SeedDateField, SlotField
from clinic.api.idempotency import OPENAPI_PARAMETER as IDEMPOTENCY_KEY
from clinic.api.idempotency import idempotent
from clinic.api.inputs import parse_input
from clinic.api.pagination import PAGE_PARAMETERS, Page, PageInputSerializer
from clinic.api.schema import BodyOnDeleteSchema
from clinic.api.shapes import (
    DoctorRefSerializer,
    MessageSerializer,
    PatientRefSerializer,
    errors,
)
from clinic.api.value_rows import value_rows
from clinic.api.views.base import PatientApi
from clinic.appointments.selectors import appointment_upcoming_for
from clinic.appointments.services import appointment_book, appointment_cancel
from clinic.doctors.selectors import doctor_get


class BookingOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "Booking"

    Booking_id = serializers.IntegerField(source="pk")
    patient = PatientRefSerializer()
    doctor = DoctorRefSerializer()
    booking_date = SeedDateField(source="date")
    time_slot = SlotField(source="start")


class BookingApi(PatientApi):
    """The caller's active bookings: list, book a slot, cancel some.

    Cancelling is all or nothing: if any id is not the caller's active booking, nothing
    is cancelled and the answer is 404. `booking-ids` may also be given as a query
    parameter (`?booking-ids=3,4`)."""

    schema = BodyOnDeleteSchema()

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BookingInput"

        date = SeedDateField()
        slot = SlotField()
        doc_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class CancelInputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BookingCancelInput"

        def get_fields(self):
            # The seed's key has a hyphen, which a class attribute cannot.
            return {"booking-ids": IdListField(help_text="Ids of the caller's active bookings.")}

    OutputSerializer = BookingOutputSerializer

    class BookedSerializer(serializers.Serializer):
        class Meta:
            ref_name = "BookingCreated"

        MSG = serializers.CharField()
        data = BookingOutputSerializer()

    @extend_schema(
        operation_id="booking_list",
        summary="The caller's active appointments, soonest first",
        parameters=PAGE_PARAMETERS,
        responses={200: OutputSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request):
        page = Page(
            appointment_upcoming_for(patient=self.patient),
            parse_input(request, PageInputSerializer),
        )
        # `patient` is the caller, not read again per row.
        data = value_rows(self.OutputSerializer, page.queryset, known={"patient": self.patient})
        return Response(data, headers=page.headers(data))

    @extend_schema(
        operation_id="booking_create",
        summary="Book one of a doctor's free slots",
        parameters=[IDEMPOTENCY_KEY],
        request=InputSerializer,
        responses={201: BookedSerializer, **errors(401, 403, 404, 409)},
    )
    @idempotent
    def post(self, request):
        data = parse_input(request, self.InputSerializer)
        doctor = doctor_get(doctor_id=data["doc_id"])
        appointment = appointment_book(
            patient=self.patient,
            doctor=doctor,
            day=data["date"],
            start=data["slot"],
            reason=data.get("reason", ""),
            actor=request.user,
        )
        output = self.BookedSerializer({"MSG": " Slot Booked!", "data": appointment})
        return Response(output.data, status=201)

    @extend_schema(
        operation_id="booking_cancel",
        summary="Cancel some of the caller's active bookings: all of them or none",
        request=CancelInputSerializer,
        responses={200: MessageSerializer, **errors(401, 403, 404, 409)},
    )
    def delete(self, request):
        data = parse_input(request, self.CancelInputSerializer)
        cancelled = appointment_cancel(
            patient=self.patient, ids=data["booking-ids"], actor=request.user
        )
        message = " Appointments Canceled" if len(cancelled) > 1 else " Appointment Canceled"
        return Response({"MSG": message})
