"""The seed's shared nested shapes, and the error body, for output and the schema.

The seed spells `ofiice_number` in nested doctors and names the patient by its
account id in bookings, history and reports; both are kept for its clients.
"""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from clinic.core.downloads import file_url


class ErrorSerializer(serializers.Serializer):
    ERR = serializers.CharField(help_text="A human-readable message naming the field at fault.")
    FIELDS = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages, for bad input.",
    )


_ERROR_TEXT = {
    400: "Bad input: malformed JSON, a missing or invalid field.",
    401: "No or bad token.",
    403: "Not yours, or the account has no patient profile.",
    404: "No such object.",
    405: "Method not allowed.",
    409: "Conflict: the slot is taken or the caller is booked at that time.",
    413: "The request body is too large.",
    415: "Unsupported content type.",
    429: "Throttled; see the Retry-After header.",
}


def errors(*codes: int) -> dict:
    """Schema responses for error statuses. Every endpoint may answer 400, 413 and 415."""
    wanted = sorted({400, 413, 415, *codes})
    return {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_TEXT[code]) for code in wanted
    }


class MessageSerializer(serializers.Serializer):
    MSG = serializers.CharField()


class PatientRefSerializer(serializers.Serializer):
    """The seed's `patient` / `contact`: the account id, name, username and gender."""

    id = serializers.IntegerField(source="user_id", help_text="The patient's account id.")
    name = serializers.CharField()
    username = serializers.CharField(source="user.username")
    gender = serializers.CharField()


# What a list of rows with a `doctor` loads for DoctorRefSerializer (in `.only()`): the
# list endpoints load only the columns their serializer reads, which makes building
# each row's model instances about a third cheaper (docs/benchmarks.md).
DOCTOR_REF_COLUMNS = (
    "doctor_id", "doctor__name", "doctor__gender", "doctor__specialty", "doctor__office_number",
)


class DoctorRefSerializer(serializers.Serializer):
    doctor_id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    gender = serializers.CharField()
    domain = serializers.CharField(source="specialty")
    ofiice_number = serializers.CharField(source="office_number")


class UserSerializer(serializers.Serializer):
    """The seed's `user` of a patient: the login, named by the patient record."""

    id = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    first_name = serializers.CharField(source="given_name")
    last_name = serializers.CharField(source="family_name")
    email = serializers.EmailField(source="user.email")


class PatientProfileSerializer(serializers.Serializer):
    """The seed's patient shape (without the password) plus age and verification flags."""

    id = serializers.IntegerField()
    user = UserSerializer(source="*")
    gender = serializers.CharField()
    dob = serializers.DateField()
    age = serializers.IntegerField()
    address = serializers.CharField()
    phone = serializers.CharField(
        source="phone_national", help_text="National digits (10 in India), as the seed had."
    )
    profile_pic = serializers.SerializerMethodField()
    email_verified = serializers.BooleanField()
    phone_verified = serializers.BooleanField()
    sms_opt_out = serializers.BooleanField()

    def get_profile_pic(self, patient) -> str | None:
        request = self.context["request"]
        return file_url(patient.profile_pic, user=request.user, request=request)
