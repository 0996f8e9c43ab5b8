from pathlib import PurePosixPath

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.fields import SeedDateField
from clinic.api.inputs import parse_input
from clinic.api.shapes import DoctorRefSerializer, PatientRefSerializer, errors
from clinic.api.views.base import PatientApi
from clinic.core.downloads import file_url
from clinic.labs.selectors import lab_report_list_for


class ReportsApi(PatientApi):
    """The caller's lab reports; generated ones carry the file name and a download URL."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LabReport"

        id = serializers.IntegerField()
        contact = PatientRefSerializer(source="patient")
        doctor = DoctorRefSerializer()
        lab = serializers.CharField(source="test")
        date_of_report = SeedDateField(source="date")
        report_genrated = serializers.BooleanField(source="is_generated")

        def get_fields(self):
            fields = super().get_fields()
            # Present only when the report is generated (see to_representation).
            fields["report"] = serializers.CharField(
                required=False, help_text="The report file's name (generated reports only)."
            )
            fields["report-image"] = serializers.URLField(
                required=False, help_text="A short-lived download URL (generated reports only)."
            )
            return fields

        def to_representation(self, report):
            request = self.context["request"]
            data = {
                name: field.to_representation(field.get_attribute(report))
                for name, field in self.fields.items()
                if name not in ("report", "report-image")
            }
            if report.is_generated:
                name = report.original_name or PurePosixPath(report.file.name).name
                data["report"] = name
                data["report-image"] = file_url(
                    report.file, user=request.user, filename=name, request=request
                )
            return data

    @extend_schema(
        operation_id="reports",
        summary="The caller's lab reports",
        responses={200: OutputSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request):
        parse_input(request, serializers.Serializer)
        reports = lab_report_list_for(patient=self.patient)
        return Response(
            self.OutputSerializer(reports, many=True, context={"request": request}).data
        )
