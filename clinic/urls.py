from django.contrib import admin
from django.urls import include, path

from clinic.core.views import healthz

admin.site.site_header = "CMS clinic administration"
admin.site.site_title = "CMS admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("cms-api/", include("clinic.api.urls")),
    path("files/", include("clinic.core.urls")),
    path("prescriptions/", include("clinic.records.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("clinic.portal.urls")),
]
