from django.contrib import admin
from django.urls import include, path

from clinic.appointments.views import calendar_feed
from clinic.core.views import healthz
from clinic.doctors.pictures import doctor_picture

# admin.site is clinic.staff.admin_site.ClinicAdminSite: verified superusers only.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("cms-api/", include("clinic.api.urls")),
    # SMART on FHIR: /.well-known/smart-configuration (also under /fhir/, so before it),
    # /o/ and /profile/apps/ (clinic/smart/).
    path("", include("clinic.smart.urls")),
    path("fhir/", include("clinic.fhir.urls")),
    # Public content: no signed link, cacheable (clinic/doctors/pictures.py).
    path("files/doctors/<str:key>", doctor_picture, name="doctor_picture"),
    path("files/", include("clinic.core.urls")),
    path("prescriptions/", include("clinic.records.urls")),
    path("clinic/", include("clinic.workspace.urls")),
    path("healthz", healthz, name="healthz"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
    path("", include("clinic.portal.urls")),
]
