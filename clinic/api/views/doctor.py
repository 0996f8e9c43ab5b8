from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.api.inputs import parse_input
from clinic.api.shapes import errors
from clinic.api.value_rows import value_rows_of
from clinic.core import clock
from clinic.doctors.cache import DIRECTORY_COLUMNS
from clinic.doctors.models import Doctor
from clinic.doctors.pictures import doctor_picture_url
from clinic.doctors.selectors import doctor_directory, doctor_get
from clinic.patients.models import age_on


class DoctorApi(APIView):
    """The clinic's active doctors. With `doctor_id`, a list holding that one doctor."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "DoctorQuery"

        doctor_id = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=2**63 - 1,
            help_text="Only this doctor (a one-element list).",
        )

    # Serves the doctor directory's rows (`.values()` of DIRECTORY_COLUMNS, cached until a
    # doctor changes) through value_rows_of: the list is served without a query.
    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "Doctor"

        id = serializers.IntegerField()
        name = serializers.CharField()
        age = serializers.SerializerMethodField()
        gender = serializers.CharField()
        experience = serializers.SerializerMethodField()
        domain = serializers.CharField(source="specialty")
        office_number = serializers.CharField()
        profile_pic = serializers.SerializerMethodField()

        # The seed sent age and experience as strings.
        def get_age(self, row) -> str | None:
            # As Doctor.age has it, on the clinic's date.
            born = row.birth_date
            return None if born is None else str(age_on(born, clock.today()))

        def get_experience(self, row) -> str:
            return str(row.experience_years)

        def get_profile_pic(self, row) -> str | None:
            # Public content: a stable absolute URL, not a per-user signed link.
            return doctor_picture_url(row.profile_pic.name, request=self.context["request"])

    @extend_schema(
        operation_id="doctor_list",
        summary="The clinic's doctors, or the one with doctor_id",
        parameters=[InputSerializer],
        responses={200: OutputSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request):
        data = parse_input(request, self.InputSerializer)
        if "doctor_id" in data:
            doctor = doctor_get(doctor_id=data["doctor_id"])
            # The row doctor_directory() holds (a file column holds the stored name).
            values = {column: getattr(doctor, column) for column in DIRECTORY_COLUMNS}
            rows = [values | {"profile_pic": doctor.profile_pic.name}]
        else:
            rows = doctor_directory()  # cached until a doctor changes
        return Response(value_rows_of(
            self.OutputSerializer, Doctor, rows, extra=DIRECTORY_COLUMNS,
            context={"request": request},
        ))
