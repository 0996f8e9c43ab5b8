from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.fields import SeedDateField
from clinic.api.inputs import parse_input
from clinic.api.pagination import PAGE_PARAMETERS, Page, PageInputSerializer
from clinic.api.shapes import DoctorRefSerializer, errors
from clinic.api.value_rows import value_rows
from clinic.api.views.base import PatientApi
from clinic.core.downloads import file_url
from clinic.records.downloads import prescription_url
from clinic.records.selectors import consultation_list_for

_MEDICINE = ("medicine", "dose", "frequency", "duration", "instructions")


class ConsultationsApi(PatientApi):
    """The caller's consultations, each with a prescription download URL."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "Consultation"

        class MedicineSerializer(serializers.Serializer):
            class Meta:
                ref_name = "Medicine"

            medicine = serializers.CharField()
            dose = serializers.CharField()
            frequency = serializers.CharField()
            duration = serializers.CharField()
            instructions = serializers.CharField()

        id = serializers.IntegerField()
        doctor = DoctorRefSerializer()
        date = SeedDateField()
        purpose = serializers.CharField()
        diagnosis = serializers.CharField()
        notes = serializers.CharField()
        medicines = MedicineSerializer(source="lines", many=True)
        prescription = serializers.SerializerMethodField(
            help_text="A short-lived download URL of the prescription PDF."
        )
        scan = serializers.SerializerMethodField(help_text="A download URL of the scan, if any.")

        def get_prescription(self, consultation) -> str:
            request = self.context["request"]
            return prescription_url(consultation=consultation, user=request.user, request=request)

        def get_scan(self, consultation) -> str | None:
            request = self.context["request"]
            return file_url(consultation.scan, user=request.user, request=request)

    @extend_schema(
        operation_id="consultations",
        summary="The caller's past consultations with their prescriptions",
        parameters=PAGE_PARAMETERS,
        responses={200: OutputSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request):
        params = parse_input(request, PageInputSerializer)
        page = Page(consultation_list_for(patient=self.patient), params)
        # `scan` is read by get_scan; `patient` is the caller, not read again per row. The
        # medicines come in one more query, as the selector's prefetch of them.
        data = value_rows(
            self.OutputSerializer, page.queryset, extra=("scan",),
            known={"patient": self.patient}, context={"request": request},
        )
        return Response(data, headers=page.headers(data))
