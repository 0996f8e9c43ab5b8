from django.urls import path, re_path

from clinic.fhir import views

app_name = "fhir"
# FHIR type names and ids: [A-Za-z]+ and [A-Za-z0-9-.]{1,64}. A trailing slash is tolerated.
TYPE = r"(?P<type_name>[A-Z][A-Za-z]{0,63})"
ID = r"(?P<resource_id>[A-Za-z0-9\-.]{1,64})"
urlpatterns = [
    path("metadata", views.MetadataView.as_view(), name="metadata"),
    re_path(rf"^{TYPE}/?$", views.TypeView.as_view(), name="type"),
    re_path(rf"^{TYPE}/_search/?$", views.SearchView.as_view(), name="search"),
    re_path(
        rf"^{TYPE}/{ID}/\$(?P<operation>[A-Za-z][A-Za-z0-9-]{{0,63}})/?$",
        views.OperationView.as_view(),
        name="operation",
    ),
    re_path(rf"^{TYPE}/{ID}/?$", views.InstanceView.as_view(), name="instance"),
    # Last: anything else under /fhir/ is a 404 OperationOutcome, never an HTML page.
    re_path(r"^.*$", views.not_found, name="not-found"),
]
