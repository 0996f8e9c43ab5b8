from pathlib import PurePosixPath

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.fields import SeedDateField
from clinic.api.inputs import parse_input
from clinic.api.pagination import PAGE_PARAMETERS, Page, PageInputSerializer
from clinic.api.shapes import (
    DoctorRefSerializer,
    PatientRefSerializer,
    errors,
)
from clinic.api.value_rows import value_rows
from clinic.api.views.base import PatientApi
from clinic.core.downloads import file_url
from clinic.labs.selectors import lab_report_list_for


def _report_file(request, fieldfile, original_name: str) -> dict:
    """A released report's `report` (its name) and `report-image` (a download URL)."""
    name = original_name or PurePosixPath(fieldfile.name).name
    return {
        "report": name,
        "report-image": file_url(fieldfile, user=request.user, filename=name, request=request),
    }


class ReportsApi(PatientApi):
    """The caller's lab reports; released ones carry the file name and a download URL.

    `report_genrated` (the seed's name) is true only once a doctor has released the
    report: a report still ordered, or resulted but not yet reviewed, is listed as
    pending with neither its file's name nor a link. Entered-in-error reports are
    not listed.
    """

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LabReport"

        id = serializers.IntegerField()
        contact = PatientRefSerializer(source="patient")
        doctor = DoctorRefSerializer()
        lab = serializers.CharField(source="test")
        date_of_report = SeedDateField(source="date")
        report_genrated = serializers.BooleanField(
            source="is_released", help_text="Released by a doctor: the result can be read."
        )

        def get_fields(self):
            fields = super().get_fields()
            # Present only when the report is released (see to_representation).
            fields["report"] = serializers.CharField(
                required=False, help_text="The report file's name (released reports only)."
            )
            fields["report-image"] = serializers.URLField(
                required=False, help_text="A short-lived download URL (released reports only)."
            )
            return fields

        def to_representation(self, report):
            request = self.context["request"]
            data = {
                name: field.to_representation(field.get_attribute(report))
                for name, field in self.fields.items()
                if name not in ("report", "report-image")
            }
            if report.is_released:
                data.update(_report_file(request, report.file, report.original_name))
            return data

    @extend_schema(
        operation_id="reports",
        summary="The caller's lab reports",
        parameters=PAGE_PARAMETERS,
        responses={200: OutputSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request):
        params = parse_input(request, PageInputSerializer)
        page = Page(lab_report_list_for(patient=self.patient), params)
        # What to_representation reads besides the fields; `contact` is the caller, not
        # read again per row.
        data = value_rows(
            self.OutputSerializer, page.queryset, extra=("status", "file", "original_name"),
            known={"patient": self.patient}, context={"request": request},
        )
        return Response(data, headers=page.headers(data))
