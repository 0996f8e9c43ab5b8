from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api.fields import SeedDateField, SlotField
from clinic.api.inputs import parse_input
from clinic.api.shapes import errors
from clinic.doctors.selectors import doctor_free_slots, doctor_get_listed


class SlotsApi(APIView):
    """The free, bookable slots of a doctor on a day, as 12-hour labels."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SlotsQuery"

        doctor_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
        date = SeedDateField()

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "Slots"

        doctor_id = serializers.IntegerField()
        date = SeedDateField()
        slots = serializers.ListField(child=SlotField())

    @extend_schema(
        operation_id="slots",
        summary="A doctor's free, bookable slots on a day",
        parameters=[InputSerializer],
        responses={200: OutputSerializer, **errors(401, 404)},
    )
    def get(self, request):
        data = parse_input(request, self.InputSerializer)
        doctor = doctor_get_listed(doctor_id=data["doctor_id"])
        slots = doctor_free_slots(doctor=doctor, day=data["date"])
        return Response(
            self.OutputSerializer(
                {"doctor_id": doctor.pk, "date": data["date"], "slots": slots}
            ).data
        )
