from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.accounts import throttles
from clinic.api.fields import SeedDateField
from clinic.api.inputs import parse_input
from clinic.api.shapes import PatientProfileSerializer, errors
from clinic.api.views.base import PublicApi
from clinic.patients.models import Gender
from clinic.patients.services import patient_register


class SignupApi(PublicApi):
    """Register a patient account and profile (the seed's body).

    `user.username` is optional: when absent or taken a unique one is generated."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SignupInput"

        class UserInputSerializer(serializers.Serializer):
            class Meta:
                ref_name = "SignupUserInput"

            username = serializers.CharField(
                max_length=150, required=False, allow_blank=True,
                help_text="Optional: when absent or taken, a unique one is generated.",
            )
            password = serializers.CharField(max_length=4096, trim_whitespace=False)
            first_name = serializers.CharField(max_length=150)
            last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
            email = serializers.EmailField(max_length=254)

        user = UserInputSerializer()
        gender = serializers.ChoiceField(choices=Gender.choices)
        dob = SeedDateField(help_text="Date of birth, YYYY-MM-DD, not in the future.")
        address = serializers.CharField(max_length=1000)
        phone = serializers.CharField(max_length=20, help_text="10 digits.")

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SignupOutput"

        MSG = serializers.CharField()
        DATA = PatientProfileSerializer()

    @extend_schema(
        operation_id="signup",
        summary="Register a patient",
        request=InputSerializer,
        responses={201: OutputSerializer, **errors(429)},
        auth=[],
    )
    def post(self, request):
        throttles.signup_attempt_check(client_ip=throttles.client_ip_of(request))
        data = parse_input(request, self.InputSerializer)
        user = data.pop("user")
        patient = patient_register(**user, **data)
        output = self.OutputSerializer(
            {"MSG": "DATA SAVED", "DATA": patient}, context={"request": request}
        )
        return Response(output.data, status=201)
