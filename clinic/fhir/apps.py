from django.apps import AppConfig


class FhirConfig(AppConfig):
    """HL7 FHIR R4 at /fhir/: an interface app like clinic.api, with no models."""

    name = "clinic.fhir"
    label = "fhir"
