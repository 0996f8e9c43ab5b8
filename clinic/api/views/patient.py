from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.fields import SeedDateField
from clinic.api.inputs import parse_input
from clinic.api.shapes import PatientProfileSerializer, errors
from clinic.api.views.base import PatientApi
from clinic.core.errors import InvalidInput
from clinic.patients.models import Gender
from clinic.patients.services import patient_update


class PatientProfileApi(PatientApi):
    """The caller's own patient profile: read it, or update some fields."""

    class UpdateInputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "PatientUpdateInput"

        first_name = serializers.CharField(max_length=150, required=False)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        gender = serializers.ChoiceField(choices=Gender.choices, required=False)
        dob = SeedDateField(required=False)
        address = serializers.CharField(max_length=1000, required=False)
        phone = serializers.CharField(max_length=20, required=False)
        sms_opt_out = serializers.BooleanField(required=False)
        profile_pic = serializers.FileField(
            required=False, help_text="multipart/form-data only: JPEG, PNG or WebP."
        )

        def validate(self, attrs):
            # A key that is not updatable is refused rather than silently dropped.
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({unknown[0]: ["This field cannot be changed."]})
            return attrs

    OutputSerializer = PatientProfileSerializer

    @extend_schema(
        operation_id="patient_get",
        summary="The caller's patient profile",
        responses={200: OutputSerializer, **errors(401, 403)},
    )
    def get(self, request):
        return Response(self.OutputSerializer(self.patient, context={"request": request}).data)

    @extend_schema(
        operation_id="patient_update",
        summary="Update the caller's profile; multipart with profile_pic replaces the picture",
        request={
            "application/json": UpdateInputSerializer,
            "multipart/form-data": UpdateInputSerializer,
        },
        responses={200: OutputSerializer, **errors(401, 403)},
    )
    def patch(self, request):
        changes = dict(parse_input(request, self.UpdateInputSerializer))
        picture = changes.pop("profile_pic", None)
        if changes or picture is not None:
            # One service call: the fields and the picture are saved together or not at all.
            try:
                patient_update(patient=self.patient, actor=request.user, picture=picture, **changes)
            except InvalidInput as exc:
                if exc.field != "profile_pic":
                    raise
                raise type(exc)(f"profile_pic: {exc.message}", field="profile_pic") from None
        return Response(self.OutputSerializer(self.patient, context={"request": request}).data)
